import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.util.Locale;
import org.bytedeco.javacpp.FloatPointer;
import org.bytedeco.pytorch.NoGradGuard;
import org.bytedeco.pytorch.Tensor;
import org.bytedeco.pytorch.global.torch;

/**
 * A long-running program that serves forwards of SimpleMNIST's network, knowing nothing of jprune:
 * prints {@code ready PID}, then for every line on stdin one forward of a fixed batch, printed as
 * {@code out v1 v2 ...}; {@code quit} ends it. The network and the batch come from seed 5.
 */
public class ServingApp {
  public static void main(String[] args) throws Exception {
    torch.manual_seed(5);
    SimpleMNIST.Net net = new SimpleMNIST.Net();
    net.eval();
    Tensor batch = torch.rand(4, 784);
    System.out.println("ready " + ProcessHandle.current().pid());
    BufferedReader in =
        new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
    for (String line = in.readLine(); line != null && !line.equals("quit"); line = in.readLine()) {
      System.out.println(serve(net, batch));
    }
  }

  /** One request (a method per request, as servers dispatch them). */
  static String serve(SimpleMNIST.Net net, Tensor batch) {
    StringBuilder out = new StringBuilder("out");
    try (NoGradGuard guard = new NoGradGuard()) {
      Tensor y = net.forward(batch).contiguous();
      FloatPointer values = y.data_ptr_float();
      for (long i = 0; i < y.numel(); i++) {
        out.append(String.format(Locale.ROOT, " %.9g", values.get(i)));
      }
    }
    return out.toString();
  }
}
