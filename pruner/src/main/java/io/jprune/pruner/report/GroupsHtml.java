package io.jprune.pruner.report;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.io.Resources;
import com.google.common.primitives.ImmutableDoubleArray;
import com.google.common.primitives.ImmutableLongArray;
import com.google.gson.stream.JsonWriter;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.group.GroupConstraint;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.Trace;
import io.jprune.tracer.TracedCall;
import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.BitSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * The report page: one self-contained HTML file (inline CSS, JS and data; nothing is fetched when
 * it is viewed). It draws the traced graph as SVG laid out by ELK ({@link DrawnGraph}) with every
 * module forward that made traced calls collapsible; colours each pruning group and highlights its
 * layers when it is selected; explains each group in numbers that add up ({@link GroupFacts}); and,
 * with a {@link PruningOutcome}, shows per layer the widths before and after as bars, per group the
 * importance distribution and the kept and removed channels, and the params/MACs table. The traced
 * ops are listed at the end.
 *
 * <p>For tests and screenshots the page reads its URL fragment: {@code #group=3} selects a group,
 * {@code expand=blocks.0,blocks.0.attn} expands modules, {@code expand=all} everything; the outcome
 * of its own checks is written to {@code <pre id="selfcheck">} when the fragment has {@code
 * selfcheck}.
 */
public final class GroupsHtml {
  private static final String CSS = resource("report.css");
  private static final String JS = resource("report.js");

  private GroupsHtml() {}

  /** The page of a graph, without pruning results; {@code title} heads it. */
  public static String render(DependencyGraph graph, String title) {
    return render(graph, title, Optional.empty());
  }

  /** The page of the original graph with what a pruning run did to it. */
  public static String render(DependencyGraph graph, String title, PruningOutcome outcome) {
    return render(graph, title, Optional.of(checkNotNull(outcome, "outcome")));
  }

  private static String render(
      DependencyGraph graph, String title, Optional<PruningOutcome> outcome) {
    checkNotNull(graph, "graph");
    checkNotNull(title, "title");
    Trace trace = graph.trace();
    List<PruningGroup> groups = graph.groups();
    long channels = groups.stream().mapToLong(PruningGroup::size).sum();
    long exact = groups.stream().filter(PruningGroup::isExact).count();
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(esc(title))
        .append("</title>\n<style>")
        .append(CSS)
        .append("</style>\n")
        .append("</head>\n<body>\n<header><h1>")
        .append(esc(title))
        .append("</h1>\n<p>")
        .append(esc(trace.rootType()))
        .append(": ")
        .append(groups.size())
        .append(" groups, ")
        .append(channels)
        .append(" prunable channels, ")
        .append(exact)
        .append(" groups exact (pruned output must equal the masked original's), ")
        .append(trace.calls().size())
        .append(" traced calls.");
    outcome.ifPresent(
        o ->
            sb.append(" ")
                .append(
                    esc(
                        String.format(
                            Locale.ROOT,
                            "Params %s -> %s (%.1f%% kept), MACs %s -> %s (%.1f%% kept).",
                            PruningReport.human(o.table().before().params()),
                            PruningReport.human(o.table().after().params()),
                            100 * o.table().paramsKept(),
                            PruningReport.human(o.table().before().macs()),
                            PruningReport.human(o.table().after().macs()),
                            100 * o.table().macsKept()))));
    sb.append("</p>\n").append(LEGEND).append("</header>\n");
    sb.append("<main><section id=\"graph\"><div class=\"bar\">")
        .append("<button id=\"expandAll\">expand all</button>")
        .append("<button id=\"collapseAll\">collapse all</button>")
        .append(
            "<span class=\"muted\"> click a box with &#x229e; to open it, a layer to select "
                + "its group</span></div><div id=\"canvas\"><svg id=\"svg\" "
                + "xmlns=\"http://www.w3.org/2000/svg\"></svg></div></section>\n")
        .append(
            "<aside id=\"side\"><h2>Groups</h2><input id=\"gq\" placeholder=\"filter groups "
                + "(layer, kind)\"><div id=\"groups\"></div><div id=\"detail\"></div></aside></main>\n");
    sb.append(
        "<section><h2>Layers: widths before &rarr; after</h2><div id=\"layers\"></div>"
            + "</section>\n");
    outcome.ifPresent(
        o ->
            sb.append(
                    "<section><details><summary><h2 class=\"inline\">Params and "
                        + "MACs per layer</h2></summary><pre>")
                .append(esc(o.table().render()))
                .append("</pre></details></section>\n"));
    appendOps(sb, trace);
    sb.append("<script id=\"data\" type=\"application/json\">")
        .append(data(graph, title, outcome))
        .append("</script>\n<script>")
        .append(JS)
        .append("</script>\n</body></html>\n");
    return sb.toString();
  }

  private static final String LEGEND =
      """
      <details id="legend" open><summary>Legend</summary><div class="legend">
      <svg width="560" height="64" xmlns="http://www.w3.org/2000/svg">
      <rect x="2" y="4" width="96" height="26" class="shape k-MODULE"/><text x="10" y="21">layer</text>
      <rect x="108" y="4" width="96" height="26" class="shape k-COMPOUND"/><text x="116" y="21">&#x229e; module</text>
      <rect x="214" y="4" width="80" height="26" rx="13" class="shape k-OP"/><text x="226" y="21">op</text>
      <ellipse cx="344" cy="17" rx="40" ry="12" class="shape k-INPUT"/><text x="318" y="21">tensor</text>
      <polygon points="402,17 410,5 478,5 486,17 478,29 410,29" class="shape k-PARAMETER"/><text x="414" y="21">parameter</text>
      <line x1="496" y1="17" x2="552" y2="17" class="edge" marker-end="url(#arrowL)"/>
      <defs><marker id="arrowL" viewBox="0 0 8 8" refX="8" refY="4" markerWidth="7" markerHeight="7" orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#8a8a8a"/></marker></defs>
      <rect x="2" y="40" width="96" height="20" class="shape k-MODULE hl" style="stroke:#c0392b;fill:#f7dcd8"/><text x="8" y="54">output rows</text>
      <rect x="108" y="40" width="96" height="20" class="shape k-MODULE hl-in" style="stroke:#c0392b"/><text x="114" y="54">input columns</text>
      <rect x="214" y="48" width="70" height="4" fill="#ddd"/><rect x="214" y="48" width="30" height="4" fill="#555"/><text x="290" y="54">width kept / before</text>
      </svg>
      <dl>
      <dt>channel</dt><dd>the slices that can only go together: a conv's output row with its BN entries and every consumer's input column; one index of a group.</dd>
      <dt>unit</dt><dd>what the planner removes at once: a channel, or one position in every block of an ALIGNED constraint.</dd>
      <dt>head</dt><dd>a block of an attention reshape (heads &times; head_dim); a whole head may go instead of positions.</dd>
      <dt>constraint</dt><dd>ALIGNED: the same positions in every block (a reshape into heads); EQUAL_COUNT: as many in every block (chunk, GroupNorm, grouped conv).</dd>
      <dt><span class="tag exact">exact</span> <span class="tag inex">inexact</span></dt><dd>exact: the pruned model's output equals the masked original's (removed channels zeroed); inexact: a normalisation across channels sees the removed ones, so it cannot be equal.</dd>
      <dt>colour</dt><dd>each group has one; a selected group outlines the layers whose output rows it holds (filled) and those whose input columns it holds (dashed); a closed module holding any is marked.</dd>
      </dl></div></details>
      """;

  private static void appendOps(StringBuilder sb, Trace trace) {
    sb.append("<section><details><summary><h2 class=\"inline\">Traced ops</h2></summary>")
        .append("<input id=\"oq\" placeholder=\"filter ops (op, module, shape, file)\">\n")
        .append("<table id=\"ops\">\n<tr><th class=\"n\">#</th><th>op</th><th>module</th>")
        .append("<th>inputs</th><th>outputs</th><th>call site</th></tr>\n");
    for (TracedCall c : trace.calls()) {
      sb.append("<tr class=\"op\"><td class=\"n\">")
          .append(c.index())
          .append("</td><td class=\"m\">")
          .append(esc(c.site().op()))
          .append("</td><td class=\"m\">")
          .append(c.isModuleCall() ? esc(c.modulePath().isEmpty() ? "<root>" : c.modulePath()) : "")
          .append("</td><td class=\"m\">")
          .append(esc(shapes(c.tensorInputs())))
          .append("</td><td class=\"m\">")
          .append(esc(shapes(c.tensorOutputs())))
          .append("</td><td class=\"m muted\">")
          .append(esc(c.site().location()))
          .append("</td></tr>\n");
    }
    sb.append("</table></details></section>\n");
  }

  /** The page's data: scopes laid out, groups and their facts, layers' widths. */
  private static String data(
      DependencyGraph graph, String title, Optional<PruningOutcome> outcome) {
    Trace trace = graph.trace();
    DrawnGraph drawn = DrawnGraph.of(trace);
    Map<String, Map<Integer, long[]>> kept =
        outcome.map(PruningOutcome::keptIndices).orElse(Map.of());
    StringWriter out = new StringWriter();
    try (JsonWriter w = new JsonWriter(out)) {
      w.setHtmlSafe(true); // '<' as \u003c: the JSON cannot close its script element
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
        writeScope(w, s);
      }
      w.endObject();
      w.name("groups").beginArray();
      for (PruningGroup g : graph.groups()) {
        writeGroup(w, GroupFacts.of(g, trace, outcome));
      }
      w.endArray();
      w.name("layers").beginObject();
      writeLayers(w, trace, kept);
      w.endObject();
      w.endObject();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    return out.toString();
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

  private static void writeScope(JsonWriter w, DrawnGraph.Scope s) throws IOException {
    w.beginObject();
    w.name("w").value(round(s.width())).name("h").value(round(s.height()));
    w.name("nodes").beginArray();
    for (DrawnGraph.Node n : s.nodes()) {
      w.beginObject();
      w.name("id")
          .value(n.id())
          .name("k")
          .value(n.kind().name())
          .name("t")
          .value(n.title())
          .name("d")
          .value(n.detail())
          .name("c")
          .value(n.call());
      if (n.module() != null) {
        w.name("m").value(n.module());
      }
      w.name("L").beginArray();
      for (String l : n.layers()) {
        w.value(l);
      }
      w.endArray();
      w.name("tt").value(n.tensor());
      w.name("x")
          .value(round(n.x()))
          .name("y")
          .value(round(n.y()))
          .name("w")
          .value(round(n.width()))
          .name("h")
          .value(round(n.height()));
      w.endObject();
    }
    w.endArray();
    w.name("edges").beginArray();
    for (DrawnGraph.Edge e : s.edges()) {
      w.beginObject()
          .name("s")
          .value(e.source())
          .name("t")
          .value(e.target())
          .name("tt")
          .value(e.tensors())
          .name("p")
          .beginArray();
      for (double[] p : e.points()) {
        w.beginArray().value(round(p[0])).value(round(p[1])).endArray();
      }
      w.endArray().endObject();
    }
    w.endArray();
    w.endObject();
  }

  private static void writeGroup(JsonWriter w, GroupFacts f) throws IOException {
    PruningGroup g = f.group();
    w.beginObject();
    w.name("id")
        .value(g.id())
        .name("leader")
        .value(g.leader())
        .name("size")
        .value(g.size())
        .name("kept")
        .value(f.keptCount())
        .name("exact")
        .value(g.isExact())
        .name("headline")
        .value(f.headline());
    w.name("reasons").beginArray();
    for (String r : g.inexactReasons()) {
      w.value(r);
    }
    w.endArray();
    w.name("constraints").beginArray();
    for (GroupConstraint c : g.constraints()) {
      w.value(c.toString());
    }
    w.endArray();
    w.name("kinds").beginArray();
    for (GroupFacts.ChannelKind k : f.kinds()) {
      w.beginObject()
          .name("name")
          .value(k.name())
          .name("count")
          .value(k.count())
          .name("slices")
          .beginObject();
      for (Map.Entry<String, Integer> e : k.slices().entrySet()) {
        w.name(e.getKey()).value(e.getValue());
      }
      w.endObject().endObject();
    }
    w.endArray();
    w.name("sums").beginArray();
    for (String s : f.sums()) {
      w.value(s);
    }
    w.endArray();
    w.name("members").beginArray();
    for (GroupFacts.Member m : f.members()) {
      w.beginObject()
          .name("param")
          .value(m.param())
          .name("dim")
          .value(m.dim())
          .name("role")
          .value(m.role())
          .name("slices")
          .value(m.slices())
          .name("removed")
          .value(m.removedSlices())
          .name("before")
          .value(m.sizeBefore())
          .name("after")
          .value(m.sizeAfter())
          .name("unit")
          .value(m.unit())
          .endObject();
    }
    w.endArray();
    if (f.heads().isPresent()) {
      GroupFacts.Heads h = f.heads().get();
      w.name("heads")
          .beginObject()
          .name("branches")
          .value(h.branches())
          .name("count")
          .value(h.count())
          .name("dim")
          .value(h.dim())
          .name("keptDim")
          .value(h.keptDim())
          .name("source")
          .value(h.source())
          .name("removed")
          .beginArray();
      h.removedHeads()
          .forEach(
              i -> {
                try {
                  w.value(i);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
      w.endArray().endObject();
    }
    w.name("removedIdx").value(GroupFacts.ranges(f.removed()));
    BitSet keptSet = new BitSet();
    keptSet.set(0, g.size());
    keptSet.andNot(f.removed());
    w.name("keptIdx").value(GroupFacts.ranges(keptSet));
    if (f.scores().isPresent()) {
      writeHistogram(w, f.scores().get(), f.removed());
    }
    w.name("layers").beginObject();
    Map<String, String> roles = new LinkedHashMap<>();
    for (GroupFacts.Member m : f.members()) {
      String layer = GroupsDot.layerOf(m.param());
      String was = roles.get(layer);
      if (was == null || rank(m.role()) < rank(was)) {
        roles.put(layer, m.role());
      }
    }
    for (Map.Entry<String, String> e : roles.entrySet()) {
      w.name(e.getKey()).value(e.getValue());
    }
    w.endObject();
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
  private static void writeHistogram(JsonWriter w, ImmutableDoubleArray scores, BitSet removed)
      throws IOException {
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
    int bins = 24;
    int[] keptBins = new int[bins];
    int[] removedBins = new int[bins];
    for (int i = 0; i < scores.length(); i++) {
      double s = scores.get(i);
      if (!Double.isFinite(s)) {
        continue;
      }
      int b = hi > lo ? (int) Math.min(bins - 1, Math.floor((s - lo) / (hi - lo) * bins)) : 0;
      (removed.get(i) ? removedBins : keptBins)[b]++;
    }
    w.name("hist")
        .beginObject()
        .name("lo")
        .value(lo == Double.POSITIVE_INFINITY ? 0 : lo)
        .name("hi")
        .value(hi == Double.NEGATIVE_INFINITY ? 0 : hi)
        .name("locked")
        .value(locked)
        .name("kept")
        .beginArray();
    for (int k : keptBins) {
      w.value(k);
    }
    w.endArray().name("removed").beginArray();
    for (int r : removedBins) {
      w.value(r);
    }
    w.endArray().endObject();
  }

  /** Each layer's parameters with their shapes before and after. */
  private static void writeLayers(JsonWriter w, Trace trace, Map<String, Map<Integer, long[]>> kept)
      throws IOException {
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
        ImmutableLongArray shape = trace.parameters().get(p);
        w.beginObject()
            .name("name")
            .value(p.substring(p.lastIndexOf('.') + 1))
            .name("before")
            .beginArray();
        for (int d = 0; d < shape.length(); d++) {
          w.value(shape.get(d));
        }
        w.endArray().name("after").beginArray();
        Map<Integer, long[]> dims = kept.getOrDefault(p, Map.of());
        for (int d = 0; d < shape.length(); d++) {
          w.value(dims.containsKey(d) ? dims.get(d).length : shape.get(d));
        }
        w.endArray().endObject();
      }
      w.endArray().endObject();
    }
  }

  private static double round(double v) {
    return Math.round(v * 10) / 10.0;
  }

  private static String shapes(List<TensorRef> tensors) {
    StringBuilder sb = new StringBuilder();
    for (TensorRef t : tensors) {
      sb.append(sb.length() == 0 ? "" : " ").append(t.label());
    }
    return sb.toString();
  }

  private static String resource(String name) {
    try {
      return Resources.toString(
          Resources.getResource(GroupsHtml.class, name), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the report's " + name, e);
    }
  }

  /** HTML text escaping. */
  static String esc(String s) {
    StringBuilder sb = new StringBuilder(s.length());
    for (int i = 0; i < s.length(); i++) {
      char ch = s.charAt(i);
      switch (ch) {
        case '<' -> sb.append("&lt;");
        case '>' -> sb.append("&gt;");
        case '&' -> sb.append("&amp;");
        case '"' -> sb.append("&quot;");
        case '\'' -> sb.append("&#39;");
        default -> sb.append(ch);
      }
    }
    return sb.toString();
  }
}
