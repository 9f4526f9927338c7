package io.jprune.pruner;

import io.jprune.pruner.PhaseTimer.Phase;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.module.ModuleCatalog;
import io.jprune.pruner.plan.PruningTarget;
import io.jprune.pruner.plan.Removal;
import io.jprune.pruner.report.ModelCost;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.Trace;
import io.jprune.tracer.Tracer;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * The model as one trace saw it: its dependency graph, the traced tensor the forward returned, how
 * long tracing and building the graph took, and how many cuts the model had had then. A snapshot:
 * once another cut is applied it is stale, and the pruner traces again.
 *
 * @param cuts the number of cuts applied to the model before this trace
 */
record TracedModel(
    DependencyGraph graph, TensorRef output, long traceMillis, long graphMillis, int cuts) {

  /** Self-attaches the agent for the model's packages, traces one forward and builds the graph. */
  static TracedModel trace(
      Module model, Supplier<Tensor> forward, ModuleCatalog catalog, int cuts) {
    PhaseTimer timer = PhaseTimer.startIn(Phase.TRACE);
    Attach.model(model);
    long[] outputImpl = new long[1];
    Trace trace =
        Tracer.trace(
            model,
            () -> {
              Tensor out = forward.get();
              outputImpl[0] = out.unsafeGetTensorImpl().address();
              return out;
            });
    TensorRef output = output(model, trace, outputImpl[0]);
    timer.enter(Phase.GRAPH);
    DependencyGraph graph = DependencyGraph.build(model, trace, List.of(output), catalog);
    timer.pause();
    return new TracedModel(
        graph, output, timer.millis(Phase.TRACE), timer.millis(Phase.GRAPH), cuts);
  }

  /** The traced tensor the forward returned (the last one with its impl). */
  private static TensorRef output(Module model, Trace trace, long impl) {
    List<TensorRef> tensors = trace.tensors();
    for (int i = tensors.size() - 1; i >= 0; i--) {
      if (tensors.get(i).implAddress() == impl) {
        return tensors.get(i);
      }
    }
    throw new IllegalStateException(
        "the forward of "
            + model.getClass().getName()
            + " returned a tensor no traced op produced: is the model class instrumented?");
  }

  /** The MACs or params of the traced model after a removal, estimated from the trace. */
  double cost(PruningTarget.Kind kind, Removal removal, ModuleCatalog catalog) {
    ModelCost c =
        removal.isEmpty()
            ? ModelCost.of(graph.trace(), catalog)
            : ModelCost.afterRemoval(graph.trace(), removal.effectsIn(graph));
    return kind == PruningTarget.Kind.MACS ? c.macs() : c.params();
  }
}
