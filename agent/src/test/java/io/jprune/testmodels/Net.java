package io.jprune.testmodels;

import java.util.function.Function;
import java.util.function.UnaryOperator;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * Every kind of call site the agent rewrites, written the way users write models. Comments {@code
 * // @name} mark the lines the tests expect in the trace (looked up in this file).
 */
public class Net extends Module {
  public final LinearImpl fc;
  public final Block block;
  public final DerivedBlock derived;
  public final ScaledLinear scaled;
  public final TypedBlock<Tensor> typed;
  private final Function<Tensor, Tensor> relu = Tensor::relu; // @methodref
  private final UnaryOperator<Tensor> gate =
      new UnaryOperator<>() {
        @Override
        public Tensor apply(Tensor t) {
          return torch.sigmoid(t); // @anonymous
        }
      };

  public Net() {
    fc = register_module("fc", new LinearImpl(8, 8));
    block = register_module("block", new Block());
    derived = register_module("derived", new DerivedBlock());
    scaled = register_module("scaled", new ScaledLinear(8, 8));
    typed = register_module("typed", new EchoBlock());
  }

  public Tensor forward(Tensor x) {
    Tensor h = fc.forward(x); // @fc
    h = block.forward(h); // @block
    h = relu.apply(h);
    UnaryOperator<Tensor> doubled = t -> t.add(t); // @lambda
    h = doubled.apply(h);
    h = gate.apply(h);
    h = derived.forward(h); // @derived
    h = scaled.forward(h); // @scaled
    h = typed.forward(h); // @typed
    long batch = h.size(0); // @size
    Tensor split = h.reshape(batch, 2, -1); // @reshape1
    return split.reshape(batch, -1).mul(torch.tanh(h)); // @reshape2
  }
}
