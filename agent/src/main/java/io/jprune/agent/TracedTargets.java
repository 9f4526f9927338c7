package io.jprune.agent;

import com.google.common.collect.ImmutableSet;
import com.google.common.collect.MapMaker;
import io.jprune.tracer.site.SiteKind;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentMap;
import net.bytebuddy.description.method.MethodDescription;
import net.bytebuddy.jar.asm.Opcodes;
import net.bytebuddy.pool.TypePool;

/**
 * Which invocations become traced call sites, as seen by one class loader: non-static methods
 * declared by {@code Tensor}/{@code TensorBase} (not JavaCPP's Pointer plumbing), static methods of
 * {@code torch}, and {@code forward} of any Module subtype.
 *
 * <p>One instance per class loader, shared by every class it defines: resolving Tensor's ~1300
 * methods per call site made instrumentation cost ~20 ms per site, so the method sets and the
 * Module-subtype answers are computed once. Only names are cached (no pool, no loader), so the
 * weakly keyed cache does not keep loaders alive.
 */
final class TracedTargets {
  static final String TENSOR = "org/bytedeco/pytorch/Tensor";
  static final String TENSOR_BASE = "org/bytedeco/pytorch/TensorBase";
  static final String TORCH = "org/bytedeco/pytorch/global/torch";

  /** Pointer/Object methods that JavaCPP re-declares on Tensor with covariant types. */
  private static final ImmutableSet<String> PLUMBING =
      ImmutableSet.of(
          "position",
          "getPointer",
          "put",
          "capacity",
          "limit",
          "address",
          "close",
          "deallocate",
          "deallocator",
          "releaseReference",
          "retainReference",
          "referenceCount",
          "isNull",
          "setNull",
          "zero",
          "fill",
          "sizeof",
          "offsetof",
          "offsetAddress",
          "asBuffer",
          "asByteBuffer",
          "getDirectBufferAddress",
          "withDeallocator",
          "toString",
          "equals",
          "hashCode",
          "getClass",
          "finalize",
          "wait",
          "notify",
          "notifyAll",
          "shape",
          "createBuffer",
          "createIndexer");

  private static final Object BOOTSTRAP_LOADER = new Object();
  private static final ConcurrentMap<Object, TracedTargets> BY_LOADER =
      new MapMaker().weakKeys().makeMap();

  private volatile ImmutableSet<String> tensorMethods;
  private volatile ImmutableSet<String> torchStatics;
  private final Map<String, Boolean> moduleTypes = new ConcurrentHashMap<>();

  private TracedTargets() {}

  /** The shared instance for classes defined by {@code loader} (null: bootstrap). */
  static TracedTargets of(ClassLoader loader) {
    return BY_LOADER.computeIfAbsent(
        loader == null ? BOOTSTRAP_LOADER : loader, l -> new TracedTargets());
  }

  /**
   * What an {@code invoke*} instruction (or a method handle with the matching reference kind)
   * calls, or null when it is not traced.
   *
   * @param opcode {@link Opcodes#INVOKEVIRTUAL} or {@link Opcodes#INVOKESTATIC}; others are not
   *     traced ({@code invokespecial} keeps {@code super.forward(x)} as written)
   * @param owner internal name of the owner as written at the call site
   * @param pool resolves types as the calling class sees them
   * @throws IllegalStateException when the owner of a {@code forward} call cannot be resolved
   */
  SiteKind classify(int opcode, String owner, String name, String descriptor, TypePool pool) {
    if (owner.startsWith("[")) {
      return null;
    }
    String signature = name + descriptor;
    if (opcode == Opcodes.INVOKESTATIC) {
      return owner.equals(TORCH) && torchStatics(pool).contains(signature)
          ? SiteKind.TORCH_STATIC
          : null;
    }
    if (opcode != Opcodes.INVOKEVIRTUAL) {
      return null;
    }
    if (owner.equals(TENSOR) || owner.equals(TENSOR_BASE)) {
      return tensorMethods(pool).contains(signature) ? SiteKind.TENSOR_METHOD : null;
    }
    if (name.equals("forward") && isModuleType(owner, pool)) {
      return SiteKind.MODULE_FORWARD;
    }
    return null;
  }

  private ImmutableSet<String> tensorMethods(TypePool pool) {
    ImmutableSet<String> methods = tensorMethods;
    if (methods == null) {
      ImmutableSet.Builder<String> b = ImmutableSet.builder();
      declared(pool, TENSOR, false, b);
      declared(pool, TENSOR_BASE, false, b);
      methods = b.build();
      tensorMethods = methods;
    }
    return methods;
  }

  private ImmutableSet<String> torchStatics(TypePool pool) {
    ImmutableSet<String> methods = torchStatics;
    if (methods == null) {
      ImmutableSet.Builder<String> b = ImmutableSet.builder();
      declared(pool, TORCH, true, b);
      methods = b.build();
      torchStatics = methods;
    }
    return methods;
  }

  /** Adds name+descriptor of the traceable methods {@code owner} itself declares. */
  private static void declared(
      TypePool pool, String owner, boolean statics, ImmutableSet.Builder<String> into) {
    TypePool.Resolution resolution = pool.describe(owner.replace('/', '.'));
    if (!resolution.isResolved()) {
      return; // this loader cannot see the bindings, so its classes cannot call them either
    }
    for (MethodDescription.InDefinedShape m : resolution.resolve().getDeclaredMethods()) {
      if (m.isStatic() == statics
          && m.isMethod()
          && !m.isBridge()
          && !m.isSynthetic()
          && !m.isPrivate()
          && !PLUMBING.contains(m.getInternalName())) {
        into.add(m.getInternalName() + m.getDescriptor());
      }
    }
  }

  /** Whether {@code owner} (an internal name) is a Module subtype; false when unresolvable. */
  boolean isModule(String owner, TypePool pool) {
    try {
      return isModuleType(owner, pool);
    } catch (IllegalStateException unresolvable) {
      return false;
    }
  }

  /**
   * Whether the class being instrumented, {@code internalName}, is a Java subclass of Module (its
   * {@code forward} methods get an entry hook); false when its hierarchy cannot be read.
   */
  boolean isModuleSubclass(String internalName, TypePool pool) {
    try {
      return !internalName.equals(ModelClassPolicy.MODULE.replace('.', '/'))
          && isModuleType(internalName, pool);
    } catch (RuntimeException unresolvable) {
      return false;
    }
  }

  private boolean isModuleType(String owner, TypePool pool) {
    if (owner.startsWith("java/")) {
      return false;
    }
    Boolean known = moduleTypes.get(owner);
    if (known == null) {
      TypePool.Resolution resolution = pool.describe(owner.replace('/', '.'));
      if (!resolution.isResolved()) {
        throw new IllegalStateException(
            "cannot resolve "
                + owner.replace('/', '.')
                + ", the owner of a forward call, to tell whether it is a Module");
      }
      known = ModelClassPolicy.extendsModule(resolution.resolve());
      moduleTypes.put(owner, known);
    }
    return known;
  }
}
