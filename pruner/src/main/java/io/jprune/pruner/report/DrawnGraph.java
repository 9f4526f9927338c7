package io.jprune.pruner.report;

import static com.google.common.base.Preconditions.checkNotNull;

import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableMap;
import com.google.common.collect.ImmutableSortedSet;
import io.jprune.tracer.TensorOrigin;
import io.jprune.tracer.TensorRef;
import io.jprune.tracer.Trace;
import io.jprune.tracer.TracedCall;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.SortedSet;
import java.util.TreeSet;
import org.eclipse.elk.alg.layered.options.LayerConstraint;
import org.eclipse.elk.alg.layered.options.LayeredMetaDataProvider;
import org.eclipse.elk.alg.layered.options.LayeredOptions;
import org.eclipse.elk.alg.layered.options.OrderingStrategy;
import org.eclipse.elk.core.RecursiveGraphLayoutEngine;
import org.eclipse.elk.core.data.LayoutMetaDataService;
import org.eclipse.elk.core.math.ElkPadding;
import org.eclipse.elk.core.options.CoreOptions;
import org.eclipse.elk.core.options.Direction;
import org.eclipse.elk.core.options.EdgeRouting;
import org.eclipse.elk.core.util.BasicProgressMonitor;
import org.eclipse.elk.graph.ElkBendPoint;
import org.eclipse.elk.graph.ElkEdge;
import org.eclipse.elk.graph.ElkEdgeSection;
import org.eclipse.elk.graph.ElkNode;
import org.eclipse.elk.graph.util.ElkGraphUtil;

/**
 * The traced graph as boxes and arrows, laid out by Eclipse ELK's layered algorithm (layers,
 * crossing minimisation, orthogonal edges). Nodes are the traced calls (modules and ops), edges the
 * tensors between them. A module whose forward made traced calls is a <em>compound</em>: its calls
 * form a {@link Scope} of their own, laid out on its own with its inner compounds drawn collapsed,
 * so the page can expand and collapse each one (a ViT block, a ResNet stage) by inserting space
 * around it instead of laying the whole graph out again. Tensors that enter or leave a scope are
 * drawn as its input and output nodes; parameters used directly by an op ({@code cls_token}) as
 * parameter nodes.
 */
public final class DrawnGraph {
  /** Scope id of the top level (the calls made outside any traced module forward). */
  public static final int TOP = -1;

  /** What a node stands for; it decides the node's shape. */
  public enum Kind {
    /** A module without traced children (a built-in layer): a box. */
    MODULE,
    /** A module whose forward made traced calls: a box that expands into its scope. */
    COMPOUND,
    /** A tensor op or {@code torch.*} function: a rounded pill. */
    OP,
    /** A tensor that enters the scope. */
    INPUT,
    /** A tensor that the scope returns. */
    OUTPUT,
    /** A parameter or buffer of the root read directly by an op. */
    PARAMETER
  }

  /**
   * One drawn node, positioned in its scope's coordinates (top-left corner).
   *
   * @param id unique over the whole drawing
   * @param kind shape
   * @param title first line: module name or op
   * @param detail second line: module type and output shape, or the tensor's shape
   * @param call index of the traced call, or -1 for input, output and parameter nodes
   * @param module module path for module calls, else null
   * @param layers the layer keys (module paths, root parameter names) in and under this node, which
   *     the page matches against a group's layers
   * @param tensor tooltip: the tensors this node stands for or produces
   */
  public record Node(
      String id,
      Kind kind,
      String title,
      String detail,
      int call,
      String module,
      ImmutableSortedSet<String> layers,
      String tensor,
      double x,
      double y,
      double width,
      double height) {
    /** The same node with this box. */
    Node at(double x, double y, double width, double height) {
      return new Node(id, kind, title, detail, call, module, layers, tensor, x, y, width, height);
    }
  }

  /**
   * One tensor (or several between the same two nodes), routed orthogonally.
   *
   * @param points start, bend points and end, in scope coordinates
   * @param tensors the tensors' labels ({@code t12[1, 197, 384]})
   */
  public record Edge(
      String source, String target, ImmutableList<double[]> points, String tensors) {}

  /** The calls of one module forward (or the top level), laid out. */
  public record Scope(
      int id, double width, double height, ImmutableList<Node> nodes, ImmutableList<Edge> edges) {}

