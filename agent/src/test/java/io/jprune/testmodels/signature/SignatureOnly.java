package io.jprune.testmodels.signature;

import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Names {@link FieldOnly} and {@link ParamOnly} only in a field type and a parameter type, which
 * the JVM needs neither to verify nor to run it: they are loaded only if something reflects on this
 * class (its declared fields or methods), as a transformer describing it from the loaded class
 * would. 1 site.
 */
public final class SignatureOnly extends Module {
  @SuppressWarnings("unused")
  private FieldOnly unused;

  public Tensor forward(Tensor x, ParamOnly ignored) {
    return x.relu();
  }
}
