/**
 * The {@code jprune} command ({@link io.jprune.cli.JpruneCommand}): prunes a zoo model or the
 * user's own class in this JVM, verifies each step, and prints params, MACs and latency before and
 * after with where the time went.
 *
 * <p>Owns the command line only: option parsing and checks, one-line user errors ({@code
 * UserErrors}), where the model comes from ({@code ModelSource}: the zoo, or a user class loaded by
 * {@code UserModel}), progress on the console, and the version. Pruning, reports and saves are the
 * pruner's.
 */
package io.jprune.cli;
