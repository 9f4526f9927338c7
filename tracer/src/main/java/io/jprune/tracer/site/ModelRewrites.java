package io.jprune.tracer.site;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import java.util.function.Predicate;

/**
 * The call-site argument rewrites of one model instance: what keeps that pruned model running
 * ({@code reshape(B, N, 3, 6, 64)} becomes {@code reshape(B, N, 3, 4, 64)}) while another instance
 * of the same class, pruned otherwise or not at all, runs through the same call sites unchanged.
 *
 * <p>Obtained from {@link Sites#rewritesFor}, which binds it weakly to the model's root: when the
 * root is collected, the rewrites are released. A call site applies the rewrites of the model whose
 * module forward is running on the calling thread: every {@code forward} of a Java Module subclass
 * starts with a hook that makes the rewrites of the model it belongs to current (none for a module
 * of no pruned model), and a module forward called from instrumented code puts back, when it
 * returns or throws, what was current before it. Code outside any module forward (a non-forward
 * method of the model called directly) runs with the rewrites {@link #call} makes current.
 */
public final class ModelRewrites {
  private final Predicate<Object> members;
  private volatile ImmutableMap<SiteKey, ArgumentRewrite> rewrites = ImmutableMap.of();
  private volatile boolean released;

  ModelRewrites(Predicate<Object> members) {
    this.members = checkNotNull(members, "members");
  }

  /** The rewrite of a site, if this model has one. */
  public Optional<ArgumentRewrite> get(SiteKey key) {
    return Optional.ofNullable(rewrites.get(key));
  }

  /** Every rewrite of this model, in installation order. */
  public ImmutableMap<SiteKey, ArgumentRewrite> all() {
    return rewrites;
  }

  /** Installs (replacing any) the rewrite of one site; effective on the next call. */
  public void put(SiteKey key, ArgumentRewrite rewrite) {
    checkNotNull(key, "key");
    checkNotNull(rewrite, "rewrite");
    Map<SiteKey, ArgumentRewrite> next = new LinkedHashMap<>(rewrites);
    next.put(key, rewrite);
    replaceAll(next);
  }

  /** Removes the rewrite of one site, if any. */
  public void remove(SiteKey key) {
    if (rewrites.containsKey(key)) {
      Map<SiteKey, ArgumentRewrite> next = new LinkedHashMap<>(rewrites);
      next.remove(key);
      replaceAll(next);
    }
  }

  /** Replaces every rewrite of this model by {@code next} (an {@link #all} taken earlier: undo). */
  public void replaceAll(Map<SiteKey, ArgumentRewrite> next) {
    ImmutableMap<SiteKey, ArgumentRewrite> copy = ImmutableMap.copyOf(next);
    Sites.update(() -> rewrites = copy);
  }

  /**
   * Runs {@code body} on this thread with this model's rewrites current, then puts back what was
   * current: for calls into the model that do not enter through a module {@code forward}.
   */
  public <T> T call(Callable<T> body) throws Exception {
    return RunningModels.callWith(this, body);
  }

  /** Whether the model was collected (or its rewrites otherwise dropped). */
  public boolean released() {
    return released;
  }

  void release() {
    Sites.update(() -> released = true);
  }

  /** Whether {@code module} (a forward's receiver) belongs to this model. */
  boolean owns(Object module) {
    return !released && members.test(module);
  }

  /** The rewrite a call at {@code key} gets, or null. */
  ArgumentRewrite rewriteAt(SiteKey key) {
    return released ? null : rewrites.get(key);
  }

  @Override
  public String toString() {
    return "ModelRewrites[" + rewrites.size() + " sites" + (released ? ", released]" : "]");
  }
}
