package io.jprune.pruner.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.handmade.HandModels;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.graph.RemovalEffects;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.tracer.Trace;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;

/** The before/after table, latency statistics, the groups page and the DOT graph. */
class ReportRenderingTest {

  private static final class ConvCase {
    final HandModels.ConvNet net = new HandModels.ConvNet();
    final Tensor x = HandModels.ConvNet.input();
    final Trace trace = ModelCostTest.trace(net, () -> net.forward(x));
    final DependencyGraph graph = ModelCostTest.graph(net, trace);
  }

  @Test
  void tableHasAlignedRowsTotalsRatiosAndLatency() {
    ConvCase c = new ConvCase();
    PruningGroup conv = c.graph.groupOf("conv");
    RemovalEffects effects =
        c.graph.effects(Map.of(conv.id(), c.graph.channelsOf(conv, "conv", 0, 1, 2, 3)));
    PruningReport report =
        PruningReport.of(
                "ConvNet, 4 of 8 conv channels",
                ModelCost.of(c.trace),
                ModelCost.afterRemoval(c.trace, effects))
            .withLatency(Latency.of(4, 4, 4), Latency.of(1, 2, 3));
    assertEquals(
        """
        ConvNet, 4 of 8 conv channels
        layer  type         params before  params after   kept  MACs before  MACs after   kept
        --------------------------------------------------------------------------------------
        conv   Conv2d                 224           112  50.0%        7,168       3,584  50.0%
        bn     BatchNorm2d             16             8  50.0%          512         256  50.0%
        relu   ReLU                     0             0      -          256         128  50.0%
        fc     Linear                 645           325  50.4%        1,290         650  50.4%
        --------------------------------------------------------------------------------------
        total                         885           445  50.3%        9,226       4,618  50.1%
        params  885 -> 445 (x1.99 fewer)
        MACs    9.23 K -> 4.62 K (x2.00 fewer)
        latency median 4.00 ms -> 2.00 ms, p90 4.00 ms -> 3.00 ms (speed-up x2.00, 3 runs each)
        """
            + ModelCost.COUNTED
            + "\n",
        report.render());
    assertEquals(Optional.of(2.0), report.speedUp());
    assertEquals(445.0 / 885, report.paramsKept(), 1e-12);
  }

