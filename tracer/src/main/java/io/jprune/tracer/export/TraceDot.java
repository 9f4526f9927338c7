package io.jprune.tracer.export;

import io.jprune.tracer.TensorRef;
import io.jprune.tracer.Trace;
import io.jprune.tracer.TracedCall;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * Writes a trace as a Graphviz DOT digraph: ops are boxes labelled with their call site, tensors
 * are ellipses labelled with their shape, module forwards with traced children are clusters.
 */
public final class TraceDot {
  private TraceDot() {}

  /** DOT text of the trace. */
  public static String toDot(Trace trace) {
    StringBuilder sb =
        new StringBuilder("digraph trace {\n  rankdir=TB;\n")
            .append("  node [fontname=\"Helvetica\", fontsize=10];\n");
    for (TensorRef t : trace.tensors()) {
      sb.append("  t")
          .append(t.id())
          .append(" [shape=ellipse, label=\"")
          .append(escape(t.label()))
          .append("\\n")
          .append(t.dtype())
          .append("\"];\n");
    }
    for (TracedCall top : trace.topLevel()) {
      emit(trace, top, sb, "  ");
    }
    for (TracedCall c : trace.calls()) {
      if (!hasChildren(trace, c)) {
        for (TensorRef in : c.tensorInputs()) {
          sb.append("  t").append(in.id()).append(" -> c").append(c.index()).append(";\n");
        }
        for (TensorRef out : c.tensorOutputs()) {
          sb.append("  c").append(c.index()).append(" -> t").append(out.id()).append(";\n");
        }
      }
    }
    return sb.append("}\n").toString();
  }

  /** Writes the DOT text to a file (UTF-8), creating parent folders. */
  public static void write(Trace trace, Path file) throws IOException {
    if (file.toAbsolutePath().getParent() != null) {
      Files.createDirectories(file.toAbsolutePath().getParent());
    }
    Files.writeString(file, toDot(trace), StandardCharsets.UTF_8);
  }

  private static boolean hasChildren(Trace trace, TracedCall c) {
    return !trace.children(c.index()).isEmpty();
  }

  /** A module call with children becomes a cluster; anything else one op node. */
  private static void emit(Trace trace, TracedCall c, StringBuilder sb, String indent) {
    if (hasChildren(trace, c)) {
      String title =
          c.isModuleCall()
              ? (c.modulePath().isEmpty() ? "<root>" : c.modulePath())
                  + " : "
                  + simple(c.moduleType())
              : c.site().op();
      sb.append(indent)
          .append("subgraph cluster_c")
          .append(c.index())
          .append(" {\n")
          .append(indent)
          .append("  label=\"")
          .append(escape(title))
          .append("\";\n");
      for (TracedCall child : trace.children(c.index())) {
        emit(trace, child, sb, indent + "  ");
      }
      sb.append(indent).append("}\n");
      return;
    }
    String what =
        c.isModuleCall()
            ? c.modulePath() + " : " + simple(c.moduleType())
            : c.site().op() + argsSummary(c);
    String where =
        (c.site().sourceFile() == null ? simple(c.site().key().className()) : c.site().sourceFile())
            + ":"
            + c.site().line();
    sb.append(indent)
        .append('c')
        .append(c.index())
        .append(" [shape=box, label=\"")
        .append(escape(what))
        .append("\\n")
        .append(escape(where))
        .append("\"];\n");
  }

  private static String argsSummary(TracedCall c) {
    StringBuilder sb = new StringBuilder("(");
    c.args()
        .forEach(
            v -> {
              if (!(v instanceof io.jprune.tracer.Value.TensorValue)) {
                sb.append(sb.length() > 1 ? ", " : "").append(v);
              }
            });
    return sb.append(')').toString();
  }

  private static String simple(String type) {
    return type.substring(type.lastIndexOf('.') + 1);
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"");
  }
}
