package io.jprune.pruner.graph.label;

import static com.google.common.base.Preconditions.checkArgument;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableIntArray;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.graph.refusal.UnsupportedOpException;
import io.jprune.pruner.group.BlockSpec;
import io.jprune.pruner.group.ParamSlice;
import io.jprune.pruner.group.SliceRole;
import io.jprune.pruner.module.ModuleCatalog;
import io.jprune.pruner.module.NamedModules;
import io.jprune.tracer.TensorOrigin;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.Trace;
import io.jprune.tracer.TracedCall;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.BitSet;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.bytedeco.pytorch.Module;

/**
 * State of the label pass: which atom every element of every traced tensor belongs to, and which
 * parameter slices and block constraints the op rules bound to atoms. Op rules read input labels
 * and write output labels through it; they never see each other.
 */
public final class LabelPass {
  /** A parameter slice bound to an atom by a rule; {@code row} is its {@link SliceRows} id. */
  record Binding(ParamSlice slice, int atom, int row) {}

  private final Trace trace;
  private final AtomTable atoms = new AtomTable();
  private final Map<Integer, Labels> labels = new HashMap<>();
  private final List<Binding> bindings = new ArrayList<>();
  private final SliceRows rows = new SliceRows();

  /** Bindings that repeat an earlier binding's slice (same role), set by {@link #finish}. */
  private final BitSet repeats = new BitSet();

  private final List<BlockSpec> blocks = new ArrayList<>();

  /** Bare parameters used directly by ops, by name: the tensor ref first seen. */
  private final Map<String, TensorRef> bareParameters = new LinkedHashMap<>();

  /** Atom ids created for the elements of bare parameters (raw ids, not roots). */
  private final BitSet parameterElementAtoms = new BitSet();

  /** The module kinds the graph is built with. */
  private final ModuleCatalog catalog;

  /** The traced model, whose module options some kinds read (GroupNorm num_groups). */
  private final Module root;

  /** The traced model's modules by path, read on first use. */
  private NamedModules modules;

  /** Lines module kinds add to describe(): what they keep and why. */
  private final Set<String> notes = new LinkedHashSet<>();

  /** Cached label-replay maps of layout calls, by call index. */
  private final Map<Integer, LabelReplay.Labels> replays = new HashMap<>();

  /** The views layout calls returned, by call index, for those labelled as views. */
  private final Map<Integer, List<ViewReplay.View>> views = new HashMap<>();

  private final Map<String, TensorRef> versions = new HashMap<>();
  private final Map<Integer, BitSet> atomsIn = new HashMap<>();
  private final BitSet withDerived = new BitSet();

  /**
   * An empty pass over {@code trace}, with these module kinds; {@code root} (null in unit
   * harnesses) is the traced model, whose options some kinds read.
   */
  public LabelPass(Trace trace, ModuleCatalog catalog, Module root) {
    this.trace = trace;
    this.catalog = catalog;
    this.root = root;
    for (TensorRef t : trace.tensors()) {
      versions.put(t.implAddress() + "#" + t.version(), t);
    }
  }

  /** The trace being labelled. */
  public Trace trace() {
    return trace;
  }

  /**
   * The union-find of atoms: rules join the atoms an op couples, fix those it forbids to prune, and
   * mark those it mixes inexactly.
   */
  public AtomTable atoms() {
    return atoms;
  }

  /** The module kinds the graph is built with. */
  public ModuleCatalog catalog() {
    return catalog;
  }

  /** The traced model (null in unit harnesses), whose module options some kinds read. */
  public Module root() {
    return root;
  }

  /**
   * The traced model's modules by path, read once per pass (the model does not change while its
   * graph is built); a lookup per option read walked every module through JNI.
   */
  public NamedModules modules() {
    if (modules == null) {
      modules = NamedModules.of(root);
    }
    return modules;
  }

  /** The parameter slices rules bound to atoms, in binding order. */
  List<Binding> bindings() {
    return Collections.unmodifiableList(bindings);
  }

  /** The rows of the slices bound. */
  SliceRows rows() {
    return rows;
  }

  /** Whether binding {@code i} repeats the slice of an earlier one (after {@link #finish}). */
  boolean isRepeat(int i) {
    return repeats.get(i);
  }

  /** The block constraints rules found, in call order. */
  List<BlockSpec> blocks() {
    return Collections.unmodifiableList(blocks);
  }

