package io.jprune.handmade;

import io.jprune.nativeconfig.Libtorch;
import io.jprune.tracer.site.SiteKey;
import io.jprune.tracer.site.SiteKind;
import io.jprune.tracer.site.Sites;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import org.bytedeco.pytorch.BatchNorm2dImpl;
import org.bytedeco.pytorch.Conv2dImpl;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.ReLUImpl;
import org.bytedeco.pytorch.Tensor;

/**
 * Call sites linked by hand exactly as the agent's invokedynamic would be (like the tracer's
 * ManualSites), so models whose forward calls through these handles can be traced, pruned, saved
 * and reloaded without the agent. Each handle is one call site of a fake {@code HandModel}.
 */
public final class HandSites {
  public static final MethodHandle LINEAR;
  public static final MethodHandle CONV2D;
  public static final MethodHandle BN2D;
  public static final MethodHandle RELU;
  public static final MethodHandle FLATTEN;
  public static final MethodHandle TRANSPOSE;
  public static final MethodHandle MATMUL;
  public static final MethodHandle MATMUL_2;
  public static final MethodHandle RESHAPE_HEADS;
  public static final MethodHandle RESHAPE_BACK;
  public static final MethodHandle TENSOR_RELU;
  private static int ordinal;

  static {
    Libtorch.load();
    try {
      LINEAR = module(LinearImpl.class, 10);
      CONV2D = module(Conv2dImpl.class, 11);
      BN2D = module(BatchNorm2dImpl.class, 12);
      RELU = module(ReLUImpl.class, 13);
      FLATTEN = tensor("flatten", MethodType.methodType(Tensor.class, long.class, long.class), 14);
      TRANSPOSE =
          tensor("transpose", MethodType.methodType(Tensor.class, long.class, long.class), 15);
      MATMUL = tensor("matmul", MethodType.methodType(Tensor.class, Tensor.class), 16);
      MATMUL_2 = tensor("matmul", MethodType.methodType(Tensor.class, Tensor.class), 17);
      RESHAPE_HEADS = tensor("reshape", MethodType.methodType(Tensor.class, long[].class), 18);
      RESHAPE_BACK = tensor("reshape", MethodType.methodType(Tensor.class, long[].class), 19);
      TENSOR_RELU = tensor("relu", MethodType.methodType(Tensor.class), 20);
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private HandSites() {}

  private static MethodHandle module(Class<?> type, int line) throws ReflectiveOperationException {
    MethodType t = MethodType.methodType(Tensor.class, Tensor.class);
    return link(
        MethodHandles.publicLookup().findVirtual(type, "forward", t),
        type,
        "forward",
        t,
        SiteKind.MODULE_FORWARD,
        line);
  }

  private static MethodHandle tensor(String name, MethodType type, int line)
      throws ReflectiveOperationException {
    return link(
        MethodHandles.publicLookup().findVirtual(Tensor.class, name, type),
        Tensor.class,
        name,
        type,
        SiteKind.TENSOR_METHOD,
        line);
  }

  private static synchronized MethodHandle link(
      MethodHandle original,
      Class<?> owner,
      String name,
      MethodType type,
      SiteKind kind,
      int line) {
    int id =
        Sites.register(
            new SiteKey("test.HandModel", "forward", "()V", ordinal++),
            "HandModel.java",
            line,
            kind,
            owner.getName(),
            name,
            type.toMethodDescriptorString());
    MethodHandle fixed = original.asFixedArity();
    return Sites.bootstrap(MethodHandles.lookup(), name, fixed.type(), fixed, id).dynamicInvoker();
  }

  /** Invokes a handle, rethrowing what the op throws unchecked. */
  public static Tensor call(MethodHandle h, Object... args) {
    try {
      return (Tensor) h.invokeWithArguments(args);
    } catch (RuntimeException | Error e) {
      throw e;
    } catch (Throwable e) {
      throw new IllegalStateException(e);
    }
  }
}
