package dev.captcha.training.export;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Parameter;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.Charset;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.train.TrainingConfig;
import java.nio.FloatBuffer;

/**
 * Undoes, in the head's bias, the character odds of a run trained with more look-alike characters
 * than the library draws ({@code train --lookalike-share}): a classifier trained on odds p' learns
 * log p' into its logits, so adding {@code log p(c) - log p'(c)} to every position's logit of class
 * {@code c} gives the logits of the library's odds p. The odds within the look-alikes are the
 * library's in both, so this moves only the look-alikes against the other characters. Stateless.
 */
final class PriorCorrection {

  private PriorCorrection() {}

  /**
   * Per class of {@link Charset#MODEL_CLASSES}, {@code log p(c) - log p'(c)} for a run that drew a
   * share {@code lookalikeShare} of its characters from {@link TrainingConfig#LOOKALIKES}.
   */
  static float[] logOdds(double lookalikeShare) {
    String classes = Charset.MODEL_CLASSES;
    float[] out = new float[classes.length()];
    for (int i = 0; i < out.length; i++) {
      char c = classes.charAt(i);
      double library = Charset.ALL.probability(c);
      double trained =
          CaptchaGenerator.characterProbability(
              Charset.ALL, TrainingConfig.LOOKALIKES, lookalikeShare, c);
      out[i] = (float) Math.log(library / trained);
    }
    return out;
  }

  /** Adds {@link #logOdds} to the head's bias of every character position of {@code net}. */
  static void apply(CaptchaResNet net, double lookalikeShare) {
    if (lookalikeShare == 0) {
      return;
    }
    float[] perClass = logOdds(lookalikeShare);
    Parameter bias = net.head().getParameters().get("bias");
    NDArray array = bias.getArray();
    float[] values = array.toFloatArray();
    if (values.length != net.spec().length() * perClass.length) {
      throw new IllegalStateException(
          "head bias has " + values.length + " values, not length x " + perClass.length);
    }
    for (int i = 0; i < values.length; i++) {
      values[i] += perClass[i % perClass.length];
    }
    array.set(FloatBuffer.wrap(values));
  }
}
