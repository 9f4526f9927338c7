package io.jprune.pruner.save;

import java.lang.ref.Reference;
import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;

/**
 * A module's parameters or buffers by registered name, as owned tensor handles. A {@code
 * StringTensorDict} item's {@code value()} points into the dict's native storage, which is freed
 * when the dict object is collected; copying the handle ({@code new Tensor(t)}, the same TensorImpl
 * with its own reference count) keeps it valid, and {@code set_data} on it still changes the
 * model's parameter.
 */
final class NamedTensors {
  private NamedTensors() {}

  static Map<String, Tensor> parameters(Module m) {
    return owned(m.named_parameters());
  }

  static Map<String, Tensor> buffers(Module m) {
    return owned(m.named_buffers());
  }

  /** Parameters then buffers, in registration order. */
  static Map<String, Tensor> all(Module m) {
    Map<String, Tensor> out = parameters(m);
    out.putAll(buffers(m));
    return out;
  }

  private static Map<String, Tensor> owned(StringTensorDict dict) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (long i = 0; i < dict.size(); i++) {
      out.put(dict.get(i).key().getString(), new Tensor(dict.get(i).value()));
    }
    Reference.reachabilityFence(dict);
    return out;
  }
}
