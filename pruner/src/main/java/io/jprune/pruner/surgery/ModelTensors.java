package io.jprune.pruner.surgery;

import java.util.LinkedHashMap;
import java.util.Map;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.StringTensorDictItem;
import org.bytedeco.pytorch.Tensor;

/** The registered parameters and buffers of a root module, by full name. */
public final class ModelTensors {
  private ModelTensors() {}

  /** Parameters then buffers, in registration order. */
  public static Map<String, Tensor> of(Module root) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    add(root.named_parameters(), out);
    add(root.named_buffers(), out);
    return out;
  }

  /** Parameters only. */
  public static Map<String, Tensor> parameters(Module root) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    add(root.named_parameters(), out);
    return out;
  }

  /** Buffers only. */
  public static Map<String, Tensor> buffers(Module root) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    add(root.named_buffers(), out);
    return out;
  }

  private static void add(StringTensorDict dict, Map<String, Tensor> out) {
    for (long i = 0; i < dict.size(); i++) {
      StringTensorDictItem item = dict.get(i);
      // An owned handle: item.value() points into the dict, which the GC may free.
      out.put(item.key().getString(), new Tensor(item.value()));
    }
  }

  /** The tensor of a name, or an error naming it. */
  static Tensor require(Map<String, Tensor> tensors, String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalStateException(
          "the model has no parameter or buffer '"
              + name
              + "' any more (was it replaced after tracing?)");
    }
    return t;
  }
}
