package dev.captcha.training.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import java.awt.image.BufferedImage;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DegradationTest {

  private static final List<String> NAMES =
      List.of(
          "jpeg95",
          "jpeg75",
          "jpeg50",
          "scale2-bilinear-back-bilinear",
          "scale0.5-area-back-bicubic",
          "scale3-bicubic-back-area",
          "scale0.7-nearest-back-nearest",
          "shift0.25",
          "shift0.5:-0.3",
          "blur0.6",
          "gamma0.7",
          "gamma1.5",
          "blur0.6+palette256",
          "palette32",
          "palette-web",
          "scale2-bilinear-back-area+jpeg90");

  private static CaptchaGenerator generator;

  @BeforeAll
  static void setUp() {
    generator =
        CaptchaGenerator.builder()
            .fonts(FontCatalog.scanDefault().resolve(List.of("DejaVu Sans")))
            .build();
  }

  @Test
  void eachChangeKeepsSizeAndTypeIsDeterministicAndChangesPixels() {
    BufferedImage clean = generator.generate(3, 1).image();
    int[] before = Pixels.rgb(clean);
    for (String name : NAMES) {
      Degradation d = Degradation.parse(name);
      BufferedImage a = d.apply(clean);
      BufferedImage b = d.apply(clean);
      assertEquals(BufferedImage.TYPE_INT_RGB, a.getType(), name);
      assertEquals(128, a.getWidth(), name);
      assertEquals(64, a.getHeight(), name);
      assertArrayEquals(Pixels.rgb(a), Pixels.rgb(b), name + " is not deterministic");
      assertTrue(changed(before, Pixels.rgb(a)) > 0, name + " left every pixel as it was");
      assertArrayEquals(before, Pixels.rgb(clean), name + " modified its input");
    }
  }

  @Test
  void noneCopiesAndRescaleWithoutBackKeepsTheNewSize() {
    BufferedImage clean = generator.generate(3, 2).image();
    assertArrayEquals(Pixels.rgb(clean), Pixels.rgb(Degradation.parse("none").apply(clean)));
    BufferedImage big = Degradation.parse("scale2-nearest").apply(clean);
    assertEquals(256, big.getWidth());
    assertEquals(128, big.getHeight());
    // nearest 2x repeats each pixel in a 2x2 block
    for (int y = 0; y < 64; y += 7) {
      for (int x = 0; x < 128; x += 5) {
        assertEquals(clean.getRGB(x, y), big.getRGB(2 * x + 1, 2 * y + 1));
      }
    }
  }

  @Test
  void namesReadBack() {
    for (String name : NAMES) {
      assertEquals(name, Degradation.parse(name).name());
    }
    assertEquals("shift0.25", Degradation.parse("SHIFT0.250").name());
  }

  @Test
  void unknownOrOutOfRangeNamesAreRefusedClearly() {
    IllegalArgumentException unknown =
        assertThrows(IllegalArgumentException.class, () -> Degradation.parse("jpg90"));
    assertTrue(
        unknown.getMessage().contains("jpg90") && unknown.getMessage().contains("known"),
        unknown.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Degradation.parse("jpeg0"));
    assertThrows(IllegalArgumentException.class, () -> Degradation.parse("jpeg101"));
    assertThrows(IllegalArgumentException.class, () -> Degradation.parse("scale2-lanczos"));
    assertThrows(IllegalArgumentException.class, () -> Degradation.parse("palette1"));
    assertThrows(IllegalArgumentException.class, () -> Degradation.parse("blur0"));
    assertThrows(IllegalArgumentException.class, () -> Degradation.parse(""));
  }

  @Test
  void areaShrinkAveragesAndUniformImagesStayUniform() {
    BufferedImage checker = new BufferedImage(4, 2, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 4; x++) {
      for (int y = 0; y < 2; y++) {
        checker.setRGB(x, y, (x + y) % 2 == 0 ? 0xFFFFFF : 0x000000);
      }
    }
    BufferedImage half = Resampler.resize(checker, 2, 1, Resampler.Filter.AREA);
    assertEquals(0x808080, half.getRGB(0, 0) & 0xFFFFFF);
    BufferedImage flat = new BufferedImage(128, 64, BufferedImage.TYPE_INT_RGB);
    for (int x = 0; x < 128; x++) {
      for (int y = 0; y < 64; y++) {
        flat.setRGB(x, y, 0x12AB34);
      }
    }
    for (Resampler.Filter f : Resampler.Filter.values()) {
      BufferedImage r = Resampler.resize(Resampler.resize(flat, 301, 97, f), 128, 64, f);
      for (int p : Pixels.rgb(r)) {
        assertEquals(0x12AB34, p & 0xFFFFFF, f.name());
      }
    }
  }

  @Test
  void augmenterIsAPureFunctionOfSeedAndIndex() {
    Augmenter augmenter = new Augmenter(1.0);
    BufferedImage clean = generator.generate(9, 4).image();
    for (int i = 0; i < 20; i++) {
      BufferedImage a = augmenter.apply(clean, 77, i);
      BufferedImage b = augmenter.apply(clean, 77, i);
      assertArrayEquals(Pixels.rgb(a), Pixels.rgb(b));
      assertEquals(128, a.getWidth());
      assertEquals(64, a.getHeight());
      assertEquals(BufferedImage.TYPE_INT_RGB, a.getType());
      assertFalse(augmenter.draw(77, i).isEmpty());
    }
    assertNotEquals(augmenter.draw(77, 1), augmenter.draw(78, 1));
  }

  @Test
  void jpegQualitiesSpanFiftyToNinetyFiveAndFavourTheLowOnes() {
    assertEquals(50, Augmenter.jpegQuality(50, 0));
    assertEquals(95, Augmenter.jpegQuality(50, Math.nextDown(1.0)));
    Augmenter augmenter = new Augmenter(1.0);
    int jpegs = 0;
    int low = 0;
    for (int i = 0; i < 4000; i++) {
      for (Degradation d : augmenter.draw(11, i)) {
        if (d instanceof Degradation.Jpeg jpeg) {
          assertTrue(jpeg.quality() >= 50 && jpeg.quality() <= 95, "quality " + jpeg.quality());
          jpegs++;
          low += jpeg.quality() < 65 ? 1 : 0;
        }
      }
    }
    // Four of the thirteen weight units are JPEG's; 1.5 changes per image on average.
    assertTrue(jpegs > 1500 && jpegs < 2300, jpegs + " JPEG changes in 4000 images");
    double share = low / (double) jpegs;
    assertTrue(share > 0.42 && share < 0.53, "share below quality 65: " + share);
  }

  @Test
  void aLowerJpegFloorChangesOnlyTheQualitiesDrawn() {
    assertEquals(30, Augmenter.jpegQuality(30, 0));
    assertEquals(95, Augmenter.jpegQuality(30, Math.nextDown(1.0)));
    Augmenter standard = new Augmenter(1.0);
    Augmenter lower = new Augmenter(1.0, 30);
    assertEquals(Augmenter.DEFAULT_JPEG_MIN_QUALITY, standard.jpegMinQuality());
    assertEquals(30, lower.jpegMinQuality());
    int below50 = 0;
    int jpegs = 0;
    for (int i = 0; i < 2000; i++) {
      List<Degradation> a = standard.draw(11, i);
      List<Degradation> b = lower.draw(11, i);
      assertEquals(a.size(), b.size());
      for (int k = 0; k < a.size(); k++) {
        if (b.get(k) instanceof Degradation.Jpeg jpeg) {
          assertTrue(a.get(k) instanceof Degradation.Jpeg);
          assertTrue(jpeg.quality() >= 30 && jpeg.quality() <= 95, "quality " + jpeg.quality());
          assertTrue(jpeg.quality() <= ((Degradation.Jpeg) a.get(k)).quality());
          below50 += jpeg.quality() < 50 ? 1 : 0;
          jpegs++;
        } else {
          assertEquals(a.get(k), b.get(k), "image " + i + " change " + k);
        }
      }
    }
    // Qualities below 50 are (20/66)^(2/3), about 45%, of the JPEG changes.
    assertTrue(below50 > 0.38 * jpegs && below50 < 0.52 * jpegs, below50 + " of " + jpegs);
    assertThrows(IllegalArgumentException.class, () -> new Augmenter(1.0, 9));
    assertThrows(IllegalArgumentException.class, () -> new Augmenter(1.0, 96));
  }

  @Test
  void theShiftWeightSetsHowOftenShiftsAreDrawnAndTheDefaultDrawsAsBefore() {
    Augmenter standard = new Augmenter(1.0);
    Augmenter explicit = new Augmenter(1.0, Augmenter.DEFAULT_JPEG_MIN_QUALITY, 3);
    Augmenter never = new Augmenter(1.0, Augmenter.DEFAULT_JPEG_MIN_QUALITY, 0);
    Augmenter often = new Augmenter(1.0, Augmenter.DEFAULT_JPEG_MIN_QUALITY, 12);
    assertEquals(3, standard.shiftWeight());
    assertEquals(12, often.shiftWeight());
    int standardShifts = 0;
    int oftenShifts = 0;
    for (int i = 0; i < 3000; i++) {
      assertEquals(standard.draw(21, i), explicit.draw(21, i), "image " + i);
      List<Degradation> none = never.draw(21, i);
      assertFalse(none.isEmpty(), "image " + i + " is degraded at rate 1");
      assertEquals(0, shifts(none), "image " + i + ": " + none);
      standardShifts += shifts(standard.draw(21, i));
      oftenShifts += shifts(often.draw(21, i));
    }
    // Weight 3 of 15 and weight 12 of 24 for the first change: about 0.27 and 0.6 of the images.
    assertTrue(standardShifts > 650 && standardShifts < 1050, standardShifts + " shifts in 3000");
    assertTrue(oftenShifts > 1600 && oftenShifts < 2100, oftenShifts + " shifts in 3000");
    assertThrows(IllegalArgumentException.class, () -> new Augmenter(1.0, 50, -1));
    assertThrows(IllegalArgumentException.class, () -> new Augmenter(1.0, 50, 21));
  }

  private static int shifts(List<Degradation> steps) {
    return (int) steps.stream().filter(d -> d instanceof Degradation.Shift).count();
  }

  @Test
  void rateIsTheShareOfDegradedImagesAndEveryKindIsDrawn() {
    Augmenter augmenter = new Augmenter(0.3);
    int degraded = 0;
    Set<Class<?>> kinds = new HashSet<>();
    for (int i = 0; i < 4000; i++) {
      List<Degradation> steps = augmenter.draw(5, i);
      if (!steps.isEmpty()) {
        degraded++;
      }
      steps.forEach(d -> kinds.add(d.getClass()));
    }
    assertTrue(degraded > 1000 && degraded < 1400, "degraded " + degraded + " of 4000 at rate 0.3");
    assertEquals(
        Set.of(
            Degradation.Rescale.class,
            Degradation.Shift.class,
            Degradation.Blur.class,
            Degradation.Gamma.class,
            Degradation.Palette.class,
            Degradation.WebPalette.class,
            Degradation.Jpeg.class),
        kinds);
    BufferedImage clean = generator.generate(9, 5).image();
    assertArrayEquals(Pixels.rgb(clean), Pixels.rgb(new Augmenter(0).apply(clean, 5, 0)));
    assertThrows(IllegalArgumentException.class, () -> new Augmenter(1.5));
  }

  private static int changed(int[] a, int[] b) {
    int n = 0;
    for (int i = 0; i < a.length; i++) {
      if ((a[i] & 0xFFFFFF) != (b[i] & 0xFFFFFF)) {
        n++;
      }
    }
    return n;
  }
}
