package io.jprune.pruner.module;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.SequentialImpl;
import org.junit.jupiter.api.Test;

/** Modules by path from one named_modules() walk. */
class NamedModulesTest {
  /** fc [3 -> 4] and a Sequential "body" holding a Linear [4 -> 2] at "body.0". */
  static final class Net extends Module {
    final LinearImpl fc = register_module("fc", new LinearImpl(3, 4));
    final SequentialImpl body = register_module("body", new SequentialImpl());

    Net() {
      body.push_back(new LinearImpl(4, 2));
    }
  }

  @Test
  void everyRegisteredPathIsItsModule() {
    Net net = new Net();
    NamedModules modules = NamedModules.of(net);
    assertSame(net, modules.at(""));
    assertEquals(net.fc.address(), modules.at("fc").address());
    assertEquals(net.body.address(), modules.at("body").address());
    assertEquals("torch::nn::LinearImpl", modules.at("body.0").name().getString());
  }

  @Test
  void optionsReadThroughTheIndexAreTheModulesOwn() {
    Net net = new Net();
    NamedModules modules = NamedModules.of(net);
    assertArrayEquals(
        new long[] {2}, LiveOptions.of("body.0", modules.at("body.0")).read("out_features"));
    assertArrayEquals(new long[] {3}, LiveOptions.of("fc", modules.at("fc")).read("in_features"));
  }

  @Test
  void anUnknownPathIsRefusedByName() {
    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> NamedModules.of(new Net()).at("head"));
    assertEquals("the model has no module 'head'", e.getMessage());
  }
}
