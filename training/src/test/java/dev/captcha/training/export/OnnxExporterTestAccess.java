package dev.captcha.training.export;

import dev.captcha.training.model.CaptchaResNet;
import java.util.SplittableRandom;

/** Opens the exporter tests' helpers to tests of other packages. */
public final class OnnxExporterTestAccess {
  private OnnxExporterTestAccess() {}

  /** Gives every BatchNorm of {@code net} non-trivial statistics, as training would. */
  public static void randomiseBatchNorms(CaptchaResNet net, SplittableRandom rnd) {
    OnnxExporterTest.randomiseBatchNorms(net, rnd);
  }
}
