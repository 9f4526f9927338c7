package io.jprune.tracer;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import io.jprune.tracer.site.CallSiteInfo;
import io.jprune.tracer.site.SiteKind;
import java.util.ArrayList;
import java.util.List;

/**
 * One recorded call: an op, its exact arguments and result, where it was called and inside which
 * module's forward.
 *
 * @param index position in the trace, in call order (a module forward comes before its children)
 * @param site the rewritten call site (for calls expanded from a native container, the container's
 *     site)
 * @param receiver the tensor or module called on; null for {@code torch.*} statics
 * @param args arguments in declaration order
 * @param result returned value ({@link Value.NullValue} for void)
 * @param parent index of the enclosing module forward call, or -1 at top level
 * @param expanded true for a child call that jprune replayed on behalf of a native container
 *     (SequentialImpl), whose own forward never calls back into Java
 * @param failure the exception text when the call threw, else null
 * @param argsBeforeRewrite the arguments the call site passed before a pruning rewrite replaced
 *     them (the model's own constants), or null when no rewrite changed them
 */
public record TracedCall(
    int index,
    CallSiteInfo site,
    Value receiver,
    ImmutableList<Value> args,
    Value result,
    int parent,
    boolean expanded,
    String failure,
    ImmutableList<Value> argsBeforeRewrite) {

  public TracedCall {
    checkNotNull(site, "site");
    checkNotNull(args, "args");
    checkNotNull(result, "result");
  }

  /** What was called. */
  public SiteKind kind() {
    return site.kind();
  }

  /** Method name: {@code reshape}, {@code pixel_shuffle}, {@code forward}. */
  public String op() {
    return site.targetName();
  }

  /** Whether this is a module forward. */
  public boolean isModuleCall() {
    return kind() == SiteKind.MODULE_FORWARD;
  }

  /** Registered path of the called module ("" for the root); only for module calls. */
  public String modulePath() {
    return module().path();
  }

  /** Class name of the called module; only for module calls. */
  public String moduleType() {
    return module().type();
  }

  private Value.ModuleValue module() {
    if (receiver instanceof Value.ModuleValue m) {
      return m;
    }
    throw new IllegalStateException("call #" + index + " (" + site + ") is not a module call");
  }

  /** Whether the called module is a libtorch built-in ({@code org.bytedeco.pytorch.*Impl}). */
  public boolean isBuiltinModuleCall() {
    return isModuleCall() && moduleType().startsWith("org.bytedeco.pytorch.");
  }

  /** Tensors read by the call: receiver first, then arguments (list elements in order). */
  public List<TensorRef> tensorInputs() {
    List<TensorRef> out = new ArrayList<>();
    collect(receiver, out);
    for (Value v : args) {
      collect(v, out);
    }
    return out;
  }

  /** Tensors produced by the call, in order. */
  public List<TensorRef> tensorOutputs() {
    List<TensorRef> out = new ArrayList<>();
    collect(result, out);
    return out;
  }

  /** The single tensor result. */
  public TensorRef outputTensor() {
    if (result instanceof Value.TensorValue t) {
      return t.tensor();
    }
    throw new IllegalStateException(
        "call #" + index + " (" + site + ") returned " + result + ", not a tensor");
  }

  private static void collect(Value v, List<TensorRef> out) {
    if (v instanceof Value.TensorValue t) {
      out.add(t.tensor());
    } else if (v instanceof Value.TensorListValue l) {
      out.addAll(l.tensors());
    }
  }

  /** {@code #12 Tensor.reshape(t11[1, 197, 1152], [1, 197, 3, 6, 64]) -> t12[...] at ...}. */
  @Override
  public String toString() {
    String on = receiver == null ? site.op() + "(" : site.op() + "[" + receiver + "](";
    return "#"
        + index
        + " "
        + on
        + args
        + ") -> "
        + result
        + " at "
        + site.location()
        + (failure != null ? " FAILED: " + failure : "");
  }
}
