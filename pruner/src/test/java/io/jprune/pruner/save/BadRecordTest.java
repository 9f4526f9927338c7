package io.jprune.pruner.save;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import io.jprune.handmade.HandModels;
import io.jprune.pruner.Pruner;
import io.jprune.pruner.surgery.ModelDigest;
import io.jprune.pruner.surgery.SiteRewrites;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.bytedeco.pytorch.Tensor;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Loading a record with one field broken at a time (missing, wrong type, index out of range,
 * inconsistent shape) is refused before the model is touched: the message names the field and the
 * fresh model's digest (names, shapes and bytes of every tensor) is unchanged.
 */
class BadRecordTest {
  @TempDir Path dir;

  /**
   * A record whose second option expects a value the model does not have passes the field checks;
   * the replay's cuts and first option are rolled back when the second option fails.
   */
  @org.junit.jupiter.api.Test
  void aReplayFailingPartWayIsRolledBack() throws Exception {
    saveAndBreak(o -> option(o, 1).add("before", ints(99)));
    HandModels.HeadNet fresh = new HandModels.HeadNet();
    String digest = ModelDigest.of(fresh);
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> PrunedModelFiles.load(fresh, dir));
    assertTrue(
        e.getMessage()
            .startsWith(
                "loading " + dir + " failed and was rolled back, the " + "model is as it was: "),
        e.getMessage());
    assertTrue(
        e.getMessage()
            .endsWith("module 'head' has in_features = [6], the record " + "expects [99]"),
        e.getMessage());
    assertEquals(digest, ModelDigest.of(fresh), "the cuts are undone");
    org.bytedeco.pytorch.StringSharedModuleDict modules = fresh.named_modules();
    for (long i = 0; i < modules.size(); i++) {
      if (modules.get(i).key() != null && "fc".equals(modules.get(i).key().getString())) {
        assertEquals(
            6,
            modules.get(i).value().asLinear().options().out_features().get(),
            "fc.out_features is as it was");
      }
    }
    assertTrue(SiteRewrites.installed(fresh).isEmpty(), "no rewrite stays installed");
  }

  static Stream<Arguments> mutations() {
    return Stream.of(
        bad("modelClass", o -> o.remove("modelClass"), "modelClass: missing"),
        bad("originalShapes", o -> o.remove("originalShapes"), "originalShapes: missing"),
        bad("buffers", o -> o.add("buffers", new JsonPrimitive(3)), "buffers: expected an array"),
        bad("changes", o -> o.remove("changes"), "changes: missing"),
        bad("weights", o -> o.remove("weights"), "weights: missing"),
        bad("weightsSha256", o -> o.remove("weightsSha256"), "weightsSha256: missing"),
        bad("cut param", o -> cut(o, 0).remove("param"), "changes[0].cuts[0].param: missing"),
        bad(
            "cut param unknown",
            o -> cut(o, 1).addProperty("param", "nope.weight"),
            "changes[0].cuts[1].param: nope.weight is not a tensor of the model"),
        bad("cut shape", o -> cut(o, 0).remove("shape"), "changes[0].cuts[0].shape: missing"),
        bad(
            "cut shape wrong",
            o -> cut(o, 0).add("shape", ints(6, 7)),
            "changes[0].cuts[0].shape: [6, 7], but fc.weight has [6, 6] at this step"),
        bad("cut removed", o -> cut(o, 2).remove("removed"), "changes[0].cuts[2].removed: missing"),
        bad(
            "index out of range",
            o -> cut(o, 2).getAsJsonObject("removed").add("1", ints(1, 9)),
            "changes[0].cuts[2].removed.1[1]: index 9 is out of range for size 6"),
        bad(
            "indices unsorted",
            o -> cut(o, 1).getAsJsonObject("removed").add("0", ints(4, 1)),
            "changes[0].cuts[1].removed.0[1]: indices must be sorted and distinct"),
        bad(
            "dim out of range",
            o -> cut(o, 1).getAsJsonObject("removed").add("3", ints(0)),
            "changes[0].cuts[1].removed.3: dim out of range for shape [6]"),
        bad(
            "index not a number",
            o -> cut(o, 0).getAsJsonObject("removed").add("0", strings("a")),
            "changes[0].cuts[0].removed.0[0]: expected an integer"),
        bad(
            "option module",
            o -> option(o, 0).remove("module"),
            "changes[0].options[0].module: missing"),
        bad(
            "option after",
            o -> option(o, 1).add("after", ints(1, 2)),
            "changes[0].options[1]: before [6] and after [1, 2] must be non-empty"),
        bad(
            "site",
            o -> site(o, 0).addProperty("site", "garbage"),
            "changes[0].sitePatches[0].site: not a call site: garbage"),
        bad(
            "site patch arg",
            o -> site(o, 1).getAsJsonArray("patches").get(0).getAsJsonObject().remove("arg"),
            "changes[0].sitePatches[1].patches[0].arg: missing"),
        bad(
            "weight shape",
            o -> o.getAsJsonArray("weights").get(0).getAsJsonObject().add("shape", ints(6, 6)),
            "weights[0].shape: [6, 6], but the replayed changes give "
                + "fc.weight the shape [4, 6]"),
        bad(
            "weight name",
            o -> o.getAsJsonArray("weights").get(3).getAsJsonObject().remove("name"),
            "weights[3].name: missing"),
        bad(
            "weight buffer",
            o -> o.getAsJsonArray("weights").get(1).getAsJsonObject().addProperty("buffer", "no"),
            "weights[1].buffer: expected true or false"));
  }

  private static Arguments bad(String what, Consumer<JsonObject> mutation, String message) {
    return Arguments.of(what, mutation, message);
  }

  private static JsonObject step0(JsonObject o) {
    return o.getAsJsonArray("changes").get(0).getAsJsonObject();
  }

  private static JsonObject cut(JsonObject o, int i) {
    return step0(o).getAsJsonArray("cuts").get(i).getAsJsonObject();
  }

  private static JsonObject option(JsonObject o, int i) {
    return step0(o).getAsJsonArray("options").get(i).getAsJsonObject();
  }

  private static JsonObject site(JsonObject o, int i) {
    return step0(o).getAsJsonArray("sitePatches").get(i).getAsJsonObject();
  }

  private static JsonArray ints(long... v) {
    JsonArray a = new JsonArray();
    for (long x : v) {
      a.add(x);
    }
    return a;
  }

  private static JsonArray strings(String... v) {
    JsonArray a = new JsonArray();
    for (String x : v) {
      a.add(x);
    }
    return a;
  }

  /** Saves a HeadNet pruned by half, then rewrites its record.json with one field broken. */
  private void saveAndBreak(Consumer<JsonObject> mutation) throws java.io.IOException {
    HandModels.HeadNet net = new HandModels.HeadNet();
    Tensor x = HandModels.HeadNet.input();
    Pruner pruner =
        Pruner.builder(net)
            .forward(() -> net.forward(x))
            .importance(PrunedModelFilesTest.seeded(7))
            .ratio(0.5)
            .build();
    pruner.pruneAll();
    PrunedModelFiles.save(net, pruner, dir);
    Path record = dir.resolve(PrunedModelFiles.RECORD);
    JsonObject o = JsonParser.parseString(Files.readString(record)).getAsJsonObject();
    mutation.accept(o);
    Files.writeString(record, o.toString());
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("mutations")
  void aBadFieldIsNamedAndTheTargetUntouched(
      String what, Consumer<JsonObject> mutation, String message) throws Exception {
    saveAndBreak(mutation);
    HandModels.HeadNet fresh = new HandModels.HeadNet();
    String digest = ModelDigest.of(fresh);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> PrunedModelFiles.load(fresh, dir));
    assertTrue(e.getMessage().contains(message), e.getMessage());
    assertEquals(digest, ModelDigest.of(fresh), what + ": the target is untouched");
    assertTrue(SiteRewrites.installed(fresh).isEmpty(), "no rewrite was installed");
  }
}