  /** Monospace text of the page's nodes: 11 px, 0.6 em a character. */
  static final double CHAR_WIDTH = 6.6;

  static final double NODE_HEIGHT = 34;
  private static final double PORT_HEIGHT = 22;

  private final ImmutableMap<Integer, Scope> scopes;

  private DrawnGraph(ImmutableMap<Integer, Scope> scopes) {
    this.scopes = scopes;
  }

  /** Builds and lays out every scope of a trace. */
  public static DrawnGraph of(Trace trace) {
    checkNotNull(trace, "trace");
    Builder b = new Builder(trace);
    ImmutableMap.Builder<Integer, Scope> out = ImmutableMap.builder();
    out.put(TOP, b.scope(TOP));
    for (TracedCall c : trace.calls()) {
      if (b.isCompound(c)) {
        out.put(c.index(), b.scope(c.index()));
      }
    }
    return new DrawnGraph(out.buildOrThrow());
  }

  /** Every scope by id: {@link #TOP} and the call index of each compound module. */
  public ImmutableMap<Integer, Scope> scopes() {
    return scopes;
  }

  /** Builds scopes from the trace (call nesting and tensor producers). */
  private static final class Builder {
    private final Trace trace;
    private final Map<Integer, SortedSet<String>> layersUnder = new HashMap<>();

    private final Map<String, TensorRef> versions = new HashMap<>();

    Builder(Trace trace) {
      this.trace = trace;
      for (TensorRef t : trace.tensors()) {
        versions.put(t.implAddress() + "@" + t.version(), t);
      }
    }

    boolean isCompound(TracedCall c) {
      return c.isModuleCall() && drawn(trace.children(c.index())).size() > 0;
    }

    /** Calls that get a node: those that return tensors (not size() and other queries). */
    private List<TracedCall> drawn(List<TracedCall> calls) {
      List<TracedCall> out = new ArrayList<>();
      for (TracedCall c : calls) {
        if (!c.tensorOutputs().isEmpty()) {
          out.add(c);
        }
      }
      return out;
    }

    Scope scope(int scopeId) {
      List<TracedCall> calls = drawn(trace.children(scopeId));
      Map<String, Node> nodes = new LinkedHashMap<>();
      Map<String, List<String>> edges = new LinkedHashMap<>();
      Map<Integer, String> nodeOfCall = new HashMap<>();
      for (TracedCall c : calls) {
        Node n = callNode(c);
        nodes.put(n.id(), n);
        nodeOfCall.put(c.index(), n.id());
      }
      for (TracedCall c : calls) {
        for (TensorRef t : distinct(c.tensorInputs())) {
          String source = sourceOf(scopeId, t, nodeOfCall, nodes);
          if (source != null && !source.equals(nodeOfCall.get(c.index()))) {
            edges
                .computeIfAbsent(source + ">" + nodeOfCall.get(c.index()), k -> new ArrayList<>())
                .add(t.label());
          }
        }
      }
      if (scopeId != TOP) {
        for (TensorRef t : distinct(trace.call(scopeId).tensorOutputs())) {
          String id = "o" + scopeId + "_" + t.id();
          nodes.put(id, port(id, Kind.OUTPUT, "output", t));
          String source = sourceOf(scopeId, t, nodeOfCall, nodes);
          if (source != null) {
            edges.computeIfAbsent(source + ">" + id, k -> new ArrayList<>()).add(t.label());
          }
        }
      }
      return Layout.run(scopeId, nodes, edges);
    }

    /**
     * The node in the scope a tensor comes from: the scope's call that made it (or the one whose
     * forward made it), else a parameter node or the scope's input node for it.
     */
    private String sourceOf(
        int scopeId, TensorRef t, Map<Integer, String> nodeOfCall, Map<String, Node> nodes) {
      // A module returning a tensor its calls made is recorded as a new version of it whose
      // producer is the module call itself: inside, the tensor comes from the earlier version.
      while (scopeId != TOP && t.producer() == scopeId && t.version() > 0) {
        TensorRef earlier = versions.get(t.implAddress() + "@" + (t.version() - 1));
        if (earlier == null) {
          break;
        }
        t = earlier;
      }
      int p = t.producer();
      while (p >= 0 && trace.call(p).parent() != scopeId) {
        p = trace.call(p).parent();
      }
      if (p >= 0 && nodeOfCall.containsKey(p)) {
        return nodeOfCall.get(p);
      }
      boolean stored = t.origin() == TensorOrigin.PARAMETER || t.origin() == TensorOrigin.BUFFER;
      String id = (stored ? "p" : "i") + scopeId + "_" + t.id();
      if (!nodes.containsKey(id)) {
        nodes.put(
            id,
            stored
                ? port(id, Kind.PARAMETER, t.name() == null ? "t" + t.id() : t.name(), t)
                : port(id, Kind.INPUT, "input", t));
      }
      return id;
    }

