package io.jprune.pruner;

import io.jprune.tracer.TensorRef;
import io.jprune.tracer.Trace;
import io.jprune.tracer.Tracer;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** Self-attaches the agent for the model's packages and traces one forward. */
final class ModelTracing {
  /** A trace and the traced tensor the forward returned. */
  record Traced(Trace trace, TensorRef output) {}

  private ModelTracing() {}

  static Traced trace(Module model, Supplier<Tensor> forward) {
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
    List<TensorRef> tensors = trace.tensors();
    for (int i = tensors.size() - 1; i >= 0; i--) {
      if (tensors.get(i).implAddress() == outputImpl[0]) {
        return new Traced(trace, tensors.get(i));
      }
    }
    throw new IllegalStateException(
        "the forward of "
            + model.getClass().getName()
            + " returned a tensor no traced op produced: is the model class instrumented?");
  }
}
