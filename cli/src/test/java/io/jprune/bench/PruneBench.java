package io.jprune.bench;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import io.jprune.cli.FastStart;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * jprune against Torch-Pruning (profile {@code bench}): ResNet-18, ResNet-50, MobileNetV2 and
 * ViT-S/16 at ratio 0.5, L2 group magnitude, classifier ignored, one thread, heads kept.
 *
 * <p>Each round runs, per model and alternating the sides so that both see the same machine state:
 * the jprune CLI in a fresh JVM (cold: process wall and peak RSS; started as {@link #cli} says),
 * Torch-Pruning's {@code tp_bench.py} in a fresh Python process (where {@code
 * ../shared/peers/torch-pruning} was set up), {@link WarmPrune} (warm build + step in a JVM that
 * already pruned 20 times, and its second prune) and, for the memory target, {@link PlainForward}.
 * Peak RSS comes from GNU {@code /usr/bin/time -f %M}. The medians over the rounds and the ratios
 * jprune / Torch-Pruning are printed as one markdown table.
 *
 * <p>Arguments: {@code CLI_JAR TP_BENCH_PY TP_DIR [ROUNDS] [MODELS] [TP_REPEAT_PY]}, MODELS {@code
 * all} or a comma-separated list of TP's names ({@code resnet18,vit_s}); with TP_REPEAT_PY ({@code
 * src/test/python/tp_repeat.py}) the peer's build + step is also repeated in one process, so that
 * the warm ratio is given against a settled peer as well.
 */
public final class PruneBench {
  private record Case(String tp, String zoo, String ignored) {}

  private static final List<Case> CASES =
      List.of(
          new Case("resnet18", "RESNET18", "fc"),
          new Case("resnet50", "RESNET50", "fc"),
          new Case("mobilenet_v2", "MOBILENET_V2", "classifier"),
          new Case("vit_s", "VIT_S_SELECT", "head"));
  private static final Pattern KV = Pattern.compile("(\\w+)=(\\S+)");
  private static final Pattern TIME = Pattern.compile("BENCH_TIME rss_kb=(\\d+) wall_s=([0-9.]+)");
  private static final Path GNU_TIME = Path.of("/usr/bin/time");
  // Warm means the JIT has settled: MobileNetV2's second prune in a JVM takes about twice its
  // twentieth. The second prune is reported too.
  private static final int WARM_UP = 20;
  private static final int WARM_ROUNDS = 5;
  private static final int TP_REPEATS = 8;

  private PruneBench() {}

