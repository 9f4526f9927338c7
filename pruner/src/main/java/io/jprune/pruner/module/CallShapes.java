package io.jprune.pruner.module;

import com.google.common.primitives.ImmutableLongArray;

/**
 * One traced call of a module with a weight, seen after a removal, for {@link
 * ModuleKind#shapesAgree}: the shapes its first tensor input and output and its weight had when
 * traced and will have once the removal is made.
 *
 * @param input shape of the call's first tensor input after the removal
 * @param output shape of the call's first tensor output after the removal
 * @param tracedInput shape of the call's first tensor input as traced
 * @param weight shape of the module's {@code weight} after the removal
 * @param tracedWeight shape of the module's {@code weight} as traced
 */
public record CallShapes(
    ImmutableLongArray input,
    ImmutableLongArray output,
    ImmutableLongArray tracedInput,
    ImmutableLongArray weight,
    ImmutableLongArray tracedWeight) {}
