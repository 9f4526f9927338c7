package io.jprune.pruner.module;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.TracedCall;
import java.util.List;

/**
 * What a {@link ModuleKind}'s label rule may do: read the atoms (the smallest sets of channels that
 * go together) of its inputs, make new ones for its outputs, and bind parameter slices to them.
 * Implemented by the dependency graph's label pass.
 */
public interface ModuleLabels {
  /** Registered name of a parameter of the called module, e.g. {@code layer1.0.conv1.weight}. */
  static String param(TracedCall call, String local) {
    String path = call.modulePath();
    return path.isEmpty() ? local : path + "." + local;
  }

  /** libtorch's simple type name of the called module: {@code Conv2dImpl}. */
  static String type(TracedCall call) {
    String t = call.moduleType();
    return t.substring(t.lastIndexOf('.') + 1);
  }

  /** The only tensor input of the call; refused when there are several. */
  TensorRef input(TracedCall call);

  /**
   * One atom per index of {@code channelDim}: all elements of a channel, over every other dim, are
   * joined (a layer that shares one weight slice across batch and space couples them).
   */
  int[] channelAtoms(TensorRef t, int channelDim);

  /** New atoms for {@code count} channels a layer produces. */
  int[] freshAtoms(int count);

  /** Joins two atoms (they can only go together); returns the joined atom. */
  int join(int a, int b);

  /** {@code param[.., index along dim, ..]} produces channel {@code atom} (zeroed when masked). */
  void bindOutput(String param, int dim, long index, int atom);

  /** {@code param[.., index along dim, ..]} reads channel {@code atom}. */
  void bindInput(String param, int dim, long index, int atom);

  /** State that follows the channel and is not masked (BN running statistics). */
  void bindState(String param, int dim, long index, int atom);

  /** A grouped conv's input column {@code column} in the rows of group {@code group}. */
  void bindGroupedInput(String param, long column, int group, int atom);

  /** Output channels of a layer: weight slice c along {@code dim}, and bias c when present. */
  default void bindProducer(String weight, int dim, String bias, int[] atoms) {
    boolean hasBias = hasParameter(bias);
    for (int c = 0; c < atoms.length; c++) {
      bindOutput(weight, dim, c, atoms[c]);
      if (hasBias) {
        bindOutput(bias, 0, c, atoms[c]);
      }
    }
  }

  /** {@code y = x W^T + b} on the last dim of {@code in}: the rule of LinearImpl. */
  void projection(TensorRef in, TensorRef out, String weight, String bias);

  /** Labels {@code out} so that its index c along {@code channelDim} is channel atoms[c]. */
  void setChannels(TensorRef out, int channelDim, int[] atoms);

  /** Labels every element of {@code out} as a channel that is never removed. */
  void setFixed(TensorRef out);

  /** Makes every channel of a tensor unprunable. */
  void fixAll(TensorRef t);

  /** Whether an atom can never be removed (a model input's channel, a constant's). */
  boolean isFixed(int atom);

  /** Makes one atom unprunable. */
  void fix(int atom);

  /** The module is kept as it is: what it reads stays, its outputs are new fixed channels. */
  void keepWhole(TracedCall call);

  boolean hasParameter(String name);

  /** Traced shape of a registered parameter or buffer. */
  ImmutableLongArray parameterShape(String name);

  /** Removing this atom changes what the kept channels compute (first reason wins). */
  void markInexact(int atom, String why);

  /**
   * Channels come in blocks: {@code aligned} means the same positions go in every block, else the
   * same number; {@code whole} allows removing whole blocks (heads, norm groups).
   *
   * @param coordinates each block's coordinates (e.g. its head index), one array per block
   */
  void blocks(
      String source, List<int[]> blocks, List<long[]> coordinates, boolean aligned, boolean whole);

  /**
   * An option of the called module ({@code child.option}: of a submodule), as it was when the graph
   * was built.
   */
  long[] option(TracedCall call, String name);

  /**
   * A line for {@code DependencyGraph.describe()}: what the module keeps and why (e.g. a hidden
   * size fixed by an initial state passed in). Repeated lines are printed once.
   */
  void note(String line);

  /** The exception that refuses a call, naming the op and its call site. */
  RuntimeException unsupported(TracedCall call, String why);
}