  /** Bare parameters used directly by ops, by name: the tensor ref first seen. */
  Map<String, TensorRef> bareParameters() {
    return Collections.unmodifiableMap(bareParameters);
  }

  /** Whether a parameter is used directly by ops (cls_token, pos_embed), not through a layer. */
  public boolean isBareParameter(String name) {
    return bareParameters.containsKey(name);
  }

  /** Whether a raw atom id was made for an element of a bare parameter. */
  public boolean isParameterElementAtom(int atom) {
    return parameterElementAtoms.get(atom);
  }

  /** Records a line for {@code describe()}: what a module kind keeps and why. */
  public void addNote(String line) {
    notes.add(line);
  }

  /** The lines module kinds noted, in first-noted order. */
  public Set<String> notes() {
    return Collections.unmodifiableSet(notes);
  }

  /** Records the label replay of a layout call, which its mask rule reads back. */
  public void recordReplay(TracedCall call, LabelReplay.Labels replay) {
    replays.put(call.index(), replay);
  }

  /** Records the views a layout call returned, from which {@link #replayOf} makes its map. */
  void recordViews(TracedCall call, List<ViewReplay.View> returned) {
    views.put(call.index(), returned);
  }

  /**
   * The label replay of a layout call: the one recorded, or else one made on first request (from
   * the views the call returned, when it was labelled as views) and kept.
   */
  public LabelReplay.Labels replayOf(TracedCall call) {
    return replays.computeIfAbsent(
        call.index(),
        i -> views.containsKey(i) ? ViewReplay.replay(views.get(i)) : LabelReplay.replay(call));
  }

  /**
   * Labels of a tensor, one per element (row-major), for rules that walk elements: a view made
   * once, which callers must not change. See {@link #labelsOf}.
   */
  public int[] labels(TensorRef t) {
    return labelsOf(t).dense();
  }

  /**
   * Labels of a tensor. A tensor no traced call produced gets them on first sight: model inputs,
   * buffers and constants are FIXED; each element of a bare parameter (cls_token, pos_embed) is its
   * own atom until ops join it to channels.
   */
  public Labels labelsOf(TensorRef t) {
    Labels l = labels.get(t.id());
    if (l != null) {
      return l;
    }
    Shape s = Shape.of(t.shape());
    if (t.origin() == TensorOrigin.PARAMETER) {
      int[] fresh = new int[s.numel()];
      for (int i = 0; i < fresh.length; i++) {
        fresh[i] = atoms.fresh();
        parameterElementAtoms.set(fresh[i]);
      }
      bareParameters.putIfAbsent(t.name(), t);
      l = Labels.of(s, fresh);
    } else if (t.origin() == TensorOrigin.RESULT) {
      return passedThrough(t);
    } else {
      l = Labels.fixed(s);
    }
    labels.put(t.id(), l);
    return l;
  }

  /**
   * A Java module's forward returns a tensor one of its children made; the trace records it as a
   * new version of that tensor, produced by the module call. It holds the same channels.
   */
  private Labels passedThrough(TensorRef t) {
    TracedCall producer = trace.call(t.producer());
    TensorRef previous = versions.get(t.implAddress() + "#" + (t.version() - 1));
    if (!producer.isModuleCall() || previous == null) {
      throw new UnsupportedOpException(
          producer,
          "it returned "
              + t
              + ", which no traced call made (a native module jprune cannot see into?)");
    }
    Labels l = labelsOf(previous);
    labels.put(t.id(), l);
    return l;
  }

  /**
   * Ends the pass, once every call is labelled: a parameter slice bound by several calls (a module
   * called twice) joins the atoms it was bound to, labels are replaced by their atom's
   * representative, and each tensor remembers the atoms it holds, so that the mask of a plan skips
   * tensors it does not touch.
   */
  public void finish() {
    joinSlicesBoundTwice();
    resolveLabels();
  }

