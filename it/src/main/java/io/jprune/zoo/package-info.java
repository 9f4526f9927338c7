/**
 * The model zoo jprune is tested and benchmarked on: ResNets, MobileNetV2, DINO-style ViTs (qkv
 * split by select, unbind or narrow), libtorch's MultiheadAttention and Transformer layers,
 * recurrent layers, pixel-shuffle, channel-shuffle, DenseNet, UNet and grouped-conv models, plus
 * {@link io.jprune.zoo.RandomArchitecture}, the fuzzer's seeded generator.
 *
 * <p>Written the way Java users write libtorch models, with Java {@code forward}s and helpers,
 * because that is what the agent must see; {@link io.jprune.zoo.ZooModel} names each with its
 * seeded example input. Test fixtures, not a product API.
 */
package io.jprune.zoo;
