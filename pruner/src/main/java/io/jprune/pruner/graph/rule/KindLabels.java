package io.jprune.pruner.graph.rule;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.pruner.group.BlockSpec;
import io.jprune.pruner.group.SliceRole;
import io.jprune.pruner.module.LiveOptions;
import io.jprune.pruner.module.ModuleLabels;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.List;

/** The label pass as a {@link io.jprune.pruner.module.ModuleKind} sees it. */
final class KindLabels implements ModuleLabels {
  private final LabelPass pass;

  KindLabels(LabelPass pass) {
    this.pass = pass;
  }

  @Override
  public TensorRef input(TracedCall call) {
    return ModuleCall.input(call);
  }

  @Override
  public int[] channelAtoms(TensorRef t, int channelDim) {
    return pass.channelAtoms(t, channelDim);
  }

  @Override
  public int[] freshAtoms(int count) {
    return pass.freshAtoms(count);
  }

  @Override
  public int join(int a, int b) {
    return pass.atoms().union(a, b);
  }

  @Override
  public void bindOutput(String param, int dim, long index, int atom) {
    pass.bind(param, dim, index, atom, SliceRole.OUTPUT);
  }

  @Override
  public void bindInput(String param, int dim, long index, int atom) {
    pass.bind(param, dim, index, atom, SliceRole.INPUT);
  }

  @Override
  public void bindState(String param, int dim, long index, int atom) {
    pass.bind(param, dim, index, atom, SliceRole.STATE);
  }

  @Override
  public void bindGroupedInput(String param, long column, int group, int atom) {
    pass.bindGrouped(param, 1, column, group, atom);
  }

  @Override
  public void projection(TensorRef in, TensorRef out, String weight, String bias) {
    Projection.propagate(pass, in, out, weight, 1, bias);
  }

  @Override
  public void setChannels(TensorRef out, int channelDim, int[] atoms) {
    pass.setChannels(out, channelDim, atoms);
  }

  @Override
  public void setFixed(TensorRef out) {
    pass.setFixed(out);
  }

  @Override
  public void fixAll(TensorRef t) {
    pass.fixAll(t);
  }

  @Override
  public boolean isFixed(int atom) {
    return pass.atoms().isFixed(atom);
  }

  @Override
  public void fix(int atom) {
    pass.atoms().fix(atom);
  }

  @Override
  public void keepWhole(TracedCall call) {
    pass.keepWhole(call);
  }

  @Override
  public boolean hasParameter(String name) {
    return pass.hasParameter(name);
  }

  @Override
  public ImmutableLongArray parameterShape(String name) {
    return pass.parameterShape(name);
  }

  @Override
  public void markInexact(int atom, String why) {
    pass.atoms().markInexact(atom, why);
  }

  @Override
  public void blocks(
      String source, List<int[]> blocks, List<long[]> coordinates, boolean aligned, boolean whole) {
    pass.addBlocks(
        source,
        blocks,
        coordinates,
        aligned ? BlockSpec.Kind.ALIGNED : BlockSpec.Kind.EQUAL_COUNT,
        whole);
  }

  @Override
  public long[] option(TracedCall call, String name) {
    if (pass.root() == null) {
      throw unsupported(call, "its option " + name + " is needed and the graph has no model");
    }
    int dot = name.lastIndexOf('.');
    String module = dot < 0 ? call.modulePath() : ModuleLabels.param(call, name.substring(0, dot));
    return LiveOptions.of(module, pass.modules().at(module)).read(name.substring(dot + 1));
  }

  @Override
  public void note(String line) {
    pass.addNote(line);
  }

  @Override
  public RuntimeException unsupported(TracedCall call, String why) {
    return new UnsupportedOpException(call, why);
  }
}