    private Node callNode(TracedCall c) {
      List<TensorRef> outs = c.tensorOutputs();
      String shape = outs.size() == 1 ? outs.get(0).shape().toString() : outs.size() + " tensors";
      return sized(c.isModuleCall() ? moduleNode(c, shape) : opNode(c, shape), NODE_HEIGHT);
    }

    /** A module call: a layer box, or a box that opens when its forward made drawn calls. */
    private Node moduleNode(TracedCall c, String shape) {
      String path = c.modulePath();
      return new Node(
          Integer.toString(c.index()),
          isCompound(c) ? Kind.COMPOUND : Kind.MODULE,
          path.isEmpty() ? "<root>" : path,
          ModelCost.shortType(c.moduleType()) + " " + shape,
          c.index(),
          path,
          ImmutableSortedSet.copyOf(layers(c)),
          labels(c.tensorOutputs()),
          0,
          0,
          0,
          0);
    }

    /** A tensor op; its layers are those whose parameters it reads directly. */
    private Node opNode(TracedCall c, String shape) {
      TreeSet<String> direct = new TreeSet<>();
      for (TensorRef t : c.tensorInputs()) {
        if (t.name() != null && trace.parameters().containsKey(t.name())) {
          direct.add(GroupsDot.layerOf(t.name()));
        }
      }
      return new Node(
          Integer.toString(c.index()),
          Kind.OP,
          c.op(),
          shape,
          c.index(),
          null,
          ImmutableSortedSet.copyOf(direct),
          labels(c.tensorOutputs()),
          0,
          0,
          0,
          0);
    }

    /**
     * Layer keys under a module call: its own path when it holds parameters, its descendants' and
     * the root parameters its ops read directly.
     */
    private SortedSet<String> layers(TracedCall c) {
      SortedSet<String> cached = layersUnder.get(c.index());
      if (cached != null) {
        return cached;
      }
      SortedSet<String> out = new TreeSet<>();
      if (c.isModuleCall()) {
        String prefix = c.modulePath().isEmpty() ? "" : c.modulePath() + ".";
        for (String p : trace.parameters().keySet()) {
          if (p.startsWith(prefix) && p.indexOf('.', prefix.length()) < 0) {
            out.add(GroupsDot.layerOf(p));
          }
        }
      }
      for (TracedCall child : trace.children(c.index())) {
        out.addAll(layers(child));
        for (TensorRef t : child.tensorInputs()) {
          if (t.name() != null
              && t.origin() == TensorOrigin.PARAMETER
              && t.name().indexOf('.') < 0) {
            out.add(t.name());
          }
        }
      }
      layersUnder.put(c.index(), out);
      return out;
    }

    private static Node port(String id, Kind kind, String title, TensorRef t) {
      String layer = kind == Kind.PARAMETER ? title : null;
      return sized(
          new Node(
              id,
              kind,
              title,
              t.shape().toString(),
              -1,
              null,
              layer == null ? ImmutableSortedSet.of() : ImmutableSortedSet.of(layer),
              t.label(),
              0,
              0,
              0,
              0),
          PORT_HEIGHT + (kind == Kind.PARAMETER ? 12 : 0));
    }

    private static Node sized(Node n, double height) {
      int chars = Math.max(n.title().length(), n.detail().length());
      double width = Math.max(56, chars * CHAR_WIDTH + 18);
      if (n.kind() == Kind.INPUT || n.kind() == Kind.OUTPUT) {
        width = Math.max(56, n.detail().length() * CHAR_WIDTH + 24);
      }
      return n.at(0, 0, width, height);
    }

    private static List<TensorRef> distinct(List<TensorRef> tensors) {
      Map<Integer, TensorRef> out = new LinkedHashMap<>();
      for (TensorRef t : tensors) {
        out.putIfAbsent(t.id(), t);
      }
      return new ArrayList<>(out.values());
    }

