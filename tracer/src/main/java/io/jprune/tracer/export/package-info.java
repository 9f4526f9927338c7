/**
 * Writing a {@link io.jprune.tracer.Trace} for people and tools: JSON with every call, site and
 * tensor ({@link io.jprune.tracer.export.TraceJson}) and a Graphviz DOT graph of ops and tensors
 * ({@link io.jprune.tracer.export.TraceDot}). Reads traces only.
 */
package io.jprune.tracer.export;
