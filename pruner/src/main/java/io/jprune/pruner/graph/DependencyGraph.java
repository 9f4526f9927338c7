package io.jprune.pruner.graph;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.jprune.pruner.graph.label.BareParameters;
import io.jprune.pruner.graph.label.GroupBuilder;
import io.jprune.pruner.graph.label.LabelPass;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.graph.refusal.UnseenTensorException;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.pruner.graph.rule.ModuleKindRule;
import io.jprune.pruner.graph.rule.OpCatalog;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.module.ModuleCatalog;
import io.jprune.pruner.module.ModuleLabels;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.Trace;
import io.jprune.tracer.TracedCall;
import io.jprune.tracer.Value;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Module;

/**
 * The exact channel-dependency graph of one traced run: every element of every traced tensor is
 * labelled with the atom (set of channels that must go together) it belongs to, by running each
 * op's rule in call order; atoms that share parameter dims form {@link PruningGroup}s.
 *
 * <pre>{@code
 * DependencyGraph graph = DependencyGraph.build(model, trace);
 * for (PruningGroup g : graph.groups()) System.out.println(g.describe());
 * }</pre>
 */
public final class DependencyGraph {
  private final Trace trace;
  private final LabelPass pass;
  private final ImmutableList<PruningGroup> groups;

  /** Root atom of each (group id, channel index). */
  private final ImmutableList<int[]> channelAtoms;

  private final List<TracedCall> leaves;

  private DependencyGraph(
      Trace trace, LabelPass pass, List<TracedCall> leaves, GroupBuilder.Groups groups) {
    this.trace = trace;
    this.pass = pass;
    this.leaves = leaves;
    this.groups = groups.groups();
    this.channelAtoms = groups.channelAtoms();
  }

  /**
   * Builds the graph of {@code root} from a trace of it.
   *
   * @throws UnsupportedOpException naming the op and call site of the first call without a rule
   * @throws UnseenTensorException when a call reads a tensor made where jprune could not see
   */
  public static DependencyGraph build(Module root, Trace trace) {
    checkNotNull(trace, "trace");
    List<TracedCall> top = trace.topLevel();
    checkArgument(!top.isEmpty(), "the trace of %s recorded no call", trace.rootType());
    return build(root, trace, top.get(top.size() - 1).tensorOutputs());
  }

  /**
   * Builds the graph with explicit model outputs (the tensors whose channels are never pruned), for
   * traces where the root forward itself was not recorded.
   */
  public static DependencyGraph build(Module root, Trace trace, List<TensorRef> outputs) {
    return build(root, trace, outputs, ModuleCatalog.builtins());
  }

  /**
   * Builds the graph with explicit model outputs and the module kinds of {@code catalog} (the
   * built-ins plus the user's own).
   */
  public static DependencyGraph build(
      Module root, Trace trace, List<TensorRef> outputs, ModuleCatalog catalog) {
    checkNotNull(root, "root");
    checkNotNull(trace, "trace");
    checkNotNull(catalog, "catalog");
    UnseenTensorException.refuseIncomplete(trace);
    LabelPass pass = new LabelPass(trace, catalog, root);
    List<TracedCall> leaves = new ArrayList<>();
    for (TracedCall call : trace.calls()) {
      if (!trace.children(call.index()).isEmpty()) {
        continue; // containers whose children are traced
      }
      if (call.tensorOutputs().isEmpty()) {
        refuseOpaqueTensorHolder(call);
        continue; // queries (size, dim, options)
      }
      if (call.isModuleCall() && !call.isBuiltinModuleCall()) {
        continue; // a Java module with no traced ops: its result is resolved as passed through
      }
      OpCatalog.ruleFor(call, catalog).propagate(call, pass);
      leaves.add(call);
    }
    for (TensorRef out : outputs) {
      pass.fixAll(out); // the model's outputs (classes, pixels) are never pruned
    }
    BareParameters.bind(pass);
    pass.finish();
    return new DependencyGraph(trace, pass, leaves, GroupBuilder.build(pass));
  }

  /**
   * A result the tracer could not open (a dict or list type of the bindings that holds tensors)
   * would hide the tensors the model goes on to use: their producer would look like a constant.
   */
  private static void refuseOpaqueTensorHolder(TracedCall call) {
    if (call.result() instanceof Value.OtherValue other
        && other.type().contains("Tensor")
        && !other.type().startsWith("TensorOptions")) {
      throw new UnsupportedOpException(
          call, "it returns a " + other.type() + ", whose tensors " + "jprune cannot follow");
    }
  }

