package io.jprune.cli;

import io.jprune.zoo.ZooModel;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Supplier;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/**
 * Where the model {@code jprune} prunes comes from: a model of the zoo ({@code --model}) or the
 * user's own class ({@code --class}, with its factory, weights and example input). Either way the
 * command gets the same {@link Loaded} model, so it does not branch on the source again.
 */
sealed interface ModelSource {
  /** Inputs on which a step that is not all exact is compared with the unpruned zoo model. */
  int VERIFICATION_INPUTS = 8;

  /** Builds the model (seeded), its example forward and the forwards a step is measured on. */
  Loaded load(long seed);

  /**
   * A built model.
   *
   * @param model the model, in eval mode
   * @param forward its example forward
   * @param name what the report calls it
   * @param verificationForwards the forwards a step that cannot be proven whole is measured on
   */
  record Loaded(
      Module model,
      Supplier<Tensor> forward,
      String name,
      List<Supplier<Tensor>> verificationForwards) {}

  /** A model of the zoo, on its seeded example input. */
  record Zoo(ZooModel zoo) implements ModelSource {
    /**
     * The example input and {@link #VERIFICATION_INPUTS} - 1 more of the same shape (seeds after
     * the example's): what a step that cannot be proven whole is measured on.
     */
    @Override
    public Loaded load(long seed) {
      Module m = zoo.create(seed);
      Tensor x = zoo.exampleInput(seed);
      List<Supplier<Tensor>> forwards = new ArrayList<>();
      for (int i = 0; i < VERIFICATION_INPUTS; i++) {
        Tensor input = zoo.exampleInput(seed + i);
        forwards.add(() -> zoo.forward(m, input));
      }
      return new Loaded(m, () -> zoo.forward(m, x), zoo.name(), List.copyOf(forwards));
    }
  }

  /** The user's class, see {@link UserModel}; measured on its example forward alone. */
  record UserClass(String classPath, String className, String factory, String input, Path weights)
      implements ModelSource {
    @Override
    public Loaded load(long seed) {
      UserModel user = UserModel.load(classPath, className, factory, input, weights, seed);
      Supplier<Tensor> forward = user::forward;
      return new Loaded(user.model(), forward, user.name(), List.of(forward));
    }
  }
}
