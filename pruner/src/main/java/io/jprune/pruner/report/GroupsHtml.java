package io.jprune.pruner.report;

import static com.google.common.base.Preconditions.checkNotNull;

import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.group.GroupConstraint;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.plan.GroupPlanner;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.Trace;
import io.jprune.tracer.TracedCall;
import java.util.List;
import java.util.Map;

/**
 * A self-contained HTML page (inline CSS and JS, nothing fetched) to inspect a dependency graph:
 * every group with its leader, channel and unit counts, heads, members with roles and slice
 * counts, constraints and whether pruning it is exact; then every traced call with its module,
 * shapes and call site. A filter box narrows both lists, so a 22M-parameter ViT stays readable.
 */
public final class GroupsHtml {
  private static final String CSS = """
      body{font:14px/1.4 system-ui,sans-serif;margin:1.5em;color:#222}
      h1{font-size:1.4em}h2{font-size:1.15em;margin-top:1.5em}
      input{font:inherit;padding:.3em .5em;width:24em;margin:.5em 0}
      details{border:1px solid #ccc;border-radius:4px;margin:.3em 0;padding:.2em .6em}
      details.inexact{border-color:#d9a441;background:#fff8ea}
      summary{cursor:pointer}summary b{font-family:monospace}
      table{border-collapse:collapse;margin:.4em 0}
      td,th{border-bottom:1px solid #e4e4e4;padding:.15em .6em;text-align:left;vertical-align:top}
      td.n,th.n{text-align:right}code,td.m{font-family:monospace;font-size:12.5px}
      .tag{display:inline-block;border-radius:3px;padding:0 .4em;font-size:12px;margin-left:.4em}
      .exact{background:#cfe8cf}.inex{background:#f6d7a7}.OUTPUT{color:#1d5e1d}
      .INPUT{color:#1d3f8c}.STATE{color:#777}.muted{color:#777}
      """;
  private static final String JS = """
      function filt(inputId, sel){
        var q=document.getElementById(inputId).value.toLowerCase();
        document.querySelectorAll(sel).forEach(function(e){
          e.style.display=e.textContent.toLowerCase().indexOf(q)>=0?'':'none';});
      }
      """;

  private GroupsHtml() {}

  /** The page for a graph; {@code title} heads it (e.g. the model's name). */
  public static String render(DependencyGraph graph, String title) {
    checkNotNull(graph, "graph");
    checkNotNull(title, "title");
    Trace trace = graph.trace();
    List<PruningGroup> groups = graph.groups();
    long channels = groups.stream().mapToLong(PruningGroup::size).sum();
    long exact = groups.stream().filter(PruningGroup::isExact).count();
    StringBuilder sb = new StringBuilder();
    sb.append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">\n<title>")
        .append(esc(title)).append("</title>\n<style>").append(CSS).append("</style>\n<script>")
        .append(JS).append("</script></head>\n<body>\n<h1>").append(esc(title)).append("</h1>\n")
        .append("<p>").append(esc(trace.rootType())).append(": ").append(groups.size())
        .append(" groups, ").append(channels).append(" prunable channels, ").append(exact)
        .append(" groups exact (pruned output must equal the masked original's), ")
        .append(trace.calls().size()).append(" traced calls.</p>\n");

    sb.append("<h2>Groups</h2>\n<input id=\"gq\" placeholder=\"filter groups (layer, role, "
        + "constraint)\" oninput=\"filt('gq','details.group')\">\n");
    for (PruningGroup g : groups) {
      appendGroup(sb, g);
    }

    sb.append("<h2>Traced ops</h2>\n<input id=\"oq\" placeholder=\"filter ops (op, module, "
        + "shape, file)\" oninput=\"filt('oq','tr.op')\">\n<table>\n<tr><th class=\"n\">#</th>"
        + "<th>op</th><th>module</th><th>inputs</th><th>outputs</th><th>call site</th></tr>\n");
    for (TracedCall c : trace.calls()) {
      sb.append("<tr class=\"op\"><td class=\"n\">").append(c.index()).append("</td><td class=\"m\">")
          .append(esc(c.site().op())).append("</td><td class=\"m\">")
          .append(c.isModuleCall() ? esc(c.modulePath().isEmpty() ? "<root>" : c.modulePath())
              : "")
          .append("</td><td class=\"m\">").append(esc(shapes(c.tensorInputs())))
          .append("</td><td class=\"m\">").append(esc(shapes(c.tensorOutputs())))
          .append("</td><td class=\"m muted\">").append(esc(c.site().location()))
          .append("</td></tr>\n");
    }
    sb.append("</table>\n</body></html>\n");
    return sb.toString();
  }

  private static void appendGroup(StringBuilder sb, PruningGroup g) {
    int heads = GroupPlanner.headCount(g);
    sb.append("<details class=\"group").append(g.isExact() ? "" : " inexact")
        .append("\"><summary>Group ").append(g.id()).append(" <b>").append(esc(g.leader()))
        .append("</b> &middot; ").append(g.size()).append(" channels &middot; ")
        .append(GroupPlanner.unitCount(g)).append(" units")
        .append(heads > 0 ? " &middot; " + heads + " heads" : "")
        .append(g.isExact() ? "<span class=\"tag exact\">exact</span>"
            : "<span class=\"tag inex\">inexact</span>")
        .append("</summary>\n<table><tr><th>parameter[dim]</th><th>role</th>"
            + "<th class=\"n\">slices</th></tr>\n");
    for (Map.Entry<String, Integer> m : g.members().entrySet()) {
      String key = m.getKey();
      int space = key.lastIndexOf(' ');
      String role = key.substring(space + 1);
      sb.append("<tr><td class=\"m\">").append(esc(key.substring(0, space)))
          .append("</td><td class=\"").append(esc(role)).append("\">").append(esc(role))
          .append("</td><td class=\"n\">").append(m.getValue()).append("</td></tr>\n");
    }
    sb.append("</table>\n");
    for (GroupConstraint c : g.constraints()) {
      sb.append("<div>constraint: <code>").append(esc(c.toString())).append("</code></div>\n");
    }
    for (String reason : g.inexactReasons()) {
      sb.append("<div>inexact: ").append(esc(reason)).append("</div>\n");
    }
    sb.append("</details>\n");
  }

  private static String shapes(List<TensorRef> tensors) {
    StringBuilder sb = new StringBuilder();
    for (TensorRef t : tensors) {
      sb.append(sb.length() == 0 ? "" : " ").append(t.label());
    }
    return sb.toString();
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