  /**
   * One physical slice is one channel, however many calls bound it (roles do not split a row of
   * physical slices); a binding of the same slice in the same role again is a repeat.
   */
  private void joinSlicesBoundTwice() {
    int[][] atomsOfRow = new int[rows.rowCount()][];
    BitSet[][] boundAs = new BitSet[rows.rowCount()][];
    for (int i = 0; i < bindings.size(); i++) {
      Binding b = bindings.get(i);
      int index = (int) b.slice().index();
      int[] row = atomsOfRow[b.row()];
      if (row == null || index >= row.length) {
        int old = row == null ? 0 : row.length;
        row = row == null ? new int[index + 1] : Arrays.copyOf(row, Math.max(index + 1, old * 2));
        Arrays.fill(row, old, row.length, Integer.MIN_VALUE);
        atomsOfRow[b.row()] = row;
      }
      if (row[index] == Integer.MIN_VALUE) {
        row[index] = b.atom();
      } else {
        atoms.union(row[index], b.atom());
      }
      if (boundAs[b.row()] == null) {
        boundAs[b.row()] = new BitSet[SliceRole.values().length];
      }
      BitSet seen = boundAs[b.row()][b.slice().role().ordinal()];
      if (seen == null) {
        seen = boundAs[b.row()][b.slice().role().ordinal()] = new BitSet();
      }
      if (seen.get(index)) {
        repeats.set(i);
      }
      seen.set(index);
    }
  }

  private void resolveLabels() {
    Map<Labels, Labels> resolved = new java.util.IdentityHashMap<>(); // shared by passed-through
    for (Map.Entry<Integer, Labels> e : labels.entrySet()) {
      Labels l = resolved.computeIfAbsent(e.getValue(), v -> v.map(atoms::find));
      e.setValue(l);
      BitSet present = new BitSet();
      boolean derived = false;
      for (int j = 0; j < l.size(); j++) {
        int root = l.atom(j);
        if (root > AtomTable.FIXED) {
          present.set(root);
        } else if (root == AtomTable.DERIVED) {
          derived = true;
        }
      }
      atomsIn.put(e.getKey(), present);
      if (derived) {
        withDerived.set(e.getKey());
      }
    }
  }

  /** Atoms present in a tensor (after {@link #finish}). */
  BitSet atomsIn(TensorRef t) {
    BitSet b = atomsIn.get(t.id());
    return b != null ? b : new BitSet();
  }

  boolean hasDerived(TensorRef t) {
    return withDerived.get(t.id());
  }

  /**
   * Whether a root parameter can be sliced as a layer's weight by the op {@code user}: no other
   * call reads it (a second reader would see the new shape unannounced) and it has no labels yet.
   */
  public boolean canClaimParameter(TensorRef t, TracedCall user) {
    if (t.origin() != TensorOrigin.PARAMETER || labels.containsKey(t.id())) {
      return false;
    }
    for (TracedCall c : trace.calls()) {
      if (c.index() == user.index() || !trace.children(c.index()).isEmpty()) {
        continue;
      }
      for (TensorRef in : c.tensorInputs()) {
        if (t.name().equals(in.name())) {
          return false;
        }
      }
    }
    return true;
  }

  /** Takes a parameter for a layer rule: it is sliced through bindings, not as a bare parameter. */
  public void claimParameter(TensorRef t) {
    labels.put(t.id(), Labels.fixed(Shape.of(t.shape())));
  }

  /**
   * Sets the labels of a call output (one per element, row-major; the array is taken), stored along
   * the dims they vary along.
   */
  public void setLabels(TensorRef t, int[] l) {
    labels.put(t.id(), Labels.of(Shape.of(t.shape()), l));
  }

  /** Sets the labels of a call output. */
  public void setLabels(TensorRef t, Labels l) {
    checkArgument(
        Arrays.equals(l.shape().dims(), t.shape().toArray()),
        "labels of shape %s for %s",
        l.shape(),
        t);
    labels.put(t.id(), l);
  }

  /** Sets the labels of a call output whose channel {@code c} along {@code dim} is atom[c]. */
  public void setChannels(TensorRef t, int channelDim, int[] atomOf) {
    labels.put(t.id(), Labels.along(Shape.of(t.shape()), channelDim, atomOf));
  }

  /** Sets the labels of a call output that holds no prunable channel. */
  public void setFixed(TensorRef t) {
    labels.put(t.id(), Labels.fixed(Shape.of(t.shape())));
  }

  /** Fresh atoms for {@code count} channels. */
  public int[] freshAtoms(int count) {
    int[] a = new int[count];
    for (int i = 0; i < count; i++) {
      a[i] = atoms.fresh();
    }
    return a;
  }

  /** Binds slice {@code index} of {@code param} along {@code dim} to {@code atom}, in this role. */
  public void bind(String param, int dim, long index, int atom, SliceRole role) {
    bindings.add(
        new Binding(new ParamSlice(param, dim, index, role, -1), atom, rows.rowOf(param, dim, -1)));
  }

