package dev.captcha.training.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.captcha.generator.FontCatalog;
import dev.captcha.model.ColorMode;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class GroupValidationTest {
  private static final int PIXELS = 64 * 128;
  private static final List<FontCatalog.WeightedFont> FACES =
      FontCatalog.scanDefault()
          .weighted(List.of("DejaVu Serif", "DejaVu Sans", "DejaVu Sans Mono"));

  @Test
  void eachGroupDrawsTheSameCaptchasInItsOwnFonts() {
    GroupValidation v = GroupValidation.of(FACES, 5, 7, PIXELS, ColorMode.MIN_RGB);
    assertNotNull(v);
    assertEquals(List.of("mono", "sans", "serif"), v.groups());
    assertEquals(15, v.batch().size());
    int length = v.batch().labels().length / 15;
    int[] labels = v.batch().labels();
    int[] first = Arrays.copyOfRange(labels, 0, 5 * length);
    for (int g = 1; g < 3; g++) {
      assertArrayEquals(
          first, Arrays.copyOfRange(labels, g * 5 * length, (g + 1) * 5 * length), "group " + g);
    }
    float[] x = v.batch().inputs();
    assertFalse(
        Arrays.equals(
            Arrays.copyOfRange(x, 0, PIXELS), Arrays.copyOfRange(x, 5 * PIXELS, 6 * PIXELS)),
        "the groups' images differ in their fonts");
  }

  @Test
  void noSetForOneGroupOrASizeOfZero() {
    assertNull(GroupValidation.of(FACES, 0, 7, PIXELS, ColorMode.MIN_RGB));
    assertNull(
        GroupValidation.of(
            FontCatalog.scanDefault().weighted(List.of("DejaVu Sans", "Liberation Sans")),
            5,
            7,
            PIXELS,
            ColorMode.MIN_RGB));
  }

  @Test
  void accuracyIsCountedPerGroup() {
    GroupValidation v = GroupValidation.of(FACES, 2, 7, PIXELS, ColorMode.MIN_RGB);
    boolean[] exact = {true, true, true, false, false, false};
    assertEquals(Map.of("mono", 1.0, "sans", 0.5, "serif", 0.0), v.accuracy(exact));
    assertEquals(List.of("mono", "sans", "serif"), List.copyOf(v.accuracy(exact).keySet()));
    assertThrows(IllegalArgumentException.class, () -> v.accuracy(new boolean[5]));
  }
}
