package io.jprune.pruner.report;

import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableLongArray;
import com.google.gson.stream.JsonWriter;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.group.GroupConstraint;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.tracer.Trace;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The report page's data, as the JSON its script reads: the scopes as ELK laid them out, the groups
 * with their facts, and each layer's parameter shapes before and after. Written html-safe ({@code
 * <} as {@code \u003c}), so it cannot close the script element that holds it.
 */
final class ReportData {
  /** Bins of a group's importance histogram. */
  private static final int BINS = 24;

  private final JsonWriter w;

  private ReportData(JsonWriter w) {
    this.w = w;
  }

  /** The data of {@code graph}'s page, with what a pruning run did to it if present. */
  static String of(DependencyGraph graph, String title, Optional<PruningOutcome> outcome) {
    StringWriter out = new StringWriter();
    try (JsonWriter w = new JsonWriter(out)) {
      w.setHtmlSafe(true);
      new ReportData(w).writePage(graph, title, outcome);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
  }

  private void writePage(DependencyGraph graph, String title, Optional<PruningOutcome> outcome)
      throws IOException {
    Trace trace = graph.trace();
    DrawnGraph drawn = DrawnGraph.of(trace);
    w.beginObject();
    w.name("title").value(title);
    w.name("outcome").value(outcome.isPresent());
    w.name("expanded").beginArray();
    for (int id : defaultExpanded(trace, drawn)) {
      w.value(id);
    }
    w.endArray();
    w.name("scopes").beginObject();
    for (DrawnGraph.Scope s : drawn.scopes().values()) {
      w.name(Integer.toString(s.id()));
      writeScope(s);
    }
    w.endObject();
    w.name("groups").beginArray();
    for (PruningGroup g : graph.groups()) {
      writeGroup(GroupFacts.of(g, trace, outcome));
    }
    w.endArray();
    w.name("layers").beginObject();
    writeLayers(trace, outcome.map(PruningOutcome::keptIndices).orElse(Map.of()));
    w.endObject();
    w.endObject();
  }

  /**
   * Open at first: the root and every module whose type is called once (a stem, an embedding);
   * repeated blocks (ViT blocks, ResNet stages and their blocks) start closed.
   */
  private static List<Integer> defaultExpanded(Trace trace, DrawnGraph drawn) {
    Map<String, Integer> typeCount = new HashMap<>();
    for (int id : drawn.scopes().keySet()) {
      if (id != DrawnGraph.TOP) {
        typeCount.merge(trace.call(id).moduleType(), 1, Integer::sum);
      }
    }
    return drawn.scopes().keySet().stream()
        .filter(
            id ->
                id != DrawnGraph.TOP
                    && (trace.call(id).parent() < 0
                        || typeCount.get(trace.call(id).moduleType()) == 1))
        .toList();
  }

  private void writeScope(DrawnGraph.Scope s) throws IOException {
    w.beginObject();
    w.name("w").value(round(s.width())).name("h").value(round(s.height()));
    w.name("nodes").beginArray();
    for (DrawnGraph.Node n : s.nodes()) {
      writeNode(n);
    }
    w.endArray();
    w.name("edges").beginArray();
    for (DrawnGraph.Edge e : s.edges()) {
      writeEdge(e);
    }
    w.endArray();
    w.endObject();
  }

  private void writeNode(DrawnGraph.Node n) throws IOException {
    w.beginObject();
    w.name("id").value(n.id());
    w.name("k").value(n.kind().name());
    w.name("t").value(n.title());
    w.name("d").value(n.detail());
    w.name("c").value(n.call());
    if (n.module() != null) {
      w.name("m").value(n.module());
    }
    writeStrings("L", n.layers());
    w.name("tt").value(n.tensor());
    w.name("x").value(round(n.x()));
    w.name("y").value(round(n.y()));
    w.name("w").value(round(n.width()));
    w.name("h").value(round(n.height()));
    w.endObject();
  }

  private void writeEdge(DrawnGraph.Edge e) throws IOException {
    w.beginObject();
    w.name("s").value(e.source());
    w.name("t").value(e.target());
    w.name("tt").value(e.tensors());
    w.name("p").beginArray();
    for (double[] p : e.points()) {
      w.beginArray().value(round(p[0])).value(round(p[1])).endArray();
    }
    w.endArray();
    w.endObject();
  }

  private void writeGroup(GroupFacts f) throws IOException {
    PruningGroup g = f.group();
    w.beginObject();
    w.name("id").value(g.id());
    w.name("leader").value(g.leader());
    w.name("size").value(g.size());
    w.name("kept").value(f.keptCount());
    w.name("exact").value(g.isExact());
    w.name("headline").value(f.headline());
    writeStrings("reasons", g.inexactReasons());
    writeStrings("constraints", g.constraints().stream().map(GroupConstraint::toString).toList());
    writeKinds(f.kinds());
    writeStrings("sums", f.sums());
    writeMembers(f.members());
    if (f.heads().isPresent()) {
      writeHeads(f.heads().get());
    }
    w.name("removedIdx").value(GroupFacts.ranges(f.removed()));
    w.name("keptIdx").value(GroupFacts.ranges(keptOf(g.size(), f.removed())));
    if (f.scores().isPresent()) {
      writeHistogram(f.scores().get(), f.removed());
    }
    writeLayerRoles(f.members());
    w.endObject();
  }

  private void writeStrings(String name, Iterable<String> values) throws IOException {
    w.name(name).beginArray();
    for (String v : values) {
      w.value(v);
    }
    w.endArray();
  }

  private void writeKinds(List<GroupFacts.ChannelKind> kinds) throws IOException {
    w.name("kinds").beginArray();
    for (GroupFacts.ChannelKind k : kinds) {
      w.beginObject();
      w.name("name").value(k.name());
      w.name("count").value(k.count());
      w.name("slices").beginObject();
      for (Map.Entry<String, Integer> e : k.slices().entrySet()) {
        w.name(e.getKey()).value(e.getValue());
      }
      w.endObject();
      w.endObject();
    }
    w.endArray();
  }

  private void writeMembers(List<GroupFacts.Member> members) throws IOException {
    w.name("members").beginArray();
    for (GroupFacts.Member m : members) {
      w.beginObject();
      w.name("param").value(m.param());
      w.name("dim").value(m.dim());
      w.name("role").value(m.role());
      w.name("slices").value(m.slices());
      w.name("removed").value(m.removedSlices());
      w.name("before").value(m.sizeBefore());
      w.name("after").value(m.sizeAfter());
      w.name("unit").value(m.unit());
      w.endObject();
    }
    w.endArray();
  }

  private void writeHeads(GroupFacts.Heads h) throws IOException {
    w.name("heads").beginObject();
    w.name("branches").value(h.branches());
    w.name("count").value(h.count());
    w.name("dim").value(h.dim());
    w.name("keptDim").value(h.keptDim());
    w.name("source").value(h.source());
    w.name("removed").beginArray();
    for (int i : h.removedHeads().toArray()) {
      w.value(i);
    }
    w.endArray();
    w.endObject();
  }

  private static BitSet keptOf(int size, BitSet removed) {
    BitSet kept = new BitSet();
    kept.set(0, size);
    kept.andNot(removed);
    return kept;
  }

  /** Per layer, the role it plays in the group: OUTPUT over INPUT over anything else. */
  private void writeLayerRoles(List<GroupFacts.Member> members) throws IOException {
    Map<String, String> roles = new LinkedHashMap<>();
    for (GroupFacts.Member m : members) {
      String layer = GroupsDot.layerOf(m.param());
      String was = roles.get(layer);
      if (was == null || rank(m.role()) < rank(was)) {
        roles.put(layer, m.role());
      }
    }
    w.name("layers").beginObject();
    for (Map.Entry<String, String> e : roles.entrySet()) {
      w.name(e.getKey()).value(e.getValue());
    }
    w.endObject();
  }

  private static int rank(String role) {
    return switch (role) {
      case "OUTPUT" -> 0;
      case "INPUT" -> 1;
      default -> 2;
    };
  }

  /** 24 bins over the finite scores; kept and removed counted apart, locked (infinite) aside. */
  private void writeHistogram(ImmutableDoubleArray scores, BitSet removed) throws IOException {
    double lo = Double.POSITIVE_INFINITY;
    double hi = Double.NEGATIVE_INFINITY;
    int locked = 0;
    for (int i = 0; i < scores.length(); i++) {
      double s = scores.get(i);
      if (Double.isFinite(s)) {
        lo = Math.min(lo, s);
        hi = Math.max(hi, s);
      } else {
        locked++;
      }
    }
    w.name("hist").beginObject();
    w.name("lo").value(lo == Double.POSITIVE_INFINITY ? 0 : lo);
    w.name("hi").value(hi == Double.NEGATIVE_INFINITY ? 0 : hi);
    w.name("locked").value(locked);
    writeInts("kept", bins(scores, removed, false, lo, hi));
    writeInts("removed", bins(scores, removed, true, lo, hi));
    w.endObject();
  }

  /** The finite scores of the removed (or kept) channels counted in {@link #BINS} over lo..hi. */
  private static int[] bins(
      ImmutableDoubleArray scores, BitSet removed, boolean ofRemoved, double lo, double hi) {
    int[] out = new int[BINS];
    for (int i = 0; i < scores.length(); i++) {
      double s = scores.get(i);
      if (Double.isFinite(s) && removed.get(i) == ofRemoved) {
        out[hi > lo ? (int) Math.min(BINS - 1, Math.floor((s - lo) / (hi - lo) * BINS)) : 0]++;
      }
    }
    return out;
  }

  private void writeInts(String name, int[] values) throws IOException {
    w.name(name).beginArray();
    for (int v : values) {
      w.value(v);
    }
    w.endArray();
  }

  /** Each layer's parameters with their shapes before and after. */
  private void writeLayers(Trace trace, Map<String, Map<Integer, long[]>> kept) throws IOException {
    Map<String, List<String>> byLayer = new LinkedHashMap<>();
    for (String p : trace.parameters().keySet()) {
      byLayer.computeIfAbsent(GroupsDot.layerOf(p), l -> new ArrayList<>()).add(p);
    }
    for (Map.Entry<String, List<String>> e : byLayer.entrySet()) {
      String layer = e.getKey();
      String type =
          trace.modules().containsKey(layer)
              ? ModelCost.shortType(trace.modules().get(layer))
              : "parameter";
      w.name(layer).beginObject().name("type").value(type).name("params").beginArray();
      for (String p : e.getValue()) {
        writeParam(p, trace.parameters().get(p), kept.getOrDefault(p, Map.of()));
      }
      w.endArray().endObject();
    }
  }

  private void writeParam(String p, ImmutableLongArray shape, Map<Integer, long[]> dims)
      throws IOException {
    w.beginObject();
    w.name("name").value(p.substring(p.lastIndexOf('.') + 1));
    w.name("before").beginArray();
    for (int d = 0; d < shape.length(); d++) {
      w.value(shape.get(d));
    }
    w.endArray();
    w.name("after").beginArray();
    for (int d = 0; d < shape.length(); d++) {
      w.value(dims.containsKey(d) ? dims.get(d).length : shape.get(d));
    }
    w.endArray();
    w.endObject();
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }
}
