package dev.captcha.training.eval;

import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.model.ColorMode;
import dev.captcha.model.InputSpec;
import dev.captcha.model.Preprocessor;
import java.awt.image.BufferedImage;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import javax.imageio.ImageIO;

/**
 * Time of the preprocessing alone (decoded image to input tensor) for each colour transform a model
 * of {@code input}'s channel count can declare, measured side by side: each round times every
 * transform once over the same images, in rotating order, and the figures are medians over rounds.
 */
public final class PreprocessBench {

  /**
   * One transform's figures: median microseconds per image over the rounds, and the median over
   * rounds of its time divided by the model's own transform's time in the same round.
   */
  public record Row(ColorMode color, double medianMicros, double medianRatio) {}

  private PreprocessBench() {}

  /**
   * Times the transforms on {@code count} captchas of the training fonts (seed 1), each as a server
   * receives it: written as PNG and decoded again.
   */
  public static List<Row> run(InputSpec input, int count, int rounds, int repetitions)
      throws IOException {
    if (count < 1 || rounds < 1 || repetitions < 1) {
      throw new IllegalArgumentException("images, rounds and repetitions must be >= 1");
    }
    CaptchaGenerator generator =
        CaptchaGenerator.builder()
            .weightedFonts(FontCatalog.scanDefault().weighted(FontCatalog.TRAINING_FAMILIES))
            .build();
    BufferedImage[] images = new BufferedImage[count];
    for (int i = 0; i < count; i++) {
      ByteArrayOutputStream png = new ByteArrayOutputStream();
      ImageIO.write(generator.generate(1, i).image(), "png", png);
      images[i] = ImageIO.read(new ByteArrayInputStream(png.toByteArray()));
    }
    List<ColorMode> modes = new ArrayList<>();
    modes.add(input.color());
    for (ColorMode m : ColorMode.values()) {
      if (m != input.color() && m.channels() == input.channels()) {
        modes.add(m);
      }
    }
    Preprocessor[] pre = new Preprocessor[modes.size()];
    for (int k = 0; k < pre.length; k++) {
      pre[k] = new Preprocessor(input.withColor(modes.get(k)));
    }
    float[] out = new float[input.itemSize()];
    double[][] micros = new double[modes.size()][rounds];
    // One untimed round warms every path up.
    for (int r = -1; r < rounds; r++) {
      for (int j = 0; j < pre.length; j++) {
        int k = (j + Math.max(r, 0)) % pre.length;
        long t0 = System.nanoTime();
        for (int rep = 0; rep < repetitions; rep++) {
          for (BufferedImage image : images) {
            pre[k].toTensor(image, out, 0);
          }
        }
        long nanos = System.nanoTime() - t0;
        if (r >= 0) {
          micros[k][r] = nanos / 1e3 / ((double) repetitions * count);
        }
      }
    }
    List<Row> rows = new ArrayList<>();
    for (int k = 0; k < modes.size(); k++) {
      double[] ratios = new double[rounds];
      for (int r = 0; r < rounds; r++) {
        ratios[r] = micros[k][r] / micros[0][r];
      }
      rows.add(new Row(modes.get(k), LatencyBench.median(micros[k]), LatencyBench.median(ratios)));
    }
    return rows;
  }
}
