package io.jprune.tracer.site;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import java.lang.invoke.CallSite;
import java.lang.invoke.ConstantCallSite;
import java.lang.invoke.LambdaMetafactory;
import java.lang.invoke.MethodHandle;
import java.lang.invoke.MethodHandleProxies;
import java.lang.invoke.MethodHandles;
import java.lang.invoke.MethodType;
import java.lang.invoke.MutableCallSite;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Predicate;

/**
 * Registry and bootstrap of every rewritten call site.
 *
 * <p>The agent replaces each traced invocation in a model class by an {@code invokedynamic} with
 * the same stack shape whose bootstrap is {@link #bootstrap}. The returned {@link MutableCallSite}
 * targets the original method handle while nothing is intercepted or rewritten (the JIT inlines it:
 * no idle cost), and a generic dispatcher otherwise. Switching is {@code setTarget} plus {@link
 * MutableCallSite#syncAll}, no retransformation.
 *
 * <p>Argument rewrites belong to model instances ({@link ModelRewrites}, see {@link #rewritesFor}):
 * a site that some pruned model rewrites goes through the dispatcher, which applies the rewrites of
 * the model running on the calling thread. While any model has rewrites, the forward-entry hooks
 * make the entered module's model current, and each call of a Java module's forward from
 * instrumented code puts the caller's model back when it returns or throws.
 *
 * <p>This class must not reference libtorch types: it is loaded by whatever loader sees the agent,
 * which may not see the model's bytedeco classes.
 */
public final class Sites {
  private static final MethodHandle DISPATCH;
  private static final MethodHandle PROXY;
  private static final MethodHandle ENTER;

  static {
    try {
      MethodHandles.Lookup lookup = MethodHandles.lookup();
      DISPATCH =
          lookup.findStatic(
              Sites.class,
              "dispatch",
              MethodType.methodType(Object.class, LinkedSite.class, Object[].class));
      PROXY =
          lookup.findStatic(
              Sites.class,
              "proxy",
              MethodType.methodType(Object.class, Class.class, MethodHandle.class, Object[].class));
      ENTER =
          lookup.findStatic(
              Sites.class, "enterForward", MethodType.methodType(void.class, Object[].class));
    } catch (ReflectiveOperationException e) {
      throw new ExceptionInInitializerError(e);
    }
  }

  private static final Object LOCK = new Object();
  private static final Map<SiteKey, CallSiteInfo> BY_KEY = new ConcurrentHashMap<>();
  private static volatile CallSiteInfo[] byId = new CallSiteInfo[256];
  private static int nextId;

  /** Every linked site; a site is linked again after its class is retransformed. */
  private static final List<LinkedSite> LINKED = new CopyOnWriteArrayList<>();

  /** Every linked forward-entry hook (one per forward method of a Java Module subclass). */
  private static final List<EntryHook> ENTRIES = new CopyOnWriteArrayList<>();

  private static volatile SiteInterceptor interceptor;
  private static final ThreadLocal<Object[]> BEFORE_REWRITE = new ThreadLocal<>();

  private Sites() {}

  /**
   * Registers a call site at instrumentation time and returns its id. Registering the same key
   * again (retransformation) returns the same id with refreshed line information.
   */
  public static int register(
      SiteKey key,
      String sourceFile,
      int line,
      SiteKind kind,
      String targetOwner,
      String targetName,
      String targetDescriptor) {
    checkNotNull(key, "key");
    synchronized (LOCK) {
      CallSiteInfo old = BY_KEY.get(key);
      int id = old != null ? old.id() : nextId++;
      CallSiteInfo info =
          new CallSiteInfo(
              id, key, sourceFile, line, kind, targetOwner, targetName, targetDescriptor);
      BY_KEY.put(key, info);
      CallSiteInfo[] table = byId;
      if (id >= table.length) {
        table = java.util.Arrays.copyOf(table, Math.max(id + 1, table.length * 2));
      }
      table[id] = info;
      byId = table;
      return id;
    }
  }

  /** The site with this id. */
  public static CallSiteInfo info(int id) {
    CallSiteInfo[] table = byId;
    checkArgument(id >= 0 && id < table.length && table[id] != null, "unknown call-site id %s", id);
    return table[id];
  }

  /** The site with this stable key, if its class was instrumented in this JVM. */
  public static Optional<CallSiteInfo> find(SiteKey key) {
    return Optional.ofNullable(BY_KEY.get(key));
  }

  /** Every registered site, in id order. */
  public static List<CallSiteInfo> all() {
    List<CallSiteInfo> out = new ArrayList<>();
    for (CallSiteInfo info : byId) {
      if (info != null) {
        out.add(info);
      }
    }
    return out;
  }

  /** Number of linked invokedynamic instructions (a site counts again after retransformation). */
  public static int linkedCount() {
    return LINKED.size();
  }

