package io.jprune.pruner.surgery;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ParamCut;
import io.jprune.pruner.cut.SitePatch;

/**
 * Everything one surgery changed, as plain data: enough to replay it on a freshly built original
 * model (save/reload) without tracing or planning again.
 *
 * @param cuts parameter and buffer cuts, in order
 * @param options module option changes
 * @param sitePatches call-site argument rewrites installed
 */
public record AppliedChanges(
    ImmutableList<ParamCut> cuts,
    ImmutableList<Option> options,
    ImmutableList<SitePatch> sitePatches) {

  /** One option change: module path, option name, values before and after. */
  public record Option(
      String module, String option, ImmutableLongArray before, ImmutableLongArray after) {}
}
