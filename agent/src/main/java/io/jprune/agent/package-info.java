/**
 * The jprune agent: rewrites the call sites of model classes (Tensor methods, {@code torch.*}
 * statics, module {@code forward}) into invokedynamic sites of {@code io.jprune.tracer.site.Sites},
 * so that a trace session can see every op a Java model runs, with its arguments and source line,
 * and so that pruning can rewrite arguments at one call site without source edits.
 *
 * <p>Every {@code forward} of a Java Module subclass also starts with an entry hook (see {@code
 * Sites.forwardEntry}), and {@code new SGD(...)} and {@code module.load(archive)} are reported to
 * {@code AppHooks}.
 *
 * <p>Public API: {@link io.jprune.agent.JPruneAgent} (premain, agentmain, selfAttach), {@link
 * io.jprune.agent.AttachMain} (attach by pid), {@link io.jprune.agent.AgentConfig} and its {@link
 * io.jprune.agent.PruneSettings}. Everything else is package-private machinery.
 */
package io.jprune.agent;