  /** The trace the graph was built from. */
  public Trace trace() {
    return trace;
  }

  /** The module kinds this graph was built with. */
  public ModuleCatalog catalog() {
    return pass.catalog();
  }

  /** The pruning groups, by id (in the order their first slice was bound, i.e. call order). */
  public ImmutableList<PruningGroup> groups() {
    return groups;
  }

  /**
   * The group with this id.
   *
   * @throws IllegalArgumentException naming the id and the group count when there is none
   */
  public PruningGroup group(int id) {
    checkArgument(id >= 0 && id < groups.size(), "no group %s (graph has %s)", id, groups.size());
    return groups.get(id);
  }

  /** The group whose channels include output channels of this module or parameter name. */
  public PruningGroup groupOf(String moduleOrParam) {
    for (PruningGroup g : groups) {
      for (Channel c : g.channels()) {
        for (ParamSlice s : c.outputs()) {
          if (s.param().equals(moduleOrParam) || s.param().equals(moduleOrParam + ".weight")) {
            return g;
          }
        }
      }
    }
    throw new IllegalArgumentException(
        "no prunable output channels for '"
            + moduleOrParam
            + "' (ignored, fixed by the model's outputs or inputs, or not in the trace)");
  }

  /**
   * Group channel indices that contain the given output channels of a layer (like Torch-Pruning's
   * {@code get_pruning_group(layer, fn, idxs)}).
   */
  public long[] channelsOf(PruningGroup group, String moduleOrParam, long... outputIndices) {
    String weight =
        moduleOrParam.endsWith(".weight") || !groupHas(group, moduleOrParam + ".weight")
            ? moduleOrParam
            : moduleOrParam + ".weight";
    java.util.TreeSet<Long> out = new java.util.TreeSet<>();
    for (long idx : outputIndices) {
      boolean found = false;
      for (Channel c : group.channels()) {
        for (ParamSlice s : c.outputs()) {
          if (s.param().equals(weight) && s.index() == idx) {
            out.add((long) c.index());
            found = true;
          }
        }
      }
      checkArgument(found, "output channel %s of %s is not in group %s", idx, weight, group.id());
    }
    return out.stream().mapToLong(Long::longValue).toArray();
  }

  private static boolean groupHas(PruningGroup g, String param) {
    return g.parameters().contains(param);
  }

  /**
   * Validates a removal and works out everything it changes, without touching the model.
   *
   * @param removal group id -> group channel indices to remove
   * @throws PlanException naming the op, layer or constraint that forbids it
   */
  public RemovalEffects effects(Map<Integer, long[]> removal) {
    BitSet roots = new BitSet();
    for (Map.Entry<Integer, long[]> e : removal.entrySet()) {
      PruningGroup g = group(e.getKey());
      int[] atoms = channelAtoms.get(g.id());
      for (long idx : e.getValue()) {
        if (idx < 0 || idx >= g.size()) {
          throw new PlanException(
              "channel index "
                  + idx
                  + " is out of range for group "
                  + g.id()
                  + " '"
                  + g.leader()
                  + "' of "
                  + g.size()
                  + " channels");
        }
        roots.set(atoms[(int) idx]);
      }
    }
    return RemovalEffects.compute(this, roots, removal);
  }

  LabelPass pass() {
    return pass;
  }

  List<TracedCall> leaves() {
    return leaves;
  }

  /** Summary: one line per group. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    for (PruningGroup g : groups) {
      sb.append(g.describe());
    }
    for (String note : pass.notes()) {
      sb.append(note).append('\n');
    }
    List<String> kept = keptWhole();
    if (!kept.isEmpty()) {
      sb.append("kept whole (their weights are not sliced; the channels they read stay): ")
          .append(String.join(", ", kept))
          .append('\n');
    }
    return sb.toString();
  }

  /** What module kinds noted about the channels they keep (e.g. a fixed hidden size). */
  public ImmutableList<String> notes() {
    return ImmutableList.copyOf(pass.notes());
  }

  /** Modules whose kind keeps them as they are (a user kind may): path (type). */
  public ImmutableList<String> keptWhole() {
    ImmutableList.Builder<String> out = ImmutableList.builder();
    for (TracedCall call : leaves) {
      if (call.isModuleCall()
          && OpCatalog.ruleFor(call, pass.catalog()) instanceof ModuleKindRule r
          && r.kind().keptWhole()) {
        out.add(call.modulePath() + " (" + ModuleLabels.type(call) + ")");
      }
    }
    return out.build();
  }
}