  /** A layer's output channels: weight slice {@code c} along {@code dim}, and bias c if any. */
  public void bindProducer(String weight, int dim, String bias, int[] atoms) {
    boolean hasBias = hasParameter(bias);
    for (int c = 0; c < atoms.length; c++) {
      bind(weight, dim, c, atoms[c], SliceRole.OUTPUT);
      if (hasBias) {
        bind(bias, 0, c, atoms[c], SliceRole.OUTPUT);
      }
    }
  }

  /**
   * Binds input column {@code index} of a grouped conv weight, within the rows of conv group {@code
   * group}, to {@code atom}.
   */
  public void bindGrouped(String param, int dim, long index, int group, int atom) {
    bindings.add(
        new Binding(
            new ParamSlice(param, dim, index, SliceRole.INPUT, group),
            atom,
            rows.rowOf(param, dim, group)));
  }

  /** Whether a registered parameter or buffer exists (e.g. a Linear without bias). */
  public boolean hasParameter(String name) {
    return trace.parameters().containsKey(name) || trace.buffers().containsKey(name);
  }

  /** The traced shape of a registered parameter or buffer, or null when there is none. */
  public ImmutableLongArray parameterShape(String name) {
    ImmutableLongArray s = trace.parameters().get(name);
    return s != null ? s : trace.buffers().get(name);
  }

  /**
   * Joins all labels along every dim except {@code channelDim} into one atom per channel and
   * returns those atoms: a layer that shares one weight slice across batch and space couples them.
   */
  public int[] channelAtoms(TensorRef t, int channelDim) {
    Labels l = labelsOf(t);
    Shape s = Shape.of(t.shape());
    int channels = (int) s.dim(channelDim);
    int[] atomOf = new int[channels];
    Arrays.fill(atomOf, Integer.MIN_VALUE);
    boolean anyDerived = false;
    // each position once, in the order a row-major walk over all elements first meets it
    LabelWalk w = LabelWalk.over(s, List.of(l), channelDim);
    int cj = Arrays.binarySearch(w.dims(), channelDim);
    for (int j = 0; j < w.positions(); j++, w.next()) {
      int a = l.atom(w.index(0));
      int c = (int) w.coord(cj);
      if (a == AtomTable.DERIVED) {
        anyDerived = true;
        continue;
      }
      atomOf[c] = atomOf[c] == Integer.MIN_VALUE ? atoms.find(a) : atoms.union(atomOf[c], a);
    }
    for (int c = 0; c < channels; c++) {
      if (atomOf[c] == Integer.MIN_VALUE) {
        atomOf[c] = AtomTable.FIXED; // only derived values reach this channel: keep it
      } else if (anyDerived) {
        atoms.fix(atomOf[c]);
      }
    }
    return atomOf;
  }

  /** Labels of a tensor of {@code shape} whose channel {@code c} (along dim) is atom[c]. */
  public static int[] broadcastChannels(ImmutableLongArray shape, int channelDim, int[] atomOf) {
    return Labels.along(Shape.of(shape), channelDim, atomOf).dense();
  }

  /**
   * An op whose channels jprune keeps: every atom it reads is fixed and its outputs hold fixed
   * channels of their own.
   */
  public void keepWhole(TracedCall call) {
    for (TensorRef in : call.tensorInputs()) {
      fixAll(in);
    }
    for (TensorRef out : call.tensorOutputs()) {
      setFixed(out);
    }
  }

  /** Makes every atom present in a tensor unprunable. */
  public void fixAll(TensorRef t) {
    Labels l = labelsOf(t);
    for (int j = 0; j < l.size(); j++) {
      if (l.atom(j) >= 0) {
        atoms.fix(l.atom(j));
      }
    }
  }

  /**
   * Adds a block constraint: the atoms of each block (with its coordinates in the imposing tensor)
   * must lose channels as {@code kind} says; {@code whole}: whether entire blocks may go.
   */
  public void addBlocks(
      String source,
      List<int[]> blockAtoms,
      List<long[]> coords,
      BlockSpec.Kind kind,
      boolean whole) {
    ImmutableList.Builder<ImmutableIntArray> b = ImmutableList.builder();
    ImmutableList.Builder<ImmutableLongArray> c = ImmutableList.builder();
    for (int i = 0; i < blockAtoms.size(); i++) {
      b.add(ImmutableIntArray.copyOf(blockAtoms.get(i)));
      c.add(ImmutableLongArray.copyOf(coords.get(i)));
    }
    blocks.add(new BlockSpec(source, b.build(), c.build(), kind, whole));
  }
}
