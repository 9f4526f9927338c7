/**
 * The runtime of rewritten call sites, loaded by whatever class loader sees the agent and free of
 * libtorch types: {@link io.jprune.tracer.site.Sites} registers sites ({@link
 * io.jprune.tracer.site.SiteKey}, {@link io.jprune.tracer.site.CallSiteInfo}) and bootstraps their
 * invokedynamic instructions, switches them between their original target, a {@link
 * io.jprune.tracer.site.SiteInterceptor} (a trace session) and argument rewrites, and runs the
 * forward-entry hooks. Rewrites belong to one model instance ({@link
 * io.jprune.tracer.site.ModelRewrites}); {@link io.jprune.tracer.site.AppHooks} receives the
 * application's optimizers and module loads.
 */
package io.jprune.tracer.site;
