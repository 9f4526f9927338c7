package io.jprune.pruner.report;

import static com.google.common.base.Preconditions.checkNotNull;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * A printable before/after table: per layer params and MACs before and after pruning with the kept
 * fraction, totals with their ratios, and forward latency before and after with the speed-up. Plain
 * text with aligned columns, for a console or a log file.
 *
 * @param title first line, e.g. the model's name
 * @param before cost of the original model
 * @param after cost of the pruned model (a re-trace, or {@link ModelCost#afterRemoval})
 * @param latencyBefore latency of the original model, if measured
 * @param latencyAfter latency of the pruned model, if measured
 */
public record PruningReport(
    String title,
    ModelCost before,
    ModelCost after,
    Optional<Latency> latencyBefore,
    Optional<Latency> latencyAfter) {

  public PruningReport {
    checkNotNull(title, "title");
    checkNotNull(before, "before");
    checkNotNull(after, "after");
    checkNotNull(latencyBefore, "latencyBefore");
    checkNotNull(latencyAfter, "latencyAfter");
  }

  /** A report without latency. */
  public static PruningReport of(String title, ModelCost before, ModelCost after) {
    return new PruningReport(title, before, after, Optional.empty(), Optional.empty());
  }

  /** The same report with latencies. */
  public PruningReport withLatency(Latency beforeRun, Latency afterRun) {
    return new PruningReport(title, before, after, Optional.of(beforeRun), Optional.of(afterRun));
  }

  /** Kept fraction of parameters (after / before). */
  public double paramsKept() {
    return ratio(after.params(), before.params());
  }

  /** Kept fraction of MACs (after / before). */
  public double macsKept() {
    return ratio(after.macs(), before.macs());
  }

  /** Median speed-up, when both latencies were measured. */
  public Optional<Double> speedUp() {
    return latencyBefore.flatMap(b -> latencyAfter.map(b::speedUp));
  }

  /** The table, totals, latency and what is counted. */
  public String render() {
    StringBuilder sb = new StringBuilder();
    sb.append(title).append('\n');
    appendAligned(sb, table());
    sb.append(
        String.format(
            Locale.ROOT,
            "params  %s -> %s (x%.2f fewer)%n",
            human(before.params()),
            human(after.params()),
            inverse(paramsKept())));
    sb.append(
        String.format(
            Locale.ROOT,
            "MACs    %s -> %s (x%.2f fewer)%n",
            human(before.macs()),
            human(after.macs()),
            inverse(macsKept())));
    if (latencyBefore.isPresent() && latencyAfter.isPresent()) {
      sb.append(latencyLine(latencyBefore.get(), latencyAfter.get()));
    }
    sb.append(ModelCost.COUNTED).append('\n');
    return sb.toString();
  }

  /** The heading row, one row per layer of either model (in their order), and the totals. */
  private List<String[]> table() {
    Map<String, LayerCost[]> rows = new LinkedHashMap<>();
    for (LayerCost l : before.layers()) {
      rows.computeIfAbsent(l.name(), n -> new LayerCost[2])[0] = l;
    }
    for (LayerCost l : after.layers()) {
      rows.computeIfAbsent(l.name(), n -> new LayerCost[2])[1] = l;
    }
    List<String[]> table = new ArrayList<>();
    table.add(
        new String[] {
          "layer",
          "type",
          "params before",
          "params after",
          "kept",
          "MACs before",
          "MACs after",
          "kept"
        });
    for (LayerCost[] r : rows.values()) {
      table.add(layerRow(r[0], r[1]));
    }
    table.add(
        new String[] {
          "total",
          "",
          count(before.params()),
          count(after.params()),
          percent(after.params(), before.params()),
          count(before.macs()),
          count(after.macs()),
          percent(after.macs(), before.macs())
        });
    return table;
  }

  /** A layer's row; {@code b} or {@code a} is null for a layer the model before or after lacks. */
  private static String[] layerRow(LayerCost b, LayerCost a) {
    LayerCost any = b != null ? b : a;
    long pb = b == null ? 0 : b.params();
    long pa = a == null ? 0 : a.params();
    long mb = b == null ? 0 : b.macs();
    long ma = a == null ? 0 : a.macs();
    return new String[] {
      any.name(),
      any.type(),
      count(pb),
      count(pa),
      percent(pa, pb),
      count(mb),
      count(ma),
      percent(ma, mb)
    };
  }

  private static String latencyLine(Latency b, Latency a) {
    return String.format(
        Locale.ROOT,
        "latency median %.2f ms -> %.2f ms, p90 %.2f ms -> "
            + "%.2f ms (speed-up x%.2f, %d runs each)%n",
        b.medianMs(),
        a.medianMs(),
        b.p90Ms(),
        a.p90Ms(),
        b.speedUp(a),
        a.iterations());
  }

  @Override
  public String toString() {
    return render();
  }

  private static void appendAligned(StringBuilder sb, List<String[]> table) {
    int cols = table.get(0).length;
    int[] width = new int[cols];
    for (String[] row : table) {
      for (int c = 0; c < cols; c++) {
        width[c] = Math.max(width[c], row[c].length());
      }
    }
    for (int r = 0; r < table.size(); r++) {
      String[] row = table.get(r);
      StringBuilder line = new StringBuilder();
      for (int c = 0; c < cols; c++) {
        boolean text = c < 2;
        String cell = text ? pad(row[c], width[c], false) : pad(row[c], width[c], true);
        line.append(cell).append(c == cols - 1 ? "" : "  ");
      }
      sb.append(line.toString().stripTrailing()).append('\n');
      if (r == 0 || r == table.size() - 2) {
        int total = line.toString().stripTrailing().length();
        sb.append("-".repeat(total)).append('\n');
      }
    }
  }

  private static String pad(String s, int width, boolean right) {
    String fill = " ".repeat(width - s.length());
    return right ? fill + s : s + fill;
  }

  private static String count(long n) {
    return String.format(Locale.ROOT, "%,d", n);
  }

  private static String percent(long after, long before) {
    return before == 0 ? "-" : String.format(Locale.ROOT, "%.1f%%", 100.0 * after / before);
  }

  private static double ratio(long after, long before) {
    return before == 0 ? 1 : (double) after / before;
  }

  private static double inverse(double kept) {
    return kept == 0 ? Double.POSITIVE_INFINITY : 1 / kept;
  }

  /** 11.69 M, 1.822 G. */
  static String human(long n) {
    if (n >= 1_000_000_000L) {
      return String.format(Locale.ROOT, "%.3f G", n / 1e9);
    }
    if (n >= 1_000_000L) {
      return String.format(Locale.ROOT, "%.2f M", n / 1e6);
    }
    if (n >= 1_000L) {
      return String.format(Locale.ROOT, "%.2f K", n / 1e3);
    }
    return Long.toString(n);
  }
}
