package io.jprune.zoo;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.bytedeco.pytorch.Conv2dPadding;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.StringSharedModuleDict;
import org.bytedeco.pytorch.StringTensorDict;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorVector;
import org.bytedeco.pytorch.global.torch;
import org.bytedeco.pytorch.global.torch.ScalarType;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** Shapes, exact parameter counts, determinism and naming of every zoo model, without agent. */
class ZooModelTest {
  private static final List<Module> HELD = new ArrayList<>();

  private static final long SEED = 7;

  private record Expected(long params, long... outputShape) {}

  private static final Map<ZooModel, Expected> EXPECTED = new EnumMap<>(ZooModel.class);

  static {
    EXPECTED.put(ZooModel.RESNET18, new Expected(11_689_512, 1, 1000));
    EXPECTED.put(ZooModel.RESNET50, new Expected(25_557_032, 1, 1000));
    EXPECTED.put(ZooModel.MOBILENET_V2, new Expected(3_504_872, 1, 1000));
    EXPECTED.put(ZooModel.DENSENET_STACK, new Expected(453_450, 1, 10));
    EXPECTED.put(ZooModel.VIT_S_SELECT, new Expected(22_050_664, 1, 1000));
    EXPECTED.put(ZooModel.VIT_S_UNBIND, new Expected(22_050_664, 1, 1000));
    EXPECTED.put(ZooModel.VIT_S_MHA, new Expected(22_050_664, 1, 1000));
    EXPECTED.put(ZooModel.ESPCN, new Expected(41_009, 1, 1, 96, 96));
    EXPECTED.put(ZooModel.ESPCN_MODULE, new Expected(41_009, 1, 1, 96, 96));
    EXPECTED.put(ZooModel.ESPCN_UNSHUFFLE, new Expected(5_284, 1, 1, 32, 32));
    EXPECTED.put(ZooModel.UNET, new Expected(57_154, 1, 2, 64, 64));
    EXPECTED.put(ZooModel.SHUFFLENET, new Expected(47_362, 1, 10));
    EXPECTED.put(ZooModel.C2F, new Expected(90_458, 1, 10));
    EXPECTED.put(ZooModel.GROUPNORM_GROUPED, new Expected(29_738, 1, 10));
    EXPECTED.put(ZooModel.TEXT_EMBED, new Expected(97_866, 2, 10));
  }

  @Test
  void everyEntryHasExpectations() {
    assertEquals(ZooModel.values().length, EXPECTED.size());
  }

  @ParameterizedTest
  @EnumSource(ZooModel.class)
  void forwardHasExpectedShapeAndRepeatsBitForBit(ZooModel zoo) {
    Tensor first = run(zoo, SEED);
    Tensor second = run(zoo, SEED);
    assertArrayEquals(EXPECTED.get(zoo).outputShape(), shape(first), zoo.toString());
    assertTrue(first.isfinite().all().item_bool(), zoo + ": non-finite output");
    assertTrue(first.std().item_double() > 1e-4, zoo + ": degenerate output");
    assertTrue(torch.equal(first, second), zoo + ": create(seed) is not deterministic");
  }

  @ParameterizedTest
  @EnumSource(ZooModel.class)
  void parameterCountIsExactAndDescribed(ZooModel zoo) {
    long count = parameterCount(zoo.create(SEED));
    assertEquals(EXPECTED.get(zoo).params(), count, zoo.toString());
    String described = String.format(Locale.ROOT, "%,d params", count);
    assertTrue(zoo.description().contains(described), zoo + ": " + zoo.description());
  }

  @Test
  void differentSeedsGiveDifferentWeights() {
    assertFalse(torch.equal(run(ZooModel.C2F, 1), run(ZooModel.C2F, 2)));
  }