  @Test
  void latencyIsMedianAndNearestRankP90() {
    Latency l = Latency.of(5, 1, 4, 2, 3, 10, 9, 8, 7, 6);
    assertEquals(5.5, l.medianMs());
    assertEquals(9.0, l.p90Ms());
    assertEquals(10, l.iterations());
    assertEquals("median 5.50 ms, p90 9.00 ms (10 runs)", l.toString());
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> Latency.measure(Tensor::new, 0, 0));
    assertEquals("iterations must be >= 1, got 0", e.getMessage());
  }

  @Test
  void measuresARealForward() {
    ConvCase c = new ConvCase();
    Latency l = Latency.measure(() -> c.net.forward(c.x), 2, 5);
    assertEquals(5, l.iterations());
    assertTrue(l.medianMs() > 0 && l.p90Ms() >= l.medianMs(), l.toString());
  }

  @Test
  void dotJoinsEachGroupToTheLayersItCouples() {
    ConvCase c = new ConvCase();
    String dot = GroupsDot.render(c.graph);
    assertEquals(
        """
        digraph groups {
          rankdir=LR;
          node [fontname="Helvetica", fontsize=10];
          edge [fontname="Helvetica", fontsize=9];
        """,
        dot.substring(0, dot.indexOf("  g0")));
    assertTrue(dot.contains("  g0 -> \"conv\" [label=\"out 16\", penwidth=2];\n"), dot);
    assertTrue(dot.contains("  g0 -> \"fc\" [label=\"in 128\", style=dashed];\n"), dot);
    assertTrue(dot.endsWith("}\n"), dot);
  }

  @Test
  void htmlIsSelfContainedAndEscaped() {
    ConvCase c = new ConvCase();
    String html = GroupsHtml.render(c.graph, "ConvNet <test> </script>");
    assertTrue(html.startsWith("<!DOCTYPE html>"), html);
    assertTrue(html.contains("<title>ConvNet &lt;test&gt; &lt;/script&gt;</title>"), html);
    assertTrue(
        html.contains(
            "io.jprune.handmade.HandModels$ConvNet: 1 groups, 8 prunable "
                + "channels, 1 groups exact"),
        html);
    String data =
        html.substring(
            html.indexOf("<script id=\"data\""),
            html.indexOf("</script>", html.indexOf("<script id=\"data\"")));
    assertTrue(
        data.contains("\"title\":\"ConvNet \\u003ctest\\u003e \\u003c/script\\u003e\""),
        "the data cannot close its script element: " + data);
    assertTrue(
        data.contains(
            "\"leader\":\"conv.weight\",\"size\":8,\"kept\":8,"
                + "\"exact\":true,\"headline\":\"8 channels; 8 units\""),
        data);
    assertTrue(
        data.contains("\"layers\":{\"conv\":\"OUTPUT\",\"bn\":\"OUTPUT\"," + "\"fc\":\"INPUT\"}"),
        data);
    assertTrue(
        html.contains("<td class=\"m\">Conv2dImpl.forward</td><td class=\"m\">conv" + "</td>"),
        html);
    // Nothing is fetched: no external source, stylesheet or link; the only URI is the SVG
    // namespace, and url() references point inside the page.
    assertFalse(
        html.contains("src=")
            || html.contains("<link")
            || html.contains("https:")
            || html.contains("@import"),
        "nothing is fetched");
    assertEquals(
        html.split("http:", -1).length - 1,
        html.split("http://www.w3.org/2000/svg", -1).length - 1,
        "only the SVG namespace");
    assertEquals(
        html.split("url\\(", -1).length - 1,
        html.split("url\\(#", -1).length - 1,
        "url() only to the page's own markers");
    assertEquals("a&lt;b&gt;&amp;&quot;&#39;", GroupsHtml.esc("a<b>&\"'"));
  }

  @Test
  void drawingHasANodePerCallAndTensorsAsEdges() {
    ConvCase c = new ConvCase();
    DrawnGraph drawn = DrawnGraph.of(c.trace);
    DrawnGraph.Scope root = drawn.scopes().get(DrawnGraph.TOP);
    assertEquals(1, drawn.scopes().size(), "the hand sites trace no root forward: one scope");
    assertEquals(
        List.of(
            "conv MODULE", "bn MODULE", "relu MODULE", "flatten OP", "fc MODULE", "input INPUT"),
        root.nodes().stream().map(n -> n.title() + " " + n.kind()).toList());
    assertEquals(
        List.of("i-1_0>0", "0>1", "1>2", "2>3", "3>4"),
        root.edges().stream().map(e -> e.source() + ">" + e.target()).toList());
    assertEquals("Conv2d [2, 8, 4, 4]", root.nodes().get(0).detail());
    assertEquals(List.of("conv"), List.copyOf(root.nodes().get(0).layers()));
    for (DrawnGraph.Edge e : root.edges()) {
      DrawnGraph.Node from = node(root, e.source());
      DrawnGraph.Node to = node(root, e.target());
      double[] start = e.points().get(0);
      double[] end = e.points().get(e.points().size() - 1);
      assertEquals(from.y() + from.height(), start[1], 1e-6, "leaves the bottom of " + from);
      assertEquals(to.y(), end[1], 1e-6, "enters the top of " + to);
      assertTrue(from.y() < to.y(), "top to bottom");
    }
  }

  private static DrawnGraph.Node node(DrawnGraph.Scope s, String id) {
    return s.nodes().stream().filter(n -> n.id().equals(id)).findFirst().orElseThrow();
  }
}