  /** Bootstrap of every rewritten invocation: {@code original} is the replaced call. */
  public static CallSite bootstrap(
      MethodHandles.Lookup caller, String name, MethodType type, MethodHandle original, int id) {
    return link(info(id), original.asFixedArity().asType(type)).callSite;
  }

  /**
   * Bootstrap replacing {@link LambdaMetafactory#metafactory} where the lambda's implementation is
   * a traced method (a method reference such as {@code Tensor::relu}): the functional object calls
   * through a traced site instead of the method directly.
   */
  public static CallSite metafactory(
      MethodHandles.Lookup caller,
      String name,
      MethodType factoryType,
      MethodType samType,
      MethodHandle implementation,
      MethodType instantiatedType,
      int id)
      throws Exception {
    Class<?> iface = factoryType.returnType();
    if (!Modifier.isPublic(iface.getModifiers())) {
      // MethodHandleProxies needs a public interface; keep the lambda, untraced, rather than fail.
      return LambdaMetafactory.metafactory(
          caller, name, factoryType, samType, implementation, instantiatedType);
    }
    MethodHandle target = link(info(id), implementation.asFixedArity()).callSite.dynamicInvoker();
    MethodHandle factory =
        MethodHandles.insertArguments(PROXY, 0, iface, target)
            .asCollector(Object[].class, factoryType.parameterCount())
            .asType(factoryType);
    return new ConstantCallSite(factory);
  }

  /**
   * Bootstrap of the hook the agent puts at the start of every {@code forward} method of a Java
   * Module subclass: {@code type} is {@code (ThisClass, parameters...)void}. While nothing is
   * intercepted the hook is an empty method handle (no cost once compiled); while an interceptor is
   * installed it calls {@link SiteInterceptor#enterForward}. It lets a trace see the root's forward
   * and its inputs however the forward was called (reflection, uninstrumented callers).
   */
  public static CallSite forwardEntry(MethodHandles.Lookup caller, String name, MethodType type) {
    EntryHook hook = new EntryHook(type);
    ENTRIES.add(hook);
    synchronized (LOCK) {
      hook.retarget(interceptor, RunningModels.any());
    }
    return hook.callSite;
  }

  private static void enterForward(Object[] receiverAndArgs) {
    if (RunningModels.any()) {
      RunningModels.enter(receiverAndArgs[0]);
    }
    SiteInterceptor current = interceptor;
    if (current != null) {
      current.enterForward(receiverAndArgs);
    }
  }

  private static Object proxy(Class<?> iface, MethodHandle target, Object[] captured) {
    MethodHandle bound =
        captured.length == 0 ? target : MethodHandles.insertArguments(target, 0, captured);
    return MethodHandleProxies.asInterfaceInstance(iface, bound);
  }

  private static LinkedSite link(CallSiteInfo info, MethodHandle original) {
    LinkedSite site = new LinkedSite(info, original);
    LINKED.add(site);
    synchronized (LOCK) {
      site.retarget(interceptor, RunningModels.any());
    }
    return site;
  }

  /**
   * Sends every call through {@code newInterceptor} until {@link #stopIntercepting}. Only one
   * interceptor at a time: a trace session owns the sites while it records.
   *
   * @throws IllegalStateException when another interceptor is installed
   */
  public static void intercept(SiteInterceptor newInterceptor) {
    checkNotNull(newInterceptor, "interceptor");
    synchronized (LOCK) {
      checkState(
          interceptor == null,
          "another trace session is recording (%s); close it first",
          interceptor);
      interceptor = newInterceptor;
      retargetAll();
    }
  }

  /** Restores the idle targets (original handles, or rewrites where installed). */
  public static void stopIntercepting() {
    synchronized (LOCK) {
      interceptor = null;
      retargetAll();
    }
  }

  /** Whether an interceptor is installed. */
  public static boolean intercepting() {
    return interceptor != null;
  }

  /**
   * The rewrites of the model whose root is {@code root}, created (empty) on the first call and
   * released when {@code root} is collected.
   *
   * @param members whether a module (the receiver of a forward) belongs to this model; used only
   *     when the table is created, and must not hold {@code root} strongly
   */
  public static ModelRewrites rewritesFor(Object root, Predicate<Object> members) {
    checkNotNull(root, "root");
    checkNotNull(members, "members");
    synchronized (LOCK) {
      return RunningModels.bind(root, members);
    }
  }

  /** The rewrites bound to {@code root} by {@link #rewritesFor}, if any. */
  public static Optional<ModelRewrites> rewritesOf(Object root) {
    synchronized (LOCK) {
      return RunningModels.boundTo(root);
    }
  }

  /** How many live models rewrite at least one call site. */
  public static int modelsWithRewrites() {
    return RunningModels.count();
  }

  /** Whether some live model rewrites the site {@code key}. */
  public static boolean rewritten(SiteKey key) {
    return RunningModels.rewrites(key);
  }

  /** Runs a change of a {@link ModelRewrites}, then points every site at its new target. */
  static void update(Runnable change) {
    synchronized (LOCK) {
      change.run();
      RunningModels.refresh();
      retargetAll();
    }
  }

