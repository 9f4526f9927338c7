package io.jprune.pruner.report;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.io.Resources;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.Trace;
import io.jprune.tracer.TracedCall;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
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
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(esc(title))
        .append("</title>\n<style>")
        .append(CSS)
        .append("</style>\n")
        .append("</head>\n<body>\n");
    appendHeader(sb, graph, title, outcome);
    appendGraphAndGroups(sb);
    sb.append(
        "<section><h2>Layers: widths before &rarr; after</h2><div id=\"layers\"></div>"
            + "</section>\n");
    outcome.ifPresent(o -> appendCostTable(sb, o.table()));
    appendOps(sb, graph.trace());
    sb.append("<script id=\"data\" type=\"application/json\">")
        .append(ReportData.of(graph, title, outcome))
        .append("</script>\n<script>")
        .append(JS)
        .append("</script>\n</body></html>\n");
    return sb.toString();
  }

  /** The title, the counts of the graph (and the outcome's totals) and the legend. */
  private static void appendHeader(
      StringBuilder sb, DependencyGraph graph, String title, Optional<PruningOutcome> outcome) {
    Trace trace = graph.trace();
    List<PruningGroup> groups = graph.groups();
    long channels = groups.stream().mapToLong(PruningGroup::size).sum();
    long exact = groups.stream().filter(PruningGroup::isExact).count();
    sb.append("<header><h1>")
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
    outcome.ifPresent(o -> sb.append(" ").append(esc(totals(o.table()))));
    sb.append("</p>\n").append(LEGEND).append("</header>\n");
  }

  private static String totals(PruningReport table) {
    return String.format(
        Locale.ROOT,
        "Params %s -> %s (%.1f%% kept), MACs %s -> %s (%.1f%% kept).",
        PruningReport.human(table.before().params()),
        PruningReport.human(table.after().params()),
        100 * table.paramsKept(),
        PruningReport.human(table.before().macs()),
        PruningReport.human(table.after().macs()),
        100 * table.macsKept());
  }

  /** The canvas the script draws the graph on, and the group list beside it. */
  private static void appendGraphAndGroups(StringBuilder sb) {
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
  }

  private static void appendCostTable(StringBuilder sb, PruningReport table) {
    sb.append(
            "<section><details><summary><h2 class=\"inline\">Params and "
                + "MACs per layer</h2></summary><pre>")
        .append(esc(table.render()))
        .append("</pre></details></section>\n");
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
