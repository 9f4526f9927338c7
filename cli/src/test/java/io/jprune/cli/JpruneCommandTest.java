package io.jprune.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.report.ModelCost;
import io.jprune.pruner.save.PrunedModelFiles;
import io.jprune.pruner.save.PruningRecord;
import io.jprune.zoo.ZooModel;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The command end to end on a small zoo model, in this JVM (the pruner self-attaches). */
class JpruneCommandTest {
  @TempDir Path dir;

  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine cl = JpruneCommand.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int exit = cl.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void prunesVerifiesReportsAndSavesEspcn() throws Exception {
    Path saved = dir.resolve("espcn");
    Run r =
        run(
            "--model",
            "espcn",
            "--ratio",
            "0.5",
            "--runs",
            "1",
            "--threads",
            "1",
            "--output",
            saved.toString(),
            "--html",
            dir.resolve("g.html").toString(),
            "--dot",
            dir.resolve("g.dot").toString());
    assertEquals(0, r.exit(), r.out() + r.err());
    assertTrue(
        r.out()
            .contains(
                "ESPCN, l2 importance, ratio 0.5, head ratio 0.5, 1 step(s), " + "1 thread(s)\n"),
        r.out());
    assertTrue(r.out().contains("\ntotal "), r.out());
    assertTrue(r.out().matches("(?s).*total\\s+41,009\\s.*"), r.out());
    assertTrue(
        r.out()
            .contains(
                "\nverify step 1: proven: all 52 removed channels: the pruned "
                    + "output equals the masked original (max|diff|="),
        r.out());
    assertTrue(
        r.out()
            .matches(
                "(?s).*wall time [0-9.]+ s: trace [0-9.]+ s, graph [0-9.]+ s, "
                    + "importance [0-9.]+ s, surgery [0-9.]+ s \\| verify .*"),
        r.out());
    assertTrue(Files.readString(dir.resolve("g.html")).startsWith("<!DOCTYPE html>"));
    assertTrue(Files.readString(dir.resolve("g.dot")).startsWith("digraph groups {"));

    PruningRecord record = PrunedModelFiles.readRecord(saved);
    Module fresh = ZooModel.ESPCN.create(0);
    PrunedModelFiles.load(fresh, saved);
    Tensor y = ZooModel.ESPCN.forward(fresh, ZooModel.ESPCN.exampleInput(0));
    assertArrayEquals(
        new long[] {1, 1, 96, 96}, new long[] {y.size(0), y.size(1), y.size(2), y.size(3)});
    assertEquals("io.jprune.zoo.Espcn", record.modelClass());
  }

  @Test
  void badOptionsAreNamed() {
    Run r = run("--model", "NOPE");
    assertEquals(2, r.exit());
    assertTrue(
        r.err().startsWith("jprune: Invalid value for option '--model': expected one of "),
        r.err());
    assertEquals(1, r.err().lines().count(), r.err());
  }

  /** Value errors are one line on stderr, exit 2, found before libtorch loads or any prune. */
  @ParameterizedTest(name = "{0}")
  @CsvSource(
      delimiter = '|',
      value = {
        "--ratio 2|jprune: --ratio must be in [0, 1), got 2.0 (see jprune --help)",
        "--ratio -0.1|jprune: --ratio must be in [0, 1), got -0.1 (see jprune --help)",
        "--head-ratio 1|jprune: --head-ratio must be in [0, 1), got 1.0 (see jprune --help)",
        "--threads 0|jprune: --threads must be at least 1, got 0 (see jprune --help)",
        "--steps 0|jprune: --steps must be at least 1, got 0 (see jprune --help)",
        "--round-to 0|jprune: --round-to must be at least 1, got 0 (see jprune --help)",
        "--runs -1|jprune: --runs must be 0 or more, got -1 (see jprune --help)",
        "--ratio abc|jprune: Invalid value for option '--ratio': 'abc' is not a double "
            + "(see jprune --help)"
      })
  void valueErrorsAreOneLineAndExit2(String args, String line) {
    Run r = run(args.split(" "));
    assertEquals(2, r.exit(), r.err());
    assertEquals(line, r.err().strip());
    assertEquals("", r.out());
  }

