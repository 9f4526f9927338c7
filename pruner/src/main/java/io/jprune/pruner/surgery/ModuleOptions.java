package io.jprune.pruner.surgery;

import com.google.common.collect.ImmutableList;
import com.google.common.primitives.ImmutableLongArray;
import io.jprune.pruner.graph.ParamCut;
import io.jprune.pruner.graph.PlanException;
import io.jprune.pruner.graph.RemovalEffects;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.bytedeco.pytorch.Module;

/**
 * The option changes a removal implies for each built-in module, worked out from the pruned
 * input/output shapes of its traced call. Forward depends on some (LayerNorm normalized_shape,
 * conv groups, GroupNorm num_groups); the rest (in/out features) are kept true for printing,
 * saving and re-tracing.
 */
final class ModuleOptions {
  private ModuleOptions() {}

  static List<OptionChange> plan(Module root, RemovalEffects effects) {
    List<OptionChange> out = new ArrayList<>();
    for (Map.Entry<String, ImmutableList<ImmutableLongArray>> e
        : effects.moduleShapes().entrySet()) {
      String path = e.getKey();
      long[] in = e.getValue().get(0).toArray();
      long[] outShape = e.getValue().get(1).toArray();
      Module plain = BuiltinModule.at(root, path);
      String type = BuiltinModule.typeName(plain);
      if (type == null) {
        continue;
      }
      Object options = options(BuiltinModule.typed(plain));
      if (options == null) {
        continue;
      }
      int spatial = type.contains("1d") ? 1 : type.contains("2d") ? 2 : type.contains("3d") ? 3 : 0;
      int ch = Math.max(0, in.length - spatial - 1);
      switch (type) {
        case "LinearImpl" -> {
          add(out, path, options, "in_features", in[in.length - 1]);
          add(out, path, options, "out_features", outShape[outShape.length - 1]);
        }
        case "Conv1dImpl", "Conv2dImpl", "Conv3dImpl" -> {
          long oldIn = OptionChange.read(field(options, "in_channels"))[0];
          long oldGroups = OptionChange.read(field(options, "groups"))[0];
          boolean depthwise = oldGroups > 1 && oldGroups == oldIn;
          add(out, path, options, "in_channels", in[ch]);
          add(out, path, options, "out_channels", outShape[ch]);
          if (depthwise) {
            add(out, path, options, "groups", in[ch]);
          }
        }
        case "ConvTranspose1dImpl", "ConvTranspose2dImpl", "ConvTranspose3dImpl" -> {
          add(out, path, options, "in_channels", in[ch]);
          add(out, path, options, "out_channels", outShape[ch]);
        }
        case "BatchNorm1dImpl", "BatchNorm2dImpl", "BatchNorm3dImpl", "InstanceNorm1dImpl",
            "InstanceNorm2dImpl", "InstanceNorm3dImpl" ->
            add(out, path, options, "num_features", in[in.length >= 2 ? 1 : 0]);
        case "LayerNormImpl" -> {
          Object target = field(options, "normalized_shape");
          long[] before = OptionChange.read(target);
          out.add(new OptionChange(path, "normalized_shape", target, before,
              new long[] {in[in.length - 1]}));
        }
        case "GroupNormImpl" -> groupNorm(out, path, options, in[1], effects);
        case "EmbeddingImpl" -> add(out, path, options, "embedding_dim",
            outShape[outShape.length - 1]);
        default -> {
          // no options that follow channel counts
        }
      }
    }
    out.removeIf(c -> !c.changes());
    return out;
  }

  /** The live option a recorded change names, checked to still hold its recorded value. */
  static OptionChange target(Module root, AppliedChanges.Option o) {
    Object options = options(BuiltinModule.typed(BuiltinModule.at(root, o.module())));
    if (options == null) {
      throw new IllegalStateException("module '" + o.module() + "' has no options to set");
    }
    Object target = field(options, o.option());
    long[] now = OptionChange.read(target);
    if (!java.util.Arrays.equals(now, o.before().toArray())) {
      throw new IllegalStateException("module '" + o.module() + "' has " + o.option() + " = "
          + java.util.Arrays.toString(now) + ", the record expects " + o.before());
    }
    return new OptionChange(o.module(), o.option(), target, now, o.after().toArray());
  }

  private static void groupNorm(List<OptionChange> out, String path, Object options,
      long channels, RemovalEffects effects) {
    long groups = OptionChange.read(field(options, "num_groups"))[0];
    long oldChannels = OptionChange.read(field(options, "num_channels"))[0];
    ParamCut cut = effects.cuts().get(path + ".weight");
    long newGroups = groups;
    if (cut != null && cut.removed().containsKey(0)) {
      long per = oldChannels / groups;
      long[] perGroup = new long[(int) groups];
      for (long idx : cut.removed().get(0).toArray()) {
        perGroup[(int) (idx / per)]++;
      }
      long partial = -1;
      for (long r : perGroup) {
        if (r == per) {
          newGroups--;
        } else if (partial >= 0 && r != partial) {
          throw new PlanException("GroupNorm " + path + " would lose different numbers of "
              + "channels per group " + java.util.Arrays.toString(perGroup)
              + ": every group must lose as many, or whole groups go");
        } else {
          partial = r;
        }
      }
    }
    if (newGroups < 1 || channels % newGroups != 0) {
      throw new PlanException("GroupNorm " + path + " would have " + channels + " channels in "
          + newGroups + " groups");
    }
    add(out, path, options, "num_channels", channels);
    add(out, path, options, "num_groups", newGroups);
  }

  private static void add(List<OptionChange> out, String path, Object options, String name,
      long value) {
    Object target = field(options, name);
    out.add(new OptionChange(path, name, target, OptionChange.read(target), new long[] {value}));
  }

  private static Object options(Object typed) {
    try {
      return typed.getClass().getMethod("options").invoke(typed);
    } catch (ReflectiveOperationException e) {
      return null;
    }
  }

  private static Object field(Object options, String name) {
    try {
      return options.getClass().getMethod(name).invoke(options);
    } catch (ReflectiveOperationException e) {
      throw new IllegalStateException("options " + options.getClass().getSimpleName()
          + " has no " + name, e);
    }
  }
}