    private static String labels(List<TensorRef> tensors) {
      StringBuilder sb = new StringBuilder();
      for (TensorRef t : tensors) {
        sb.append(sb.length() == 0 ? "" : ", ").append(t.label());
      }
      return sb.toString();
    }
  }

  /** One ELK layered run over a flat scope. */
  private static final class Layout {
    static {
      // Plain Java: no Eclipse registry, so the layered algorithm is registered by hand.
      LayoutMetaDataService.getInstance()
          .registerLayoutMetaDataProviders(new LayeredMetaDataProvider());
    }

    static Scope run(int scopeId, Map<String, Node> nodes, Map<String, List<String>> edges) {
      ElkNode root = graph();
      Map<String, ElkNode> elk = new LinkedHashMap<>();
      for (Node n : nodes.values()) {
        elk.put(n.id(), elkNode(root, n));
      }
      Map<String, ElkEdge> elkEdges = new LinkedHashMap<>();
      edges.forEach(
          (key, tensors) -> {
            String[] ends = key.split(">", 2);
            elkEdges.put(key, ElkGraphUtil.createSimpleEdge(elk.get(ends[0]), elk.get(ends[1])));
          });
      new RecursiveGraphLayoutEngine().layout(root, new BasicProgressMonitor());

      ImmutableList.Builder<Node> placed = ImmutableList.builder();
      for (Node n : nodes.values()) {
        placed.add(placed(n, elk.get(n.id())));
      }
      ImmutableList.Builder<Edge> routed = ImmutableList.builder();
      edges.forEach(
          (key, tensors) -> {
            String[] ends = key.split(">", 2);
            routed.add(
                new Edge(ends[0], ends[1], points(elkEdges.get(key)), String.join(", ", tensors)));
          });
      return new Scope(scopeId, root.getWidth(), root.getHeight(), placed.build(), routed.build());
    }

    /** An empty ELK graph set up for a top-down layered layout with orthogonal edges. */
    private static ElkNode graph() {
      ElkNode root = ElkGraphUtil.createGraph();
      root.setProperty(CoreOptions.ALGORITHM, LayeredOptions.ALGORITHM_ID);
      root.setProperty(CoreOptions.DIRECTION, Direction.DOWN);
      root.setProperty(CoreOptions.EDGE_ROUTING, EdgeRouting.ORTHOGONAL);
      root.setProperty(CoreOptions.PADDING, new ElkPadding(12));
      root.setProperty(LayeredOptions.SPACING_NODE_NODE, 18.0);
      root.setProperty(LayeredOptions.SPACING_NODE_NODE_BETWEEN_LAYERS, 22.0);
      root.setProperty(LayeredOptions.SPACING_EDGE_NODE_BETWEEN_LAYERS, 10.0);
      // Keep the order the calls were made in where crossings allow it: reads like the code.
      root.setProperty(
          LayeredOptions.CONSIDER_MODEL_ORDER_STRATEGY, OrderingStrategy.NODES_AND_EDGES);
      return root;
    }

    /** {@code n}'s ELK node in {@code root}: inputs in the first layer, outputs in the last. */
    private static ElkNode elkNode(ElkNode root, Node n) {
      ElkNode e = ElkGraphUtil.createNode(root);
      e.setDimensions(n.width(), n.height());
      if (n.kind() == Kind.INPUT) {
        e.setProperty(LayeredOptions.LAYERING_LAYER_CONSTRAINT, LayerConstraint.FIRST);
      } else if (n.kind() == Kind.OUTPUT) {
        e.setProperty(LayeredOptions.LAYERING_LAYER_CONSTRAINT, LayerConstraint.LAST);
      }
      return e;
    }

    /** {@code n} at the place ELK gave {@code e}. */
    private static Node placed(Node n, ElkNode e) {
      return n.at(e.getX(), e.getY(), n.width(), n.height());
    }

    /** The route ELK gave an edge: each section's start, bend points and end. */
    private static ImmutableList<double[]> points(ElkEdge edge) {
      List<double[]> points = new ArrayList<>();
      for (ElkEdgeSection s : edge.getSections()) {
        points.add(new double[] {s.getStartX(), s.getStartY()});
        for (ElkBendPoint b : s.getBendPoints()) {
          points.add(new double[] {b.getX(), b.getY()});
        }
        points.add(new double[] {s.getEndX(), s.getEndY()});
      }
      return ImmutableList.copyOf(points);
    }
  }
}
