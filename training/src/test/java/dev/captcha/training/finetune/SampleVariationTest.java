package dev.captcha.training.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Turning the characters of a labelled captcha one by one. */
class SampleVariationTest {

  private static final int W = 128;
  private static final int H = 64;
  private static final int BLUE = 0xFF0000FF;
  private static final int WHITE = 0xFFFFFFFF;

  private static int[] pixels(BufferedImage image) {
    BufferedImage rgb = SampleVariation.rgb(image);
    return ((DataBufferInt) rgb.getRaster().getDataBuffer()).getData().clone();
  }

  /** White ink of each pixel over the blue background, 0 to 1. */
  private static double ink(int p) {
    return ((p >> 16) & 0xFF) / 255.0;
  }

  @Test
  void aTurnOfNoAngleRedrawsAGeneratedCaptchaAsItWas() {
    CaptchaGenerator g =
        CaptchaGenerator.builder()
            .fonts(FontCatalog.scanDefault().resolve(List.of("DejaVu Sans")))
            .build();
    for (int i = 0; i < 5; i++) {
      int[] before = pixels(g.generate(17, i).image());
      int[] after = before.clone();
      SampleVariation.turnSlots(after, W, H, 4, 1e-9, new SplittableRandom(i));
      for (int k = 0; k < before.length; k++) {
        for (int shift = 0; shift <= 16; shift += 8) {
          int a = (before[k] >> shift) & 0xFF;
          int b = (after[k] >> shift) & 0xFF;
          assertTrue(Math.abs(a - b) <= 2, "pixel " + k + ": " + a + " -> " + b);
        }
      }
    }
  }

  @Test
  void aTurnTiltsTheInkOfItsSlotAndTouchesNothingElse() {
    // A vertical white bar, 3 px wide and 40 tall, in the middle of slot 1 (columns 36 to 62).
    int[] image = new int[W * H];
    Arrays.fill(image, BLUE);
    for (int y = 12; y < 52; y++) {
      for (int x = 48; x < 51; x++) {
        image[y * W + x] = WHITE;
      }
    }
    image[5] = WHITE; // some ink in slot 0's padding, outside every slot
    int[] slots = SlotMix.slots(W, H, 4);
    int tilted = 0;
    for (int seed = 0; seed < 20; seed++) {
      int[] px = image.clone();
      SampleVariation.turnSlots(px, W, H, 4, 20, new SplittableRandom(seed));
      double inkBefore = 0;
      double inkAfter = 0;
      for (int y = 0; y < H; y++) {
        for (int x = 0; x < W; x++) {
          int k = y * W + x;
          boolean inSlot1 = x >= slots[1] && x < slots[2];
          if (!inSlot1) {
            assertEquals(image[k], px[k], "pixel (" + x + ", " + y + ") outside the bar's slot");
          } else {
            inkBefore += ink(image[k]);
            inkAfter += ink(px[k]);
          }
        }
      }
      assertEquals(inkBefore, inkAfter, 0.1 * inkBefore, "ink of the turned slot");
      double topX = centre(px, 14);
      double bottomX = centre(px, 49);
      if (Math.abs(topX - bottomX) > 3) {
        tilted++;
      }
    }
    // Each slot turns with probability 0.5, by up to 20 degrees: tan(20) * 35 rows is 12.7 px.
    assertTrue(tilted >= 5 && tilted <= 15, "seeds that tilted the bar: " + tilted);
  }

  @Test
  void nothingTurnsWhereTextAndBackgroundAreAlike() {
    int[] image = new int[W * H];
    Arrays.fill(image, 0xFF808080);
    for (int y = 12; y < 52; y++) {
      image[y * W + 49] = 0xFF8A8A8A;
    }
    int[] px = image.clone();
    SampleVariation.turnSlots(px, W, H, 4, 20, new SplittableRandom(1));
    assertArrayEquals(image, px);
  }

  /** The ink-weighted mean column of row {@code y}. */
  private static double centre(int[] px, int y) {
    double sum = 0;
    double weight = 0;
    for (int x = 0; x < W; x++) {
      double v = ink(px[y * W + x]);
      sum += v * x;
      weight += v;
    }
    return sum / weight;
  }
}