  @Test
  void vitSelectAndUnbindAreTheSameModel() {
    Module select = ZooModel.VIT_S_SELECT.create(SEED);
    Module unbind = ZooModel.VIT_S_UNBIND.create(SEED);
    StringTensorDict a = select.named_parameters();
    StringTensorDict b = unbind.named_parameters();
    assertEquals(a.size(), b.size());
    for (long i = 0; i < a.size(); i++) {
      String name = a.get(i).key().getString();
      assertEquals(name, b.get(i).key().getString());
      assertTrue(torch.equal(a.get(i).value(), b.get(i).value()), name);
    }
    Tensor input = ZooModel.VIT_S_SELECT.exampleInput(SEED);
    try (NoGradGuard noGrad = new NoGradGuard()) {
      Tensor viaSelect = ZooModel.VIT_S_SELECT.forward(select, input);
      Tensor viaUnbind = ZooModel.VIT_S_UNBIND.forward(unbind, input);
      assertTrue(torch.equal(viaSelect, viaUnbind));
    }
  }

  @ParameterizedTest
  @EnumSource(
      value = ZooModel.class,
      names = {"VIT_S_SELECT", "VIT_S_UNBIND"})
  void vitTokensAreBareRootParameters(ZooModel zoo) {
    Module vit = zoo.create(SEED);
    StringTensorDict own = vit.named_parameters(false);
    List<String> ownNames = new ArrayList<>();
    for (long i = 0; i < own.size(); i++) {
      ownNames.add(own.get(i).key().getString());
    }
    assertEquals(List.of("cls_token", "pos_embed"), ownNames);
    StringTensorDict all = vit.named_parameters();
    assertArrayEquals(new long[] {1, 1, 384}, shape(all.get("cls_token")));
    assertArrayEquals(new long[] {1, 197, 384}, shape(all.get("pos_embed")));
    assertArrayEquals(new long[] {1152, 384}, shape(all.get("blocks.0.attn.qkv.weight")));
    assertArrayEquals(new long[] {1152}, shape(all.get("blocks.11.attn.qkv.bias")));
    assertArrayEquals(new long[] {1000, 384}, shape(all.get("head.weight")));
  }

  @Test
  void resnetUsesTorchvisionNamesAndNativeDownsample() {
    StringSharedModuleDict r18 = held(ZooModel.RESNET18).named_modules();
    assertEquals("torch::nn::SequentialImpl", type(r18, "layer2.0.downsample"));
    assertEquals("torch::nn::Conv2dImpl", type(r18, "layer2.0.downsample.0"));
    assertEquals("torch::nn::BatchNorm2dImpl", type(r18, "layer2.0.downsample.1"));
    assertFalse(r18.contains("layer1.0.downsample"));
    assertEquals("torch::nn::LinearImpl", type(r18, "fc"));
    assertEquals("torch::nn::AdaptiveAvgPool2dImpl", type(r18, "avgpool"));
    assertEquals("torch::nn::Conv2dImpl", type(r18, "layer4.1.conv2"));
    StringSharedModuleDict r50 = held(ZooModel.RESNET50).named_modules();
    assertEquals("torch::nn::SequentialImpl", type(r50, "layer1.0.downsample"));
    assertEquals("torch::nn::Conv2dImpl", type(r50, "layer3.5.conv3"));
  }

  @Test
  void layerFactoriesSetKernelStrideAndPadding() {
    StringSharedModuleDict r18 = held(ZooModel.RESNET18).named_modules();
    var conv1 = r18.get("conv1").asConv2d().options();
    assertArrayEquals(
        new long[] {7, 7, 2, 2, 3, 3},
        new long[] {
          conv1.kernel_size().get(0), conv1.kernel_size().get(1),
          conv1.stride().get(0), conv1.stride().get(1),
          Conv2dPadding.get0(conv1.padding()).get(0), Conv2dPadding.get0(conv1.padding()).get(1)
        });
    assertFalse(conv1.bias().get());
    var maxpool = r18.get("maxpool").asMaxPool2d().options();
    assertArrayEquals(
        new long[] {3, 3, 2, 2, 1, 1},
        new long[] {
          maxpool.kernel_size().get(0), maxpool.kernel_size().get(1),
          maxpool.stride().get(0), maxpool.stride().get(1),
          maxpool.padding().get(0), maxpool.padding().get(1)
        });
  }

