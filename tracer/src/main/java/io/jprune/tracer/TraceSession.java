package io.jprune.tracer;

import static com.google.common.base.Preconditions.checkNotNull;
import static com.google.common.base.Preconditions.checkState;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.tracer.site.CallSiteInfo;
import io.jprune.tracer.site.SiteInterceptor;
import io.jprune.tracer.site.SiteInvoker;
import io.jprune.tracer.site.SiteKind;
import io.jprune.tracer.site.Sites;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import org.bytedeco.javacpp.BytePointer;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.SequentialImpl;
import org.bytedeco.pytorch.StringSharedModuleDict;
import org.bytedeco.pytorch.StringSharedModuleDictItem;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.StringTensorDictItem;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorBase;

/**
 * Records every call through the rewritten call sites while open.
 *
 * <pre>{@code
 * try (TraceSession session = TraceSession.start(model)) {
 *   model.forward(input);
 *   Trace trace = session.finish();
 * }
 * }</pre>
 *
 * <p>Only calls made on the thread that started the session are recorded (a serving thread that
 * runs the same model meanwhile is not). By default the session runs under a {@link NoGradGuard} so
 * no autograd graph keeps parameters alive across later surgery.
 */
public final class TraceSession implements SiteInterceptor, AutoCloseable {
  private enum State {
    RECORDING,
    FINISHED,
    CLOSED
  }

  private final Thread owner;
  private final String rootType;
  private final long rootAddress;
  private final NoGradGuard noGrad;
  private final Map<Long, String> modulePaths = new HashMap<>();
  private final Map<String, String> moduleTypes = new LinkedHashMap<>();
  private final Map<Long, String> parameterNames = new HashMap<>();
  private final Map<Long, String> bufferNames = new HashMap<>();
  private final Map<String, ImmutableLongArray> parameterShapes = new LinkedHashMap<>();
  private final Map<String, ImmutableLongArray> bufferShapes = new LinkedHashMap<>();
  private final TensorTable tensors = new TensorTable(parameterNames, bufferNames);
  private final ValueCapture values = new ValueCapture(this::moduleValue);
  private final List<PendingCall> calls = new ArrayList<>();
  private final ArrayDeque<Integer> stack = new ArrayDeque<>();
  private State state = State.RECORDING;
  private PendingCall firstFailure;

  private TraceSession(
      Module root, boolean gradEnabled, Function<TraceSession, SiteInterceptor> front) {
    this.owner = Thread.currentThread();
    this.rootType = root.getClass().getName();
    this.rootAddress = root.address();
    addRoot(root);
    this.noGrad = gradEnabled ? null : new NoGradGuard();
    try {
      Sites.intercept(front.apply(this));
    } catch (RuntimeException e) {
      if (noGrad != null) {
        noGrad.close();
      }
      tensors.release();
      throw e;
    }
  }

  /** Starts recording calls of {@code root} (and anything else instrumented) on this thread. */
  public static TraceSession start(Module root) {
    return new TraceSession(checkNotNull(root, "root"), false, session -> session);
  }

  /**
   * Like {@link #start(Module)} but leaves autograd on, for criteria that need the traced graph's
   * gradients. Release the outputs before surgery (see the design notes on stale accumulators).
   */
  public static TraceSession startWithGrad(Module root) {
    return new TraceSession(checkNotNull(root, "root"), true, session -> session);
  }

  /**
   * With autograd on, like {@link #startWithGrad}, but the call sites go to {@code front}, made
   * from the session, which decides per call whether the session records it (it must forward what
   * it keeps to {@link #intercept} and {@link #enterForward}).
   */
  static TraceSession startBehind(Module root, Function<TraceSession, SiteInterceptor> front) {
    return new TraceSession(checkNotNull(root, "root"), true, checkNotNull(front, "front"));
  }

  /**
   * Reads the root's modules, parameters and buffers. Each native string, item and tensor is read
   * once: every one is a JavaCPP peer whose deallocator registration (a lock and a read of the
   * process size) costs about as much as the JNI call, and this runs once per trace.
   */
  private void addRoot(Module root) {
    StringSharedModuleDict named = root.named_modules();
    for (long i = 0, n = named.size(); i < n; i++) {
      StringSharedModuleDictItem item = named.get(i);
      String path = text(item.key());
      Module m = item.value();
      modulePaths.put(m.address(), path);
      moduleTypes.put(path, path.isEmpty() ? rootType : BuiltinForwards.libtorchName(m));
    }
    collect(root.named_parameters(), parameterNames, parameterShapes);
    collect(root.named_buffers(), bufferNames, bufferShapes);
  }

  /** A native string, "" for a null one (the root's empty name). */
  private static String text(BytePointer p) {
    return p == null || p.isNull() ? "" : p.getString();
  }

