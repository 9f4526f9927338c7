/**
 * What a validated removal does to the model, as plain values that surgery, saved records and
 * reports read without reaching into the graph: parameter cuts ({@link
 * io.jprune.pruner.cut.ParamCut}), call-site argument rewrites ({@link
 * io.jprune.pruner.cut.SitePatch}, {@link io.jprune.pruner.cut.ArgPatch}), and the owning {@code
 * LongArrayRef} rewritten arguments are passed in ({@link io.jprune.pruner.cut.OwnedLongArrayRef}).
 * Depends on no other jprune package.
 */
package io.jprune.pruner.cut;