  private static void retargetAll() {
    SiteInterceptor current = interceptor;
    boolean scoping = RunningModels.any();
    List<MutableCallSite> changed = new ArrayList<>();
    for (LinkedSite site : LINKED) {
      if (site.retarget(current, scoping)) {
        changed.add(site.callSite);
      }
    }
    for (EntryHook hook : ENTRIES) {
      if (hook.retarget(current, scoping)) {
        changed.add(hook.callSite);
      }
    }
    if (!changed.isEmpty()) {
      MutableCallSite.syncAll(changed.toArray(new MutableCallSite[0]));
    }
  }

  private static Object dispatch(LinkedSite site, Object[] args) throws Throwable {
    if (!site.scoped) {
      return rewriteAndCall(site, args);
    }
    ModelRewrites saved = RunningModels.current();
    try {
      return rewriteAndCall(site, args);
    } finally {
      RunningModels.restore(saved);
    }
  }

  private static Object rewriteAndCall(LinkedSite site, Object[] args) throws Throwable {
    ModelRewrites table = RunningModels.current();
    ArgumentRewrite rewrite = table == null ? null : table.rewriteAt(site.info.key());
    Object[] actual = rewrite == null ? args : rewrite.apply(args);
    SiteInterceptor current = interceptor;
    if (current == null) {
      return site.invoke(actual);
    }
    BEFORE_REWRITE.set(actual == args ? null : args);
    return current.intercept(site.info, actual, site);
  }

  /**
   * For an interceptor, at the start of {@link SiteInterceptor#intercept}: the arguments the call
   * site passed before its rewrite replaced them, or null when no rewrite changed them. A tracer
   * records them so that a later pruning step maps the model's own constants, not the rewritten
   * ones, to its new values.
   */
  public static Object[] argumentsBeforeRewrite() {
    return BEFORE_REWRITE.get();
  }

  /** One linked invokedynamic instruction. */
  private static final class LinkedSite implements SiteInvoker {
    final CallSiteInfo info;
    final MutableCallSite callSite;
    final MethodHandle original;
    final MethodHandle spread;
    final MethodHandle dispatcher;

    /** Whether the site calls the forward of a Java module, whose entry hook changes the model. */
    final boolean scoped;

    /** {@code original} restoring the caller's model after it; null unless {@link #scoped}. */
    final MethodHandle restoring;

    MethodHandle current;

    LinkedSite(CallSiteInfo info, MethodHandle original) {
      MethodType type = original.type();
      this.info = info;
      this.original = original.asFixedArity();
      this.callSite = new MutableCallSite(type);
      // invokeWithArguments is not used: it would collect varargs (long...) handles again.
      this.spread =
          this.original
              .asSpreader(Object[].class, type.parameterCount())
              .asType(MethodType.methodType(Object.class, Object[].class));
      this.dispatcher =
          DISPATCH.bindTo(this).asCollector(Object[].class, type.parameterCount()).asType(type);
      this.scoped =
          info.kind() == SiteKind.MODULE_FORWARD && !info.targetOwner().startsWith("org.bytedeco.");
      this.restoring = scoped ? RunningModels.restoring(this.original) : null;
    }

    /**
     * Points the call site at the original, the original restoring the caller's model (while some
     * model has rewrites) or the dispatcher (intercepting, or a model rewrites this site); true
     * when it changed.
     */
    boolean retarget(SiteInterceptor interceptor, boolean scoping) {
      MethodHandle next;
      if (interceptor != null || RunningModels.rewrites(info.key())) {
        next = dispatcher;
      } else {
        next = scoping && scoped ? restoring : original;
      }
      if (next == current) {
        return false;
      }
      current = next;
      callSite.setTarget(next);
      return true;
    }

    @Override
    public Object invoke(Object[] args) throws Throwable {
      return spread.invokeExact(args);
    }
  }

  /**
   * One linked forward-entry hook: empty while idle, {@link RunningModels#enter} while some model
   * has rewrites, {@link #enterForward} while intercepting.
   */
  private static final class EntryHook {
    final MutableCallSite callSite;
    final MethodHandle idle;
    final MethodHandle scoping;
    final MethodHandle intercepting;
    MethodHandle current;

    EntryHook(MethodType type) {
      this.callSite = new MutableCallSite(type);
      this.idle = MethodHandles.empty(type);
      this.scoping =
          MethodHandles.dropArguments(
                  RunningModels.ENTER, 1, type.parameterList().subList(1, type.parameterCount()))
              .asType(type);
      this.intercepting = ENTER.asCollector(Object[].class, type.parameterCount()).asType(type);
    }

    boolean retarget(SiteInterceptor interceptor, boolean scopes) {
      MethodHandle next = interceptor != null ? intercepting : scopes ? scoping : idle;
      if (next == current) {
        return false;
      }
      current = next;
      callSite.setTarget(next);
      return true;
    }
  }
}
