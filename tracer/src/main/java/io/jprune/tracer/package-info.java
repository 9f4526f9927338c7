/**
 * Recording what a model computes: a {@link io.jprune.tracer.TraceSession} intercepts every
 * rewritten call site while its root's forward runs and turns the calls into a {@link
 * io.jprune.tracer.Trace} — each op with its site, module path, argument {@link
 * io.jprune.tracer.Value}s and tensor identities ({@link io.jprune.tracer.TensorRef}: one per
 * version of a tensor, so in-place writes are seen). {@link io.jprune.tracer.Tracer} is the
 * one-call entry; {@link io.jprune.tracer.AgentRecording} records an unmodified application for the
 * agent's {@code trace=}. The rewriting itself is the agent's; the call-site runtime is {@link
 * io.jprune.tracer.site}.
 */
package io.jprune.tracer;
