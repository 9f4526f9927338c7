package io.jprune.pruner.cut;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.tracer.site.SiteKey;

/**
 * The argument changes of one traced call at a call site. A site runs once per module that uses the
 * code (12 attention blocks share one reshape site), so each traced call says which input shape it
 * is recognised by after pruning.
 *
 * @param key the call site
 * @param instance whether the call has a receiver (argument 0 at run time)
 * @param originalShape the first tensor input's traced shape
 * @param prunedShape the same tensor's shape after pruning
 * @param patches argument changes, from the model's own constants (empty: this call keeps its
 *     arguments)
 * @param location the call site, for messages
 */
public record SitePatch(
    SiteKey key,
    boolean instance,
    ImmutableLongArray originalShape,
    ImmutableLongArray prunedShape,
    ImmutableList<ArgPatch> patches,
    String location) {}
