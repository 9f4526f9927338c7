package io.jprune.tracer;

import static com.google.common.base.Preconditions.checkArgument;
import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableListMultimap;
import com.google.common.collect.ImmutableMap;
import com.google.common.primitives.ImmutableLongArray;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * An immutable record of what a model did during one traced run. Tensors are referenced by {@link
 * TensorRef}, modules by their registered path in the root.
 */
public final class Trace {
  private final String rootType;
  private final ImmutableList<TracedCall> calls;
  private final ImmutableList<TensorRef> tensors;
  private final ImmutableMap<String, String> modules;
  private final ImmutableMap<String, ImmutableLongArray> parameters;
  private final ImmutableMap<String, ImmutableLongArray> buffers;
  private final ImmutableListMultimap<Integer, TracedCall> consumers;
  private final ImmutableListMultimap<Integer, TracedCall> children;

  Trace(
      String rootType,
      List<TracedCall> calls,
      List<TensorRef> tensors,
      ImmutableMap<String, String> modules,
      ImmutableMap<String, ImmutableLongArray> parameters,
      ImmutableMap<String, ImmutableLongArray> buffers) {
    this.rootType = checkNotNull(rootType, "rootType");
    this.calls = ImmutableList.copyOf(calls);
    this.tensors = ImmutableList.copyOf(tensors);
    this.modules = modules;
    this.parameters = parameters;
    this.buffers = buffers;
    ImmutableListMultimap.Builder<Integer, TracedCall> byInput = ImmutableListMultimap.builder();
    ImmutableListMultimap.Builder<Integer, TracedCall> byParent = ImmutableListMultimap.builder();
    for (TracedCall call : this.calls) {
      List<TensorRef> inputs = call.tensorInputs();
      for (int i = 0; i < inputs.size(); i++) {
        if (firstOf(inputs, i)) {
          byInput.put(inputs.get(i).id(), call);
        }
      }
      byParent.put(call.parent(), call);
    }
    this.consumers = byInput.build();
    this.children = byParent.build();
  }

  /** Whether input {@code i} is the first read of its tensor by the call (a call reads few). */
  private static boolean firstOf(List<TensorRef> inputs, int i) {
    int id = inputs.get(i).id();
    for (int j = 0; j < i; j++) {
      if (inputs.get(j).id() == id) {
        return false;
      }
    }
    return true;
  }

  /** Class name of the traced root module. */
  public String rootType() {
    return rootType;
  }

  /** Every call, in call order. */
  public ImmutableList<TracedCall> calls() {
    return calls;
  }

  /** Call by index. */
  public TracedCall call(int index) {
    checkArgument(
        index >= 0 && index < calls.size(),
        "no call #%s in a trace of %s calls",
        index,
        calls.size());
    return calls.get(index);
  }

  /** Every tensor value seen, by id. */
  public ImmutableList<TensorRef> tensors() {
    return tensors;
  }

  /** Tensor by id. */
  public TensorRef tensor(int id) {
    checkArgument(
        id >= 0 && id < tensors.size(),
        "no tensor t%s in a trace of %s tensors",
        id,
        tensors.size());
    return tensors.get(id);
  }

  /** Registered module paths of the root ("" is the root) and their type names. */
  public ImmutableMap<String, String> modules() {
    return modules;
  }

  /** Every registered parameter of the root, by full name, with its shape at trace time. */
  public ImmutableMap<String, ImmutableLongArray> parameters() {
    return parameters;
  }

  /** Every registered buffer of the root, by full name, with its shape at trace time. */
  public ImmutableMap<String, ImmutableLongArray> buffers() {
    return buffers;
  }

  /** The call that produced a tensor, if it was traced. */
  public Optional<TracedCall> producer(TensorRef tensor) {
    return tensor.producer() < 0 ? Optional.empty() : Optional.of(calls.get(tensor.producer()));
  }

  /** Calls that read a tensor, in call order. */
  public ImmutableList<TracedCall> consumers(TensorRef tensor) {
    return consumers.get(tensor.id());
  }

  /** Calls made directly inside a module call (or at top level for -1). */
  public ImmutableList<TracedCall> children(int parentIndex) {
    return children.get(parentIndex);
  }

  /** Top-level calls: usually the root's forward. */
  public ImmutableList<TracedCall> topLevel() {
    return children.get(-1);
  }

  /** Calls of one op name ({@code select}, {@code forward}, ...), in call order. */
  public List<TracedCall> callsTo(String op) {
    return calls.stream().filter(c -> c.op().equals(op)).collect(Collectors.toList());
  }

  /** Calls whose module path is exactly {@code path}. */
  public List<TracedCall> moduleCalls(String path) {
    return calls.stream()
        .filter(c -> c.isModuleCall() && c.modulePath().equals(path))
        .collect(Collectors.toList());
  }

  /** Tensors that were root parameters used directly as op inputs (cls_token, pos_embed, ...). */
  public List<TensorRef> parametersUsedDirectly() {
    return tensors.stream()
        .filter(t -> t.origin() == TensorOrigin.PARAMETER && !consumers(t).isEmpty())
        .collect(Collectors.toList());
  }

  /** One line per call, indented by module nesting. */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    int[] depth = new int[calls.size()];
    for (TracedCall c : calls) {
      depth[c.index()] = c.parent() < 0 ? 0 : depth[c.parent()] + 1;
      sb.append("  ".repeat(depth[c.index()])).append(c).append('\n');
    }
    return sb.toString();
  }

  @Override
  public String toString() {
    return "Trace[" + rootType + ", " + calls.size() + " calls, " + tensors.size() + " tensors]";
  }
}
