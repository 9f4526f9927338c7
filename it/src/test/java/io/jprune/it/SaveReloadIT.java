package io.jprune.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.jprune.pruner.Pruner;
import io.jprune.pruner.importance.Importances;
import io.jprune.pruner.save.PrunedModelFiles;
import io.jprune.pruner.save.PruningRecord;
import io.jprune.zoo.ZooModel;
import java.io.File;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * Save in this JVM, reload in a fresh one started as a user would ({@code java -javaagent:...}):
 * the reloaded model, rebuilt from a fresh original by replaying the record (its call-site rewrites
 * keyed by class, method and ordinal, which survive the restart), computes the same output bit for
 * bit.
 */
class SaveReloadIT {
  private static final long SEED = 7;

  @TempDir Path dir;

  @ParameterizedTest
  @EnumSource(
      value = ZooModel.class,
      names = {"SHUFFLENET", "VIT_S_UNBIND", "VIT_S_MHA"})
  void reloadedInAnotherJvmComputesTheSameBits(ZooModel zoo) throws Exception {
    Module model = zoo.create(SEED);
    Tensor x = zoo.exampleInput(SEED);
    Pruner pruner =
        Pruner.builder(model)
            .forward(() -> zoo.forward(model, x))
            .importance(Importances.magnitude(2))
            .ratio(0.5)
            .headRatio(0.5)
            .build();
    pruner.pruneAll();
    String expected = ReloadMain.checksum(ReloadMain.run(zoo, model, x));
    PruningRecord record = PrunedModelFiles.save(model, pruner, dir);
    assertFalse(
        record.changes().get(0).sitePatches().isEmpty(),
        "the case must exercise call-site rewrites");

    String agent = System.getProperty("jprune.agent.jar");
    assertNotNull(agent, "failsafe passes -Djprune.agent.jar");
    Path java = Path.of(System.getProperty("java.home"), "bin", "java");
    Process p =
        new ProcessBuilder(
                List.of(
                    java.toString(),
                    "-javaagent:" + agent + "=packages=io.jprune.zoo,io.jprune.it",
                    "-Djavacpp.platform=" + System.getProperty("javacpp.platform", "linux-x86_64"),
                    "-cp",
                    System.getProperty("java.class.path"),
                    ReloadMain.class.getName(),
                    zoo.name(),
                    dir.toString(),
                    Long.toString(SEED)))
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.PIPE)
            .start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertTrue(p.waitFor(5, TimeUnit.MINUTES), "the reload JVM did not finish");
    assertEquals(0, p.exitValue(), out);
    String[] lines = out.strip().split("\\R");
    assertEquals(expected, lines[lines.length - 1], out);
    assertTrue(new File(dir.toFile(), PrunedModelFiles.WEIGHTS).length() > 0);
  }
}