  private static void collect(
      StringTensorDict dict, Map<Long, String> byAddress, Map<String, ImmutableLongArray> shapes) {
    for (long i = 0, n = dict.size(); i < n; i++) {
      StringTensorDictItem item = dict.get(i);
      String name = item.key().getString();
      Tensor t = item.value();
      byAddress.put(t.unsafeGetTensorImpl().address(), name);
      long[] shape = new long[(int) t.dim()];
      for (int d = 0; d < shape.length; d++) {
        shape[d] = t.size(d);
      }
      shapes.put(name, ImmutableLongArray.copyOf(shape));
    }
  }

  private Value.ModuleValue moduleValue(Module m) {
    String path = modulePaths.get(m.address());
    if (path == null) {
      path = "?" + m.getClass().getSimpleName() + "@" + Long.toHexString(m.address());
    }
    return new Value.ModuleValue(path, m.getClass().getName());
  }

  /**
   * Records one call through a site on the recording thread: its receiver and arguments, then runs
   * it and records its result (a {@code SequentialImpl}'s forward as its children's calls).
   */
  @Override
  public Object intercept(CallSiteInfo site, Object[] args, SiteInvoker proceed) throws Throwable {
    if (state != State.RECORDING || Thread.currentThread() != owner) {
      return proceed.invoke(args);
    }
    PendingCall call = record(site, args, Sites.argumentsBeforeRewrite());
    boolean container = isContainer(site, args);
    Object result = run(call, args, proceed, container);
    // A container computes nothing itself: its result is its last child's output, same ref.
    call.result =
        container
            ? values.capture(result, tensors::input)
            : values.capture(result, t -> tensors.output(t, call.index));
    if (site.kind() != SiteKind.MODULE_FORWARD || BuiltinForwards.isBuiltin(args[0])) {
      settle(call, args);
    }
    return result;
  }

  /**
   * Starts the record of a call: its receiver and arguments (the root's tensor arguments are model
   * inputs) and, when a rewrite replaced them, the arguments the site passed.
   */
  private PendingCall record(CallSiteInfo site, Object[] args, Object[] beforeRewrite) {
    boolean instance = site.kind() != SiteKind.TORCH_STATIC;
    int first = instance ? 1 : 0;
    Value receiver = instance ? values.capture(args[0], tensors::input) : null;
    Function<TensorBase, TensorRef> reads =
        isRoot(site.kind(), args[0]) ? tensors::modelInput : tensors::input;
    PendingCall call = begin(site, receiver, captureAll(args, first, reads), false);
    if (beforeRewrite != null) {
      call.argsBeforeRewrite = captureAll(beforeRewrite, first, tensors::input);
    }
    return call;
  }

  private ImmutableList<Value> captureAll(
      Object[] args, int first, Function<TensorBase, TensorRef> reads) {
    ImmutableList.Builder<Value> b = ImmutableList.builder();
    for (int i = first; i < args.length; i++) {
      b.add(values.capture(args[i], reads));
    }
    return b.build();
  }

  /** A {@code SequentialImpl.forward(Tensor)}, whose children run in native code. */
  private static boolean isContainer(CallSiteInfo site, Object[] args) {
    return site.kind() == SiteKind.MODULE_FORWARD
        && args.length == 2
        && args[0] instanceof SequentialImpl
        && args[1] instanceof Tensor;
  }

  /** Runs the call, as the innermost module while it is a forward; a throw marks it failed. */
  private Object run(PendingCall call, Object[] args, SiteInvoker proceed, boolean container)
      throws Throwable {
    boolean module = call.site.kind() == SiteKind.MODULE_FORWARD;
    if (module) {
      stack.push(call.index);
    }
    try {
      return container
          ? expand(call.site, (SequentialImpl) args[0], (Tensor) args[1])
          : proceed.invoke(args);
    } catch (Throwable t) {
      fail(call, t);
      throw t;
    } finally {
      if (module) {
        stack.pop();
      }
    }
  }

  /**
   * After an op (not a Java forward, whose writes are its own traced calls): what it wrote in place
   * is no unseen change. An in-place op ({@code relu_}, {@code copy_}, a result that is an input)
   * may have written through a view into other tensors, so every count is taken again; any other op
   * only its own inputs' (an {@code out=} argument, a norm's running statistics).
   */
  private void settle(PendingCall call, Object[] args) {
    boolean inPlace = call.site.targetName().endsWith("_");
    List<TensorRef> outputs =
        call.result instanceof Value.TensorValue v
            ? List.of(v.tensor())
            : call.result instanceof Value.TensorListValue l ? l.tensors() : List.of();
    for (TensorRef out : outputs) {
      inPlace |= out.version() > 0;
    }
    if (inPlace) {
      tensors.settleAll();
      return;
    }
    for (Object arg : args) {
      if (arg instanceof TensorBase t && t.defined()) {
        tensors.settle(t);
      }
    }
  }

  /** Whether a call of this kind on this receiver is the root's outermost forward. */
  private boolean isRoot(SiteKind kind, Object receiver) {
    return kind == SiteKind.MODULE_FORWARD
        && stack.isEmpty()
        && receiver instanceof Module m
        && m.address() == rootAddress;
  }

