package io.jprune.pruner.surgery;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.cut.ParamCut;
import io.jprune.pruner.graph.RemovalEffects;
import io.jprune.pruner.graph.refusal.PlanException;
import io.jprune.pruner.module.LiveOptions;
import io.jprune.pruner.module.ModuleCatalog;
import io.jprune.pruner.module.ModuleChange;
import io.jprune.pruner.module.ModuleKind;
import io.jprune.pruner.module.NamedModules;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.bytedeco.pytorch.Module;

/**
 * The option changes a removal implies for each built-in module, as its {@link ModuleKind} works
 * them out from the pruned input/output shapes of its traced call and its cuts. Forward depends on
 * some (LayerNorm normalized_shape, conv groups, GroupNorm num_groups); the rest (in/out features)
 * are kept true for printing, saving and re-tracing.
 */
final class ModuleOptions {
  private ModuleOptions() {}

  static List<OptionChange> plan(Module root, RemovalEffects effects) {
    ModuleCatalog catalog = effects.catalog();
    NamedModules modules = NamedModules.of(root);
    List<OptionChange> out = new ArrayList<>();
    for (Map.Entry<String, ImmutableList<ImmutableLongArray>> e :
        effects.moduleShapes().entrySet()) {
      String path = e.getKey();
      Module plain = modules.at(path);
      String type = LiveOptions.typeName(plain);
      if (type == null || !LiveOptions.exists(plain)) {
        continue;
      }
      Optional<ModuleKind> kind = catalog.find(type).or(() -> catalog.find(type + "Impl"));
      if (kind.isEmpty()) {
        continue;
      }
      LiveOptions options = LiveOptions.of(path, plain);
      Change change = new Change(modules, path, e.getValue(), options, effects);
      kind.get()
          .options(change)
          .forEach(
              (name, after) -> {
                int dot = name.lastIndexOf('.');
                String module =
                    dot < 0 ? path : (path.isEmpty() ? "" : path + ".") + name.substring(0, dot);
                String option = name.substring(dot + 1);
                Object target =
                    (dot < 0 ? options : LiveOptions.of(module, modules.at(module)))
                        .pointer(option);
                out.add(new OptionChange(module, option, target, LiveOptions.read(target), after));
              });
    }
    out.removeIf(c -> !c.changes());
    return out;
  }

  /** The live option a recorded change names, checked to still hold its recorded value. */
  static OptionChange target(NamedModules modules, AppliedChanges.Option o) {
    Module plain = modules.at(o.module());
    if (!LiveOptions.exists(plain)) {
      throw new IllegalStateException("module '" + o.module() + "' has no options to set");
    }
    Object target = LiveOptions.of(o.module(), plain).pointer(o.option());
    long[] now = LiveOptions.read(target);
    if (!Arrays.equals(now, o.before().toArray())) {
      throw new IllegalStateException(
          "module '"
              + o.module()
              + "' has "
              + o.option()
              + " = "
              + Arrays.toString(now)
              + ", the record expects "
              + o.before());
    }
    return new OptionChange(o.module(), o.option(), target, now, o.after().toArray());
  }

  /** One module's view of a removal. */
  private record Change(
      NamedModules modules,
      String path,
      ImmutableList<ImmutableLongArray> shapes,
      LiveOptions options,
      RemovalEffects effects)
      implements ModuleChange {
    @Override
    public long[] input() {
      return shapes.get(0).toArray();
    }

    @Override
    public long[] output() {
      return shapes.get(1).toArray();
    }

    @Override
    public long[] current(String option) {
      int dot = option.lastIndexOf('.');
      return dot < 0
          ? options.read(option)
          : options(name(option.substring(0, dot))).read(option.substring(dot + 1));
    }

    @Override
    public long[] removed(String localParam, int dim) {
      ParamCut cut = effects.cuts().get(name(localParam));
      return cut == null || !cut.removed().containsKey(dim)
          ? new long[0]
          : cut.removed().get(dim).toArray();
    }

    @Override
    public long[] shapeAfter(String localParam) {
      ParamCut cut = effects.cuts().get(name(localParam));
      if (cut != null) {
        return cut.newShape();
      }
      return effects.parameterShape(name(localParam)).map(ImmutableLongArray::toArray).orElse(null);
    }

    @Override
    public RuntimeException refuse(String why) {
      return new PlanException(why);
    }

    private LiveOptions options(String module) {
      return LiveOptions.of(module, modules.at(module));
    }

    private String name(String local) {
      return path.isEmpty() ? local : path + "." + local;
    }
  }
}