  public static void main(String[] args) throws Exception {
    Path cliJar = Path.of(args[0]);
    Path tpBench = Path.of(args[1]);
    Path tpDir = Path.of(args[2]);
    int rounds = args.length > 3 ? Integer.parseInt(args[3]) : 3;
    List<String> only =
        args.length > 4 && !args[4].equals("all") ? List.of(args[4].split(",")) : List.of();
    Path tpRepeat = args.length > 5 ? Path.of(args[5]) : null;
    boolean peer =
        Files.isRegularFile(tpBench) && Files.isDirectory(tpDir.resolve("torch_pruning"));
    if (!peer) {
      System.out.println(
          "Torch-Pruning is not set up ("
              + tpDir
              + "): run "
              + tpBench.resolveSibling("setup.sh")
              + " "
              + tpDir
              + "; jprune's side only");
    }
    if (!Files.isExecutable(GNU_TIME)) {
      System.out.println("no GNU time at " + GNU_TIME + " (apt-get install time): no peak RSS");
    }
    Map<String, List<Map<String, Double>>> results = new LinkedHashMap<>();
    for (int round = 1; round <= rounds; round++) {
      for (Case c : CASES) {
        if (!only.isEmpty() && !only.contains(c.tp())) {
          continue;
        }
        Map<String, Double> r = new LinkedHashMap<>();
        Measured cold =
            run(
                cli(
                    cliJar,
                    "--model",
                    c.zoo(),
                    "--ratio",
                    "0.5",
                    "--head-ratio",
                    "0",
                    "--importance",
                    "l2",
                    "--ignore",
                    c.ignored(),
                    "--threads",
                    "1",
                    "--runs",
                    "5",
                    "--no-verify"),
                Map.of("JAVA_HOME", System.getProperty("java.home")));
        r.put("cold_wall_s", cold.wallS);
        r.put("cold_rss_mb", cold.rssKb / 1024.0);
        if (peer) {
          Measured tp =
              run(
                  List.of("/usr/bin/python3", tpBench.toString(), c.tp()),
                  Map.of("PYTHONPATH", tpDir.toString()));
          JsonObject json = json(tp, "RESULT ", "tp_bench.py");
          r.put("tp_process_s", tp.wallS);
          r.put("tp_rss_mb", tp.rssKb / 1024.0);
          r.put(
              "tp_build_step_s",
              json.get("build_s").getAsDouble() + json.get("step_s").getAsDouble());
          r.put("tp_params_after", json.get("params_after").getAsDouble());
          r.put("tp_fwd_before_ms", json.get("fwd_before_ms").getAsDouble());
          r.put("tp_fwd_after_ms", json.get("fwd_after_ms").getAsDouble());
          if (tpRepeat != null) {
            r.putAll(tpRepeat(tpRepeat, tpBench, tpDir, c.tp()));
          }
        }
        Measured warm =
            run(
                List.of(
                    java(),
                    "-Djdk.attach.allowAttachSelf=true",
                    "-cp",
                    System.getProperty("java.class.path"),
                    WarmPrune.class.getName(),
                    c.zoo(),
                    c.ignored(),
                    String.valueOf(WARM_ROUNDS),
                    String.valueOf(WARM_UP)),
                Map.of());
        Map<String, String> w =
            keyValues(
                line(warm.out, "WARM ")
                    .orElseThrow(
                        () ->
                            new IllegalStateException(
                                "WarmPrune printed no WARM line:\n" + warm.out)));
        for (String k :
            List.of(
                "second_ms",
                "build_ms",
                "step_ms",
                "total_ms",
                "trace_ms",
                "graph_ms",
                "importance_ms",
                "surgery_ms",
                "params_before",
                "params_after",
                "fwd_before_ms",
                "fwd_after_ms")) {
          r.put("warm_" + k, Double.parseDouble(w.get(k)));
        }
        Measured plain =
            run(
                List.of(
                    java(),
                    "-cp",
                    System.getProperty("java.class.path"),
                    PlainForward.class.getName(),
                    c.zoo()),
                Map.of());
        r.put("plain_rss_mb", plain.rssKb / 1024.0);
        System.out.println("round " + round + " " + c.tp() + " " + r);
        results.computeIfAbsent(c.tp(), k -> new ArrayList<>()).add(r);
      }
    }
    System.out.println();
    System.out.println(table(results, peer));
  }

  private static String table(Map<String, List<Map<String, Double>>> results, boolean peer) {
    StringBuilder s = new StringBuilder();
    s.append(
        "| model | params after (jprune / TP) | warm build+step s (trace, graph, "
            + "importance, surgery ms) | TP build+step s: first (settled) | warm / TP: first (settled) | "
            + "second prune s (/ TP second) | cold CLI "
            + "process s | TP process s | cold / TP | peak RSS MB: prune / plain forward / TP | "
            + "forward ms before->after: JVM / TP |\n|---|---|---|---|---|---|---|---|---|---|---|\n");
    for (var e : results.entrySet()) {
      Map<String, Double> m = medians(e.getValue());
      double warm = m.get("warm_total_ms") / 1e3;
      double second = m.get("warm_second_ms") / 1e3;
      s.append(
          String.format(
              Locale.ROOT,
              "| %s | %,d / %s | %.2f (%.0f, %.0f, %.0f, %.0f) | %s | %s | %.2f%s "
                  + "| %.2f | %s | %s | %.0f / %.0f / %s | %.1f->%.1f / %s |%n",
              e.getKey(),
              m.get("warm_params_after").longValue(),
              peer ? String.format(Locale.ROOT, "%,d", m.get("tp_params_after").longValue()) : "-",
              warm,
              m.get("warm_trace_ms"),
              m.get("warm_graph_ms"),
              m.get("warm_importance_ms"),
              m.get("warm_surgery_ms"),
              peer ? fmt(m.get("tp_build_step_s")) + settledSeconds(m) : "-",
              peer ? fmt(warm / m.get("tp_build_step_s")) + "x" + settledRatio(m, warm) : "-",
              second,
              m.containsKey("tp_second_s") ? " (" + fmt(second / m.get("tp_second_s")) + "x)" : "",
              m.get("cold_wall_s"),
              peer ? fmt(m.get("tp_process_s")) : "-",
              peer ? fmt(m.get("cold_wall_s") / m.get("tp_process_s")) + "x" : "-",
              m.get("cold_rss_mb"),
              m.get("plain_rss_mb"),
              peer ? String.format(Locale.ROOT, "%.0f", m.get("tp_rss_mb")) : "-",
              m.get("warm_fwd_before_ms"),
              m.get("warm_fwd_after_ms"),
              peer
                  ? String.format(
                      Locale.ROOT,
                      "%.1f->%.1f",
                      m.get("tp_fwd_before_ms"),
                      m.get("tp_fwd_after_ms"))
                  : "-"));
    }
    return s.toString();
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%.2f", v);
  }

