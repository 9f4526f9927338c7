package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Applications in the unnamed package run unmodified in forked JVMs, started as their users start
 * them, with the real {@code -javaagent} and no package restriction: bytedeco's SimpleMNIST sample
 * traced with {@code trace=} (the root is the model's forward, every op is in the trace, seeded
 * losses are bit-identical to the run without the agent), and an application that prunes a model
 * whose forward calls helpers of another package.
 */
class WholeAppAgentIT {
  @TempDir Path dir;

  @Test
  void simpleMnistIsTracedFromItsRootWithoutChangingTraining() throws Exception {
    String plain = run(dir.resolve("plain"), List.of(), "SimpleMNIST");
    Path json = dir.resolve("trace.json");
    String traced =
        run(
            dir.resolve("traced"),
            List.of("-javaagent:" + agentJar() + "=trace=" + json),
            "SimpleMNIST");

    List<String> losses = losses(plain);
    assertEquals(9, losses.size(), plain);
    assertEquals(losses, losses(traced), "seeded losses must be bit-identical with trace=");
    // the agent is quiet by default (issue 12): the file itself is the evidence
    assertTrue(Files.isRegularFile(json) && Files.size(json) > 0, "no trace written:\n" + traced);
    assertFalse(traced.contains("could not instrument"), traced);
    assertTrue(Files.size(dir.resolve("traced/net.pt")) > 0, "the app's checkpoint");

    JsonObject trace = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    assertEquals("SimpleMNIST$Net", trace.get("root").getAsString());
    List<String> calls = new ArrayList<>();
    for (JsonElement e : trace.getAsJsonArray("calls")) {
      JsonObject call = e.getAsJsonObject();
      JsonElement receiver = call.get("receiver");
      boolean module = receiver.isJsonObject() && receiver.getAsJsonObject().has("module");
      calls.add(
          call.get("op").getAsString()
              + (module ? "(" + receiver.getAsJsonObject().get("module").getAsString() + ")" : ""));
    }
    assertEquals(
        List.of(
            "SimpleMNIST$Net.forward()",
            "Tensor.size",
            "Tensor.reshape",
            "LinearImpl.forward(fc1)",
            "torch.relu",
            "torch.dropout",
            "LinearImpl.forward(fc2)",
            "torch.relu",
            "LinearImpl.forward(fc3)",
            "torch.log_softmax"),
        calls,
        traced);
    JsonArray tensors = trace.getAsJsonArray("tensors");
    JsonObject input = tensors.get(0).getAsJsonObject();
    assertEquals("INPUT", input.get("origin").getAsString(), input.toString());
    assertEquals("[64,1,28,28]", input.get("shape").toString());
    assertTrue(
        stream(tensors)
            .noneMatch(t -> t.getAsJsonObject().get("origin").getAsString().equals("EXTERNAL")),
        "every tensor's origin was seen");
  }

  @ParameterizedTest
  @ValueSource(strings = {"executor", "reflection"})
  void theRootIsTheOutermostForwardWhereverItIsCalledFrom(String how) throws Exception {
    Path json = dir.resolve("trace.json");
    String out =
        run(dir, List.of("-javaagent:" + agentJar() + "=trace=" + json), "FrameworkApp", how);
    assertTrue(Files.isRegularFile(json) && Files.size(json) > 0, "no trace written:\n" + out);
    JsonObject trace = JsonParser.parseString(Files.readString(json)).getAsJsonObject();
    assertEquals("SimpleMNIST$Net", trace.get("root").getAsString());
    List<String> ops = new ArrayList<>();
    trace
        .getAsJsonArray("calls")
        .forEach(c -> ops.add(c.getAsJsonObject().get("op").getAsString()));
    List<String> inner =
        List.of(
            "Tensor.size",
            "Tensor.reshape",
            "LinearImpl.forward",
            "torch.relu",
            "torch.dropout",
            "LinearImpl.forward",
            "torch.relu",
            "LinearImpl.forward",
            "torch.log_softmax");
    List<String> expected = new ArrayList<>();
    if (how.equals("executor")) {
      expected.add("SimpleMNIST$Net.forward"); // the lambda's call site
    }
    expected.addAll(inner); // and neither the loss nor backward, which come after the forward
    assertEquals(expected, ops, out);
    JsonObject input = trace.getAsJsonArray("tensors").get(0).getAsJsonObject();
    assertEquals("INPUT", input.get("origin").getAsString(), input.toString());
    assertEquals("[8,1,28,28]", input.get("shape").toString());
  }

