package dev.captcha.training.export;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.Charset;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.train.TrainingConfig;
import org.junit.jupiter.api.Test;

class PriorCorrectionTest {

  @Test
  void bringsTheTrainingOddsBackToTheLibrarys() {
    float[] none = PriorCorrection.logOdds(0);
    for (float v : none) {
      assertEquals(0f, v);
    }
    double share = 0.3;
    float[] odds = PriorCorrection.logOdds(share);
    String classes = Charset.MODEL_CLASSES;
    double library = 0;
    for (int i = 0; i < odds.length; i++) {
      char c = classes.charAt(i);
      double trained =
          CaptchaGenerator.characterProbability(Charset.ALL, TrainingConfig.LOOKALIKES, share, c);
      // the training odds times the correction are the library's, which sum to one
      double corrected = trained * Math.exp(odds[i]);
      assertEquals(Charset.ALL.probability(c), corrected, 1e-6, "class " + c);
      library += corrected;
      if (TrainingConfig.LOOKALIKES.indexOf(c) >= 0) {
        assertTrue(odds[i] < 0, "a look-alike was drawn more often: " + c + " " + odds[i]);
      } else {
        assertEquals((float) Math.log(1 / (1 - share)), odds[i], 1e-6, "class " + c);
      }
    }
    assertEquals(1.0, library, 1e-5);
    // within the look-alikes the correction is the same, so their odds are untouched
    float zero = odds[classes.indexOf('0')];
    for (char c : TrainingConfig.LOOKALIKES.toCharArray()) {
      assertEquals(zero, odds[classes.indexOf(c)], 1e-6);
    }
  }

  @Test
  void movesEveryPositionsBiasOfTheNetwork() {
    CaptchaResNet net =
        CaptchaResNet.create(new CaptchaResNet.Spec(1, 64, 128, 4, 62, new int[] {8, 16}));
    try (Model model = Model.newInstance("prior", Device.cpu(), "PyTorch")) {
      model.setBlock(net.block());
      net.block().initialize(model.getNDManager(), DataType.FLOAT32, net.inputShape(1));
      float[] before = net.head().getParameters().get("bias").getArray().toFloatArray();
      PriorCorrection.apply(net, 0);
      float[] unchanged = net.head().getParameters().get("bias").getArray().toFloatArray();
      PriorCorrection.apply(net, 0.3);
      float[] after = net.head().getParameters().get("bias").getArray().toFloatArray();
      float[] odds = PriorCorrection.logOdds(0.3);
      assertEquals(4 * odds.length, after.length);
      for (int i = 0; i < after.length; i++) {
        assertEquals(before[i], unchanged[i]);
        assertEquals(odds[i % odds.length], after[i] - before[i], 1e-6, "bias " + i);
      }
    }
  }
}
