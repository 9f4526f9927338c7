package io.jprune.app;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.primitives.ImmutableLongArray;
import io.jprune.nativeconfig.Libtorch;
import io.jprune.pruner.graph.ParamCut;
import io.jprune.pruner.save.PrunedModelFiles;
import io.jprune.pruner.save.PruningRecord;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.PrintWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;
import org.junit.jupiter.api.Test;

/**
 * {@code java -jar jprune-agent.jar PID 'prune=...'} on a running program that serves forwards
 * ({@code ServingApp}, started without any agent): pruned at its next request, it keeps serving,
 * and its answers equal those of the original with the removed channels zeroed.
 */
class AttachPruningIT {
  /** Relative tolerance against the masked original (float32 sums over fewer terms). */
  static final double REL_TOL = 1e-5;

  @Test
  void aRunningAppIsPrunedFromAnotherProcessAndKeepsServing() throws Exception {
    Path dir = AgentPruningIT.fresh("attached");
    Process app = AppRun.builder(AppRun.command(null, "ServingApp")).start();
    List<String> log = new ArrayList<>();
    try {
      BufferedReader in =
          new BufferedReader(new InputStreamReader(app.getInputStream(), StandardCharsets.UTF_8));
      PrintWriter out = new PrintWriter(app.getOutputStream(), true, StandardCharsets.UTF_8);
      String ready = next(in, "ready ", log);
      long pid = Long.parseLong(ready.substring("ready ".length()));
      float[] original = values(request(in, out, log));

      AppRun attach =
          AppRun.run0(
              List.of(
                  javaBin(),
                  "-jar",
                  AppRun.agentJar(),
                  Long.toString(pid),
                  "prune=0.5;ignore=fc3;output=" + dir));
      assertEquals(0, attach.exitCode(), attach.output());
      assertTrue(attach.output().contains("jprune: attached to " + pid), attach.output());

      float[] first = values(request(in, out, log));
      float[] second = values(request(in, out, log));
      out.println("quit");
      assertTrue(app.waitFor(1, TimeUnit.MINUTES));
      assertEquals(0, app.exitValue(), String.join("\n", log));
      assertTrue(
          log.stream()
              .anyMatch(
                  l ->
                      l.startsWith(
                          "INFO: jprune: pruned SimpleMNIST$Net before root forward 1 in ")),
          String.join("\n", log));
      assertEquals(
          java.util.Arrays.toString(first),
          java.util.Arrays.toString(second),
          "two requests after the prune");

      float[] masked = maskedOriginal(PrunedModelFiles.readRecord(dir));
      double scale = 0;
      for (float v : masked) {
        scale = Math.max(scale, Math.abs(v));
      }
      for (int i = 0; i < masked.length; i++) {
        assertEquals(masked[i], first[i], REL_TOL * scale, "output " + i);
      }
      assertTrue(!java.util.Arrays.equals(original, first), "the prune changed nothing");
    } finally {
      app.destroy();
    }
  }

  /** The app's network (seed 5) with the recorded channels zeroed, on the app's batch. */
  private static float[] maskedOriginal(PruningRecord record) throws Exception {
    Libtorch.load();
    torch.manual_seed(5);
    Module net = AgentPruningIT.newNet();
    Tensor batch = torch.rand(4, 784);
    java.util.Map<String, Tensor> tensors = new java.util.LinkedHashMap<>();
    for (var e : io.jprune.pruner.surgery.ModelTensors.of(net).entrySet()) {
      tensors.put(e.getKey(), e.getValue());
    }
    int zeroed = 0;
    try (NoGradGuard g = new NoGradGuard()) {
      for (ParamCut cut : record.changes().get(0).cuts()) {
        ImmutableLongArray rows = cut.removed().get(0);
        boolean producer = cut.param().startsWith("fc1.") || cut.param().startsWith("fc2.");
        if (rows == null || !producer) {
          continue;
        }
        for (int i = 0; i < rows.length(); i++) {
          tensors.get(cut.param()).select(0, rows.get(i)).zero_();
          zeroed++;
        }
      }
    }
    assertEquals(2 * (32 + 16), zeroed, "rows zeroed in fc1/fc2 weights and biases");
    Tensor y = AgentPruningIT.forward(net, batch).contiguous();
    FloatPointer p = y.data_ptr_float();
    float[] out = new float[(int) y.numel()];
    p.get(out);
    return out;
  }

  private static String request(BufferedReader in, PrintWriter out, List<String> log)
      throws Exception {
    out.println("go");
    return next(in, "out ", log);
  }

  private static String next(BufferedReader in, String prefix, List<String> log) throws Exception {
    for (String line = in.readLine(); line != null; line = in.readLine()) {
      log.add(line);
      if (line.startsWith(prefix)) {
        return line;
      }
    }
    throw new AssertionError(
        "the app ended before printing '" + prefix + "':\n" + String.join("\n", log));
  }

  private static float[] values(String line) {
    String[] parts = line.substring("out ".length()).trim().split(" ");
    float[] out = new float[parts.length];
    for (int i = 0; i < parts.length; i++) {
      out[i] = Float.parseFloat(parts[i]);
    }
    return out;
  }

  private static String javaBin() {
    return Path.of(System.getProperty("java.home"), "bin", "java").toString();
  }
}
