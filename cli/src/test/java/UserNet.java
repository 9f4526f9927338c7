import static org.bytedeco.pytorch.global.torch.relu;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.Tensor;

/** A user's model as the CLI meets it: unnamed package, package-private class and members. */
class UserNet extends Module {
  final LinearImpl fc1 = register_module("fc1", new LinearImpl(12, 16));
  final LinearImpl fc2 = register_module("fc2", new LinearImpl(16, 8));
  final LinearImpl head = register_module("head", new LinearImpl(8, 3));

  private UserNet() {}

  static UserNet create() {
    return new UserNet();
  }

  Tensor forward(Tensor x) {
    return head.forward(relu(fc2.forward(relu(fc1.forward(x)))));
  }
}
