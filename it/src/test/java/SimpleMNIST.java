import static org.bytedeco.pytorch.global.torch.dropout;
import static org.bytedeco.pytorch.global.torch.log_softmax;
import static org.bytedeco.pytorch.global.torch.manual_seed;
import static org.bytedeco.pytorch.global.torch.nll_loss;
import static org.bytedeco.pytorch.global.torch.randint;
import static org.bytedeco.pytorch.global.torch.randn;
import static org.bytedeco.pytorch.global.torch.relu;

import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;

/**
 * bytedeco's SimpleMNIST sample as its users write it (default package, nested model class, static
 * torch functions, SGD, a checkpoint every 100 batches), on seeded random data instead of the MNIST
 * files: {@code WholeAppAgentIT} runs it unmodified with and without {@code
 * -javaagent:jprune-agent.jar=trace=...}.
 *
 * <p>cli/src/test/java has another {@code SimpleMNIST} on purpose: the same {@code Net}, but a
 * program that trains on the real MNIST files with arguments, resumes from its checkpoint and
 * prints the test accuracy, for the pruning agent's ITs. This one must stay the sample verbatim (no
 * arguments, no files), since what it checks is that the agent changes none of the sample's printed
 * losses; merging the two would make either test run a program its users do not write. Each
 * module's test classpath holds only its own, so the shared class name does not clash.
 */
public class SimpleMNIST {

  // Define a new Module.
  static class Net extends Module {
    Net() {
      // Construct and register two Linear submodules.
      fc1 = register_module("fc1", new LinearImpl(784, 64));
      fc2 = register_module("fc2", new LinearImpl(64, 32));
      fc3 = register_module("fc3", new LinearImpl(32, 10));
    }

    // Implement the Net's algorithm.
    Tensor forward(Tensor x) {
      // Use one of many tensor manipulation functions.
      x = relu(fc1.forward(x.reshape(x.size(0), 784)));
      x = dropout(x, /* p= */ 0.5, /* train= */ is_training());
      x = relu(fc2.forward(x));
      x = log_softmax(fc3.forward(x), /* dim= */ 1);
      return x;
    }

    // Use one of many "standard library" modules.
    final LinearImpl fc1, fc2, fc3;
  }

  public static void main(String[] args) throws Exception {
    manual_seed(1);

    // Create a new Net.
    Net net = new Net();

    // Instantiate an SGD optimization algorithm to update our Net's parameters.
    SGD optimizer = new SGD(net.parameters(), new SGDOptions(/* lr= */ 0.01));

    for (int epoch = 1; epoch <= 3; ++epoch) {
      int batch_index = 0;
      // Iterate over 300 batches of seeded random "digits".
      for (int step = 0; step < 300; step++) {
        Tensor data = randn(64, 1, 28, 28);
        Tensor target = randint(10, new long[] {64});
        // Reset gradients.
        optimizer.zero_grad();
        // Execute the model on the input data.
        Tensor prediction = net.forward(data);
        // Compute a loss value to judge the prediction of our model.
        Tensor loss = nll_loss(prediction, target);
        // Compute gradients of the loss w.r.t. the parameters of our model.
        loss.backward();
        // Update the parameters based on the calculated gradients.
        optimizer.step();
        // Output the loss and checkpoint every 100 batches.
        if (++batch_index % 100 == 0) {
          System.out.println(
              "Epoch: " + epoch + " | Batch: " + batch_index + " | Loss: " + loss.item_float());
          // Serialize your model periodically as a checkpoint.
          OutputArchive archive = new OutputArchive();
          net.save(archive);
          archive.save_to("net.pt");
        }
      }
    }
  }
}
