/**
 * Models whose forward calls through hand-linked call sites, for tests that trace, prune, save and
 * reload without relying on instrumentation; outside {@code io.jprune.pruner} because the agent
 * refuses to instrument jprune's own packages when the pruner self-attaches.
 */
package io.jprune.handmade;
