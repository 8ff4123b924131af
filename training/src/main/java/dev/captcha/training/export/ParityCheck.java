package dev.captcha.training.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.training.ParameterStore;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.model.CaptchaResNet;
import java.util.SplittableRandom;

/**
 * Compares an exported model in ONNX Runtime with the DJL network it came from (inference mode) on
 * random inputs; stateless, but the network must not be trained meanwhile.
 */
public final class ParityCheck {

  /** The largest absolute logit difference and how many positions' argmax differ. */
  public record Outcome(int images, double maxAbsDifference, int argmaxDisagreements) {}

  private ParityCheck() {}

  /** Runs {@code images} random inputs with values in [0, 1) through both. */
  public static Outcome compare(
      CaptchaResNet net, NDManager manager, OnnxModel onnx, int images, long seed) {
    CaptchaResNet.Spec spec = net.spec();
    int size = spec.channels() * spec.height() * spec.width();
    if (onnx.info().input().itemSize() != size
        || onnx.info().length() != spec.length()
        || onnx.info().classes() != spec.classes()) {
      throw new IllegalArgumentException("the ONNX model's shapes differ from the network's");
    }
    SplittableRandom rnd = new SplittableRandom(seed);
    float[] input = new float[images * size];
    for (int i = 0; i < input.length; i++) {
      input[i] = (float) rnd.nextDouble();
    }
    float[] expected;
    try (NDManager m = manager.newSubManager()) {
      NDArray x = m.create(input, net.inputShape(images));
      expected =
          net.block()
              .forward(new ParameterStore(m, false), new NDList(x), false)
              .singletonOrThrow()
              .toFloatArray();
    }
    float[] actual = onnx.run(input, images);
    if (expected.length != actual.length) {
      throw new IllegalStateException(
          "DJL gave " + expected.length + " logits, ONNX Runtime " + actual.length);
    }
    double max = 0;
    for (int i = 0; i < expected.length; i++) {
      max = Math.max(max, Math.abs((double) expected[i] - actual[i]));
    }
    int k = spec.classes();
    int disagreements = 0;
    for (int base = 0; base < expected.length; base += k) {
      if (argmax(expected, base, k) != argmax(actual, base, k)) {
        disagreements++;
      }
    }
    return new Outcome(images, max, disagreements);
  }

  private static int argmax(float[] v, int base, int k) {
    int best = 0;
    for (int c = 1; c < k; c++) {
      if (v[base + c] > v[base + best]) {
        best = c;
      }
    }
    return best;
  }
}