  private static Map<String, Double> medians(List<Map<String, Double>> rounds) {
    Map<String, Double> m = new LinkedHashMap<>();
    for (String k : rounds.get(0).keySet()) {
      m.put(k, WarmPrune.median(rounds.stream().mapToDouble(r -> r.get(k)).toArray()));
    }
    return m;
  }

  private record Measured(String out, double wallS, long rssKb) {}

  /** Runs a process under GNU time (when present) with one libtorch/OpenMP thread. */
  /** " (s)", the peer's settled build + step in seconds, or "" where it was not repeated. */
  private static String settledSeconds(Map<String, Double> m) {
    return m.containsKey("tp_settled_s") ? " (" + fmt(m.get("tp_settled_s")) + ")" : "";
  }

  /** " (r x)", {@code seconds} over the peer's settled build + step, or "" as above. */
  private static String settledRatio(Map<String, Double> m, double seconds) {
    return m.containsKey("tp_settled_s") ? " (" + fmt(seconds / m.get("tp_settled_s")) + "x)" : "";
  }

  /** Torch-Pruning's build + step, {@value #TP_REPEATS} times in one process. */
  private static Map<String, Double> tpRepeat(Path script, Path tpBench, Path tpDir, String model)
      throws IOException, InterruptedException {
    Measured m =
        run(
            List.of(
                "/usr/bin/python3",
                script.toString(),
                tpBench.toString(),
                model,
                String.valueOf(TP_REPEATS)),
            Map.of("PYTHONPATH", tpDir.toString()));
    JsonObject json = json(m, "TPREPEAT ", "tp_repeat.py");
    return Map.of(
        "tp_second_s", json.get("second_s").getAsDouble(),
        "tp_settled_s", json.get("settled_s").getAsDouble());
  }

  /** The JSON after {@code prefix} on the line of {@code m}'s output that starts with it. */
  private static JsonObject json(Measured m, String prefix, String script) {
    String found =
        line(m.out, prefix)
            .orElseThrow(
                () -> new IllegalStateException(script + " printed no " + prefix + ":\n" + m.out));
    return JsonParser.parseString(found).getAsJsonObject();
  }

  private static Measured run(List<String> command, Map<String, String> env)
      throws IOException, InterruptedException {
    List<String> full = new ArrayList<>();
    boolean gnuTime = Files.isExecutable(GNU_TIME);
    if (gnuTime) {
      full.addAll(List.of(GNU_TIME.toString(), "-f", "BENCH_TIME rss_kb=%M wall_s=%e"));
    }
    full.addAll(command);
    ProcessBuilder pb = new ProcessBuilder(full).redirectErrorStream(true);
    pb.environment().put("OMP_NUM_THREADS", "1");
    // libtorch's set_num_threads does not reach OpenBLAS's own pool (ViT's matmuls): pin it too
    pb.environment().put("OPENBLAS_NUM_THREADS", "1");
    pb.environment().putAll(env);
    long t0 = System.nanoTime();
    Process p = pb.start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    int rc = p.waitFor();
    double wall = (System.nanoTime() - t0) / 1e9;
    if (rc != 0) {
      throw new IllegalStateException("exit " + rc + ": " + command + "\n" + out);
    }
    Matcher m = TIME.matcher(out);
    long rss = 0;
    if (m.find()) {
      rss = Long.parseLong(m.group(1));
      wall = Double.parseDouble(m.group(2));
    }
    return new Measured(out, wall, rss);
  }

  private static Optional<String> line(String out, String prefix) {
    return out.lines()
        .filter(l -> l.startsWith(prefix))
        .findFirst()
        .map(l -> l.substring(prefix.length()));
  }

  private static Map<String, String> keyValues(String line) {
    Map<String, String> kv = new LinkedHashMap<>();
    Matcher m = KV.matcher(line);
    while (m.find()) {
      kv.put(m.group(1), m.group(2));
    }
    return kv;
  }

  /**
   * The command as users start it: the fast-start launcher the build wrote beside the jar, or
   * {@code java -jar} where there is none ({@code -Djprune.fastStart.skip}).
   */
  private static List<String> cli(Path jar, String... args) {
    Path launcher = jar.resolveSibling(FastStart.LAUNCHER);
    List<String> command =
        Files.isExecutable(launcher)
            ? new ArrayList<>(List.of(launcher.toString()))
            : new ArrayList<>(List.of(java(), "-jar", jar.toString()));
    command.addAll(List.of(args));
    return command;
  }

  private static String java() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
