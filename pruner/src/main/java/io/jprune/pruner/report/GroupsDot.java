package io.jprune.pruner.report;

import static com.google.common.base.Preconditions.checkNotNull;

import io.jprune.pruner.graph.DependencyGraph;
import io.jprune.pruner.graph.ParamSlice;
import io.jprune.pruner.graph.SliceRole;
import io.jprune.pruner.group.Channel;
import io.jprune.pruner.group.PruningGroup;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * Graphviz DOT of the layers coupled by each group: one ellipse per group (leader and channel
 * count) joined to a box per layer it touches, the edge saying how (output rows, input columns,
 * state) and how many slices. Layers shared by groups (a conv whose rows are in one group and
 * columns in another) show how the groups chain. Render with {@code dot -Tsvg groups.dot}.
 */
public final class GroupsDot {
  private GroupsDot() {}

  /** The DOT text of a graph's groups. */
  public static String render(DependencyGraph graph) {
    checkNotNull(graph, "graph");
    StringBuilder sb = new StringBuilder("digraph groups {\n");
    sb.append("  rankdir=LR;\n  node [fontname=\"Helvetica\", fontsize=10];\n")
        .append("  edge [fontname=\"Helvetica\", fontsize=9];\n");
    Set<String> layers = new LinkedHashSet<>();
    StringBuilder edges = new StringBuilder();
    for (PruningGroup g : graph.groups()) {
      sb.append(groupNode(g));
      touched(g)
          .forEach(
              (layer, roles) -> {
                layers.add(layer);
                edges.append(edge(g, layer, roles));
              });
    }
    for (String layer : layers) {
      sb.append("  \"").append(escape(layer)).append("\" [shape=box];\n");
    }
    sb.append(edges).append("}\n");
    return sb.toString();
  }

  /** The group's ellipse: green when exact, orange when not. */
  private static String groupNode(PruningGroup g) {
    return "  g"
        + g.id()
        + " [shape=ellipse, style=filled, fillcolor=\""
        + (g.isExact() ? "#cfe8cf" : "#f6d7a7")
        + "\", label=\""
        + escape("G" + g.id() + " " + layerOf(g.leader()) + "\n" + g.size() + " channels")
        + "\"];\n";
  }

  /** Layer -> role -> slices of that layer's parameters the group takes, in the group's order. */
  private static Map<String, Map<SliceRole, Integer>> touched(PruningGroup g) {
    Map<String, Map<SliceRole, Integer>> touched = new LinkedHashMap<>();
    for (Channel c : g.channels()) {
      for (ParamSlice s : c.slices()) {
        touched
            .computeIfAbsent(layerOf(s.param()), l -> new LinkedHashMap<>())
            .merge(s.role(), 1, Integer::sum);
      }
    }
    return touched;
  }

  /** The group's edge to a layer: bold where it holds output rows, else dashed. */
  private static String edge(PruningGroup g, String layer, Map<SliceRole, Integer> roles) {
    StringBuilder label = new StringBuilder();
    roles.forEach(
        (role, n) ->
            label
                .append(label.length() == 0 ? "" : ", ")
                .append(roleName(role))
                .append(' ')
                .append(n));
    return "  g"
        + g.id()
        + " -> \""
        + escape(layer)
        + "\" [label=\""
        + escape(label.toString())
        + "\""
        + (roles.containsKey(SliceRole.OUTPUT) ? ", penwidth=2" : ", style=dashed")
        + "];\n";
  }

  /** {@code layer1.0.conv1.weight} -> {@code layer1.0.conv1}; a root parameter stays itself. */
  static String layerOf(String param) {
    int dot = param.lastIndexOf('.');
    return dot < 0 ? param : param.substring(0, dot);
  }

  private static String roleName(SliceRole role) {
    return switch (role) {
      case OUTPUT -> "out";
      case INPUT -> "in";
      case STATE -> "state";
    };
  }

  private static String escape(String s) {
    return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
  }
}
