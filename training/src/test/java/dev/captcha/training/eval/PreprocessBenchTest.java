package dev.captcha.training.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.model.ColorMode;
import dev.captcha.model.InputSpec;
import java.util.List;
import org.junit.jupiter.api.Test;

class PreprocessBenchTest {

  @Test
  void timesTheModelsOwnTransformFirstBesideEveryOtherOfItsChannelCount() throws Exception {
    InputSpec input = new InputSpec(1, 64, 128, ColorMode.TEXT_ALPHA, 1 / 255f, 0, 1);
    List<PreprocessBench.Row> rows = PreprocessBench.run(input, 3, 3, 1);
    assertEquals(
        List.of(ColorMode.TEXT_ALPHA, ColorMode.MIN_RGB, ColorMode.GRAY),
        rows.stream().map(PreprocessBench.Row::color).toList());
    assertEquals(1.0, rows.get(0).medianRatio(), 1e-12);
    for (PreprocessBench.Row r : rows) {
      assertTrue(r.medianMicros() > 0 && r.medianRatio() > 0, r.toString());
    }
    InputSpec rgb = new InputSpec(3, 64, 128, ColorMode.RGB, 1 / 255f, 0, 1);
    assertEquals(
        List.of(ColorMode.RGB),
        PreprocessBench.run(rgb, 1, 1, 1).stream().map(PreprocessBench.Row::color).toList());
    assertThrows(IllegalArgumentException.class, () -> PreprocessBench.run(input, 0, 1, 1));
  }
}