  @Test
  void outputPathsAreCheckedBeforeThePrune() throws Exception {
    Path file = Files.writeString(dir.resolve("a-file"), "x");
    Run r = run("--model", "espcn", "--output", file.toString());
    assertEquals(2, r.exit(), r.err());
    assertEquals(
        "jprune: --output " + file + " is a file, not a directory (see jprune --help)",
        r.err().strip());
    r = run("--model", "espcn", "--output", file.resolve("sub").toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(
        r.err()
            .startsWith(
                "jprune: --output "
                    + file.resolve("sub")
                    + " cannot be "
                    + "created: "
                    + file
                    + " is not a directory"),
        r.err());
    Path notes = Files.createDirectories(dir.resolve("notes"));
    Files.writeString(notes.resolve("a.txt"), "x");
    r = run("--model", "espcn", "--runs", "0", "--threads", "1", "--output", notes.toString());
    assertEquals(2, r.exit(), r.err());
    assertTrue(
        r.err().startsWith("jprune: " + notes + " holds files that are not a jprune save"),
        r.err());
    assertEquals("", r.out(), "refused before the prune");
    r = run("--model", "espcn", "--html", dir.toString());
    assertEquals(2, r.exit(), r.err());
    assertEquals("", r.out(), "nothing was pruned");
  }

  @Test
  void roundToLargerThanEveryGroupIsRefusedInOneLine() {
    Run r = run("--model", "espcn", "--round-to", "1000", "--runs", "0", "--threads", "1");
    assertEquals(2, r.exit(), r.err());
    assertTrue(
        r.err()
            .startsWith(
                "jprune: --round-to 1000 is not smaller than any channel "
                    + "group (the largest has "),
        r.err());
    assertEquals(1, r.err().lines().count(), r.err());
    r = run("--model", "espcn", "--ignore", "nosuch", "--runs", "0", "--threads", "1");
    assertEquals(2, r.exit(), r.err());
    assertEquals(
        "jprune: ignored module 'nosuch' is not a module of Espcn (see jprune --help)",
        r.err().strip());
  }

  @Test
  void helpListsTheOptions() {
    Run r = run("--help");
    assertEquals(0, r.exit());
    for (String o :
        new String[] {
          "--model",
          "--ratio",
          "--head-ratio",
          "--importance",
          "--global",
          "--steps",
          "--round-to",
          "--ignore",
          "--output",
          "--html",
          "--threads"
        }) {
      assertTrue(r.out().contains(o), o + " missing from\n" + r.out());
    }
  }

  /**
   * One step: the table is counted from the original trace and the step's effects, not from a trace
   * of the pruned model; it must be what such a trace counts. Two steps trace again.
   */
  @ParameterizedTest
  @CsvSource({"ESPCN, 1", "UNET, 1", "VIT_S_SELECT, 1", "ESPCN, 2"})
  void tableCountsWhatATraceOfThePrunedModelCounts(ZooModel zoo, int steps) {
    Run r =
        run(
            "--model",
            zoo.name(),
            "--steps",
            String.valueOf(steps),
            "--runs",
            "0",
            "--threads",
            "1",
            "--no-verify");
    assertEquals(0, r.exit(), r.out() + r.err());
    ModelSource.Loaded m = new ModelSource.Zoo(zoo).load(0);
    Pruner pruner =
        Pruner.builder(m.model())
            .forward(m.forward())
            .importance(Criterion.L2.importance(0))
            .ratio(0.5)
            .headRatio(0.5)
            .steps(steps)
            .build();
    pruner.pruneAll();
    ModelCost traced = ModelCost.of(pruner.graph().trace());
    String total = r.out().lines().filter(l -> l.startsWith("total ")).findFirst().orElseThrow();
    assertEquals(
        List.of(String.format("%,d", traced.params()), String.format("%,d", traced.macs())),
        List.of(total.trim().split("\\s+")[2], total.trim().split("\\s+")[5]),
        r.out());
  }

  @Test
  void timeSplitAddsUp() {
    assertEquals(
        "wall time 10.00 s: trace 0.00 s, graph 0.00 s, importance 0.00 s, surgery "
            + "0.00 s | verify 1.00 s, latency runs 2.00 s, cost table 3.00 s, other "
            + "(libtorch start, model build) 4.00 s",
        JpruneCommand.timeSplit(
            java.util.List.of(), 1_000_000_000L, 2_000_000_000L, 3_000_000_000L, 10_000_000_000L));
  }
}