  @Test
  void depthwiseAndGroupedConvsKeepTheirGroups() {
    StringSharedModuleDict mobilenet = held(ZooModel.MOBILENET_V2).named_modules();
    assertEquals(
        96, mobilenet.get("features.2.depthwise.conv").asConv2d().options().groups().get());
    StringSharedModuleDict grouped = held(ZooModel.GROUPNORM_GROUPED).named_modules();
    assertEquals(4, grouped.get("block1.conv1").asConv2d().options().groups().get());
    assertEquals(8, grouped.get("block1.gn1").asGroupNorm().options().num_groups().get());
  }

  @Test
  void normsHaveSeededNonTrivialStatisticsAndModelsAreInEval() {
    Module model = ZooModel.RESNET18.create(SEED);
    assertFalse(model.is_training());
    StringTensorDict buffers = model.named_buffers();
    Tensor var = buffers.get("layer3.1.bn2.running_var");
    assertTrue(var.min().item_double() > 0);
    assertFalse(torch.equal(var, torch.ones_like(var)));
    Tensor mean = buffers.get("bn1.running_mean");
    assertFalse(torch.equal(mean, torch.zeros_like(mean)));
    StringTensorDict params = model.named_parameters();
    Tensor gamma = params.get("bn1.weight");
    assertFalse(torch.equal(gamma, torch.ones_like(gamma)));
    StringTensorDict text = held(ZooModel.TEXT_EMBED).named_parameters();
    Tensor lnWeight = text.get("norm.weight");
    assertFalse(torch.equal(lnWeight, torch.ones_like(lnWeight)));
    // the tensors above are references into these dicts
    Reference.reachabilityFence(buffers);
    Reference.reachabilityFence(params);
    Reference.reachabilityFence(text);
    Reference.reachabilityFence(model);
  }

  @Test
  void functionalAndModulePixelShuffleAgree() {
    assertTrue(torch.equal(run(ZooModel.ESPCN, SEED), run(ZooModel.ESPCN_MODULE, SEED)));
    StringSharedModuleDict modules = held(ZooModel.ESPCN_MODULE).named_modules();
    assertEquals("torch::nn::PixelShuffleImpl", type(modules, "pixel_shuffle"));
  }

  @Test
  void textInputIsTokenIds() {
    Tensor ids = ZooModel.TEXT_EMBED.exampleInput(SEED);
    assertEquals(ScalarType.Long, ids.scalar_type().intern());
    assertArrayEquals(new long[] {2, 16}, shape(ids));
    assertTrue(ids.min().item_double() >= 0);
    assertTrue(ids.max().item_double() < 1000);
  }

  private static Tensor run(ZooModel zoo, long seed) {
    Module model = zoo.create(seed);
    Tensor input = zoo.exampleInput(seed);
    try (NoGradGuard noGrad = new NoGradGuard()) {
      return zoo.forward(model, input);
    }
  }

  private static long parameterCount(Module model) {
    TensorVector params = model.parameters();
    long n = 0;
    for (long i = 0; i < params.size(); i++) {
      n += params.get(i).numel();
    }
    return n;
  }

  /**
   * A model kept for the rest of the run: the modules of a dict from named_modules() are freed with
   * the Java model that holds their children (javacpp-presets #1782), and a test that keeps only
   * the dict crashed in Module::name() when a collection came first.
   */
  private static Module held(ZooModel zoo) {
    Module m = zoo.create(SEED);
    HELD.add(m);
    return m;
  }

  private static String type(StringSharedModuleDict modules, String path) {
    assertTrue(modules.contains(path), "no module " + path);
    Module m = modules.get(path);
    assertNotNull(m, path);
    return m.name().getString();
  }

  private static long[] shape(Tensor t) {
    long[] s = new long[(int) t.dim()];
    for (int i = 0; i < s.length; i++) {
      s[i] = t.size(i);
    }
    return s;
  }
}
