package io.jprune.pruner.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.handmade.HandModels;
import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.graph.RemovalEffects;
import io.jprune.pruner.group.PruningGroup;
import io.jprune.pruner.surgery.SiteRewrites;
import io.jprune.tracer.Trace;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The before/after table, latency statistics, the groups page and the DOT graph. */
class ReportRenderingTest {
  @AfterEach
  void dropRewrites() {
    SiteRewrites.clear();
  }

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
    RemovalEffects effects = c.graph.effects(Map.of(conv.id(),
        c.graph.channelsOf(conv, "conv", 0, 1, 2, 3)));
    PruningReport report = PruningReport.of("ConvNet, 4 of 8 conv channels",
        ModelCost.of(c.trace), ModelCost.afterRemoval(c.trace, effects))
        .withLatency(Latency.of(4, 4, 4), Latency.of(1, 2, 3));
    assertEquals("""
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
        """ + ModelCost.COUNTED + "\n", report.render());
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
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
        () -> Latency.measure(Tensor::new, 0, 0));
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
    assertEquals("""
        digraph groups {
          rankdir=LR;
          node [fontname="Helvetica", fontsize=10];
          edge [fontname="Helvetica", fontsize=9];
        """, dot.substring(0, dot.indexOf("  g0")));
    assertTrue(dot.contains("  g0 -> \"conv\" [label=\"out 16\", penwidth=2];\n"), dot);
    assertTrue(dot.contains("  g0 -> \"fc\" [label=\"in 128\", style=dashed];\n"), dot);
    assertTrue(dot.endsWith("}\n"), dot);
  }

  @Test
  void htmlIsSelfContainedAndEscaped() {
    ConvCase c = new ConvCase();
    String html = GroupsHtml.render(c.graph, "ConvNet <test>");
    assertTrue(html.startsWith("<!DOCTYPE html>"), html);
    assertTrue(html.contains("<title>ConvNet &lt;test&gt;</title>"), html);
    assertTrue(html.contains("io.jprune.handmade.HandModels$ConvNet: 1 groups, 8 prunable "
        + "channels, 1 groups exact"), html);
    assertTrue(html.contains("Group 0 <b>conv.weight</b> &middot; 8 channels &middot; 8 units"),
        html);
    assertTrue(html.contains("<td class=\"m\">fc.weight[1]</td><td class=\"INPUT\">INPUT</td>"
        + "<td class=\"n\">128</td>"), html);
    assertTrue(html.contains("<td class=\"m\">Conv2dImpl.forward</td><td class=\"m\">conv"
        + "</td>"), html);
    assertFalse(html.contains("http://") || html.contains("https://") || html.contains("src="),
        "nothing is fetched");
    assertEquals("a&lt;b&gt;&amp;&quot;&#39;", GroupsHtml.esc("a<b>&\"'"));
  }
}
