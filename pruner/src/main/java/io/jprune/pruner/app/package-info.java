/**
 * Pruning inside an unmodified application: what the agent jar built by this module does with
 * {@code prune=}, {@code at=forward:N|exit}, {@code output=DIR} and {@code load=DIR}. {@link
 * io.jprune.pruner.app.AppPruning#arm} is its one entry point, reached reflectively from {@code
 * io.jprune.agent}; it waits for the application's root forward (or its exit), prunes the live
 * model in place on a thread of its own, and guards the application's later checkpoint loads.
 *
 * <p>Logging goes through the {@code System.Logger} {@code io.jprune.agent.prune}: one summary line
 * per prune at INFO (shown by default), what it is doing at DEBUG (INFO with {@code verbose=true}),
 * failures at WARNING; records logged from shutdown hooks survive java.util.logging's own reset at
 * exit.
 */
package io.jprune.pruner.app;