  @Test
  void unnamedPackageModelsPruneThroughTheAgent() throws Exception {
    String out = run(dir, List.of("-javaagent:" + agentJar()), "UnnamedPackagePruning");
    assertFalse(out.contains("could not instrument"), out);
    String ops = Files.readString(Path.of("src/test/java/com/example/ops/Ops.java"));
    assertTrue(
        out.contains(
            "shift: conv1 3->4, conv2 4->4, conv3 4->4; 1 roll at"
                + " com.example.ops.Ops.shift(Ops.java:"
                + lineOf(ops, "roll-site")
                + "); exact true"),
        out);
    assertTrue(
        out.contains(
            "RUNNING_SUM: UnsupportedOpException: unsupported op Tensor.cumsum at"
                + " com.example.ops.Ops.runningSum(Ops.java:"
                + lineOf(ops, "cumsum-site")
                + "): no"
                + " channel rule is known for it; jprune refuses rather than guessing; unchanged true"),
        out);
    for (String variant : List.of("MADE_BY_REFLECTION", "CHANGED_BY_REFLECTION")) {
      assertTrue(
          out.contains(
              variant
                  + ": UnseenTensorException: jprune did not see where the"
                  + " tensor [1, 8, 10, 10] read by Conv2dImpl.forward (conv2) at ShiftNet.forward("
                  + "ShiftNet.java:"),
          out);
    }
    assertEquals(2, out.split("so nothing was pruned; unchanged true", -1).length - 1, out);
  }

  /** Runs {@code main} of the class in a fresh JVM in {@code workDir}; returns its output. */
  private static String run(Path workDir, List<String> jvmArgs, String mainClass, String... appArgs)
      throws IOException, InterruptedException {
    Files.createDirectories(workDir);
    List<String> command =
        new ArrayList<>(
            List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Djavacpp.platform=" + System.getProperty("javacpp.platform", "linux-x86_64")));
    command.addAll(jvmArgs);
    command.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
    command.addAll(List.of(appArgs));
    Path log = workDir.resolve("out.log");
    ProcessBuilder pb =
        new ProcessBuilder(command)
            .directory(workDir.toFile())
            .redirectErrorStream(true)
            .redirectOutput(log.toFile());
    pb.environment().put("OMP_NUM_THREADS", "1");
    Process p = pb.start();
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), mainClass + " did not finish");
    String out = Files.readString(log);
    assertEquals(0, p.exitValue(), out);
    return out;
  }

  private static List<String> losses(String out) {
    return out.lines().filter(l -> l.startsWith("Epoch: ")).collect(Collectors.toList());
  }

  private static int lineOf(String source, String marker) {
    List<String> lines = source.lines().collect(Collectors.toList());
    for (int i = 0; i < lines.size(); i++) {
      if (lines.get(i).endsWith("// " + marker)) {
        return i + 1;
      }
    }
    throw new AssertionError("no // " + marker);
  }

  private static String agentJar() {
    String jar = System.getProperty("jprune.agent.jar");
    assertTrue(jar != null && Files.isRegularFile(Path.of(jar)), "no agent jar at " + jar);
    return jar;
  }

  private static java.util.stream.Stream<JsonElement> stream(JsonArray array) {
    List<JsonElement> out = new ArrayList<>();
    array.forEach(out::add);
    return out.stream();
  }
}
