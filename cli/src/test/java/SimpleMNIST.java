import static org.bytedeco.pytorch.global.torch.dropout;
import static org.bytedeco.pytorch.global.torch.log_softmax;
import static org.bytedeco.pytorch.global.torch.nll_loss;
import static org.bytedeco.pytorch.global.torch.relu;

import java.io.BufferedInputStream;
import java.io.DataInputStream;
import java.io.File;
import java.io.FileInputStream;
import java.io.IOException;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.javacpp.LongPointer;
import org.bytedeco.javacpp.PointerScope;
import org.bytedeco.pytorch.Adam;
import org.bytedeco.pytorch.AdamOptions;
import org.bytedeco.pytorch.InputArchive;
import org.bytedeco.pytorch.LinearImpl;
import org.bytedeco.pytorch.LongOptional;
import org.bytedeco.pytorch.Module;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Optimizer;
import org.bytedeco.pytorch.OutputArchive;
import org.bytedeco.pytorch.SGD;
import org.bytedeco.pytorch.SGDOptions;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.TensorOptions;
import org.bytedeco.pytorch.global.torch;

/**
 * A training program written as bytedeco's SimpleMNIST sample is (a 784-64-32-10 MLP with static
 * relu/dropout/log_softmax, a checkpoint every 100 batches), knowing nothing of jprune: the
 * application under test of the agent's pruning ITs.
 *
 * <p>{@code java SimpleMNIST DATA_DIR sgd|adam BATCHES CHECKPOINT}: reads {@code train.bin} and
 * {@code test.bin} (int count, then count * 784 unsigned-byte pixels, then count label bytes),
 * resumes from CHECKPOINT when it exists, trains BATCHES batches of 64 printing the mean loss of
 * every 50, saves CHECKPOINT every 100 batches and at the end, and prints the test accuracy.
 *
 * <p>it/src/test/java has another {@code SimpleMNIST} on purpose: bytedeco's sample verbatim (the
 * same {@code Net}, no arguments, seeded random data), which checks that the agent changes none of
 * its printed losses. This one trains on real files and resumes from its checkpoint, which the
 * pruning agent's ITs need; the agent reports the model as {@code SimpleMNIST$Net} in both.
 */
public class SimpleMNIST {
  static class Net extends Module {
    Net() {
      fc1 = register_module("fc1", new LinearImpl(784, 64));
      fc2 = register_module("fc2", new LinearImpl(64, 32));
      fc3 = register_module("fc3", new LinearImpl(32, 10));
    }

    Tensor forward(Tensor x) {
      x = relu(fc1.forward(x.reshape(x.size(0), 784)));
      x = dropout(x, /* p= */ 0.5, /* train= */ is_training());
      x = relu(fc2.forward(x));
      x = log_softmax(fc3.forward(x), /* dim= */ 1);
      return x;
    }

    final LinearImpl fc1;
    final LinearImpl fc2;
    final LinearImpl fc3;
  }

  static final int BATCH = 64;

  public static void main(String[] args) throws Exception {
    File data = new File(args[0]);
    String optimizerName = args[1];
    int batches = Integer.parseInt(args[2]);
    String checkpoint = args[3];
    torch.manual_seed(1);
    Tensor[] train = read(new File(data, "train.bin"));
    Tensor[] test = read(new File(data, "test.bin"));

    Net net = new Net();
    if (new File(checkpoint).exists()) {
      InputArchive archive = new InputArchive();
      archive.load_from(checkpoint);
      net.load(archive);
      System.out.println("resumed from " + checkpoint);
    }
    Optimizer optimizer;
    if (optimizerName.equals("adam")) {
      optimizer = new Adam(net.parameters(), new AdamOptions(1e-3));
    } else {
      SGDOptions options = new SGDOptions(0.01);
      options.momentum().put(0.9);
      optimizer = new SGD(net.parameters(), options);
    }

    long n = train[0].size(0);
    double sum = 0;
    net.train(true);
    for (int batch = 1; batch <= batches; batch++) {
      long start = ((batch - 1) * (long) BATCH) % (n - BATCH);
      try (PointerScope scope = new PointerScope()) {
        optimizer.zero_grad();
        Tensor prediction = net.forward(train[0].narrow(0, start, BATCH));
        Tensor loss = nll_loss(prediction, train[1].narrow(0, start, BATCH));
        loss.backward();
        optimizer.step();
        sum += loss.item_float();
      }
      if (batch % 50 == 0) {
        System.out.printf("batch %d loss %.4f%n", batch, sum / 50);
        sum = 0;
      }
      if (batch % 100 == 0 || batch == batches) {
        OutputArchive archive = new OutputArchive();
        net.save(archive);
        archive.save_to(checkpoint);
      }
    }

    net.eval();
    long correct = 0;
    try (NoGradGuard guard = new NoGradGuard()) {
      Tensor pred = net.forward(test[0]).argmax(new LongOptional(1), false);
      correct = pred.eq(test[1]).sum().item_long();
    }
    System.out.printf("test accuracy %.4f%n", (double) correct / test[0].size(0));
  }

  /** Images [N, 784] in [0, 1] and labels [N]. */
  static Tensor[] read(File file) throws IOException {
    try (DataInputStream in =
        new DataInputStream(new BufferedInputStream(new FileInputStream(file)))) {
      int count = in.readInt();
      byte[] pixels = new byte[count * 784];
      in.readFully(pixels);
      byte[] labels = new byte[count];
      in.readFully(labels);
      float[] values = new float[pixels.length];
      for (int i = 0; i < values.length; i++) {
        values[i] = (pixels[i] & 0xff) / 255f;
      }
      Tensor images = torch.empty(count, 784);
      new FloatPointer(images.data_ptr_float()).capacity(values.length).put(values);
      long[] l = new long[count];
      for (int i = 0; i < count; i++) {
        l[i] = labels[i];
      }
      Tensor y = torch.zeros(new long[] {count}, new TensorOptions(torch.ScalarType.Long));
      new LongPointer(y.data_ptr_long()).capacity(count).put(l);
      return new Tensor[] {images, y};
    }
  }
}