  /**
   * The root's forward started without a traced call of it (called by reflection or from code the
   * agent does not instrument): its tensor arguments are the model inputs. Only before any call was
   * recorded, so that {@code super.forward(y)} inside it does not make {@code y} one.
   */
  @Override
  public void enterForward(Object[] receiverAndArgs) {
    if (state != State.RECORDING
        || Thread.currentThread() != owner
        || !calls.isEmpty()
        || !isRoot(SiteKind.MODULE_FORWARD, receiverAndArgs[0])) {
      return;
    }
    for (int i = 1; i < receiverAndArgs.length; i++) {
      values.capture(receiverAndArgs[i], tensors::modelInput);
    }
  }

  /**
   * A SequentialImpl runs its children inside native code, where no call site can see them; so
   * while recording, jprune runs the same children itself, in order, and records each one.
   */
  private Tensor expand(CallSiteInfo site, SequentialImpl seq, Tensor x) throws Throwable {
    StringSharedModuleDict children = seq.named_children();
    Tensor current = x;
    for (long i = 0; i < children.size(); i++) {
      Module child = BuiltinForwards.typed(children.get(i).value());
      Tensor input = current;
      PendingCall call =
          begin(
              site,
              moduleValue(child),
              ImmutableList.of(new Value.TensorValue(tensors.input(input))),
              true);
      stack.push(call.index);
      try {
        current =
            child instanceof SequentialImpl inner
                ? expand(site, inner, input)
                : BuiltinForwards.forward(child, input);
      } catch (Throwable t) {
        fail(call, t);
        throw t;
      } finally {
        stack.pop();
      }
      Tensor out = current;
      TensorRef written = tensors.output(out, call.index);
      call.result = new Value.TensorValue(written);
      if (written.version() > 0) {
        tensors.settleAll(); // an in-place child (ReLU(inplace)) may write through a view
      } else {
        tensors.settle(input);
      }
    }
    return current;
  }

  private PendingCall begin(
      CallSiteInfo site, Value receiver, ImmutableList<Value> args, boolean expanded) {
    int parent = stack.isEmpty() ? -1 : stack.peek();
    PendingCall call = new PendingCall(calls.size(), site, receiver, args, parent, expanded);
    calls.add(call);
    return call;
  }

  private void fail(PendingCall call, Throwable t) {
    call.failure = t.getClass().getSimpleName() + ": " + t.getMessage();
    if (firstFailure == null) {
      firstFailure = call;
    }
  }

  /** The innermost call that threw first, if any call threw while recording. */
  public java.util.Optional<TracedCall> failure() {
    return java.util.Optional.ofNullable(firstFailure).map(PendingCall::freeze);
  }

  /** Number of calls recorded so far. */
  public int callCount() {
    return calls.size();
  }

  /**
   * Stops recording and returns the trace. The session's extra tensor references are released; the
   * trace is plain metadata.
   */
  public Trace finish() {
    checkState(
        state == State.RECORDING,
        "trace session already %s",
        state.name().toLowerCase(java.util.Locale.ROOT));
    stop();
    List<TracedCall> frozen = new ArrayList<>(calls.size());
    for (PendingCall c : calls) {
      frozen.add(c.freeze());
    }
    Trace trace =
        new Trace(
            rootType,
            frozen,
            tensors.all(),
            ImmutableMap.copyOf(moduleTypes),
            ImmutableMap.copyOf(parameterShapes),
            ImmutableMap.copyOf(bufferShapes));
    tensors.release();
    state = State.FINISHED;
    return trace;
  }

  /** Stops recording (if still recording) and releases everything; idempotent. */
  @Override
  public void close() {
    if (state == State.RECORDING) {
      stop();
    }
    tensors.release();
    state = State.CLOSED;
  }

  private void stop() {
    Sites.stopIntercepting();
    if (noGrad != null) {
      noGrad.close();
    }
  }

  @Override
  public String toString() {
    return "TraceSession["
        + rootType
        + ", "
        + state
        + ", "
        + calls.size()
        + " calls, thread "
        + owner.getName()
        + "]";
  }

  /** A call whose result is filled in when it returns. */
  private static final class PendingCall {
    final int index;
    final CallSiteInfo site;
    final Value receiver;
    final ImmutableList<Value> args;
    final int parent;
    final boolean expanded;
    Value result = new Value.NullValue();
    String failure;
    ImmutableList<Value> argsBeforeRewrite;

    PendingCall(
        int index,
        CallSiteInfo site,
        Value receiver,
        ImmutableList<Value> args,
        int parent,
        boolean expanded) {
      this.index = index;
      this.site = site;
      this.receiver = receiver;
      this.args = args;
      this.parent = parent;
      this.expanded = expanded;
    }

    TracedCall freeze() {
      return new TracedCall(
          index, site, receiver, args, result, parent, expanded, failure, argsBeforeRewrite);
    }
  }
}
