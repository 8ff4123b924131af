package dev.captcha.training.finetune;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;

/** Recombining labelled captchas slot by slot: geometry, labels, backgrounds, sizes. */
class SlotMixTest {

  private static final String CODE =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  private static final int[] BACKGROUNDS = {0xFF0000, 0x00FF00, 0x0000FF, 0xFFA500, 0x808080};

  @Test
  void slotsFollowTheLibrarysPlacement() {
    // fs = int(0.6 * 64) = 38, padding 9, gap (128 - 18) / 4 = 27: tiles at 9, 36, 63, 90.
    assertArrayEquals(new int[] {9, 36, 63, 90, 27}, SlotMix.slots(128, 64, 4));
    // 256x128: fs 76, padding 19, gap (256 - 38) / 4 = 54.
    assertArrayEquals(new int[] {19, 73, 127, 181, 54}, SlotMix.slots(256, 128, 4));
    // six characters at 128x64, as the library's own example draws.
    assertArrayEquals(new int[] {9, 27, 45, 63, 81, 99, 18}, SlotMix.slots(128, 64, 6));
  }

  @Test
  void everyMixedSlotShowsTheCharacterItsLabelNames() {
    List<LabelledSamples.Sample> samples = new ArrayList<>();
    SplittableRandom draw = new SplittableRandom(5);
    for (int k = 0; k < 12; k++) {
      StringBuilder text = new StringBuilder();
      for (int i = 0; i < 4; i++) {
        text.append(CODE.charAt(draw.nextInt(40)));
      }
      samples.add(sample(k, text.toString(), BACKGROUNDS[k % BACKGROUNDS.length]));
    }
    SlotMix mix = new SlotMix(samples);
    SplittableRandom rnd = new SplittableRandom(11);
    Set<String> texts = new HashSet<>();
    int changedSlots = 0;
    for (int t = 0; t < 200; t++) {
      LabelledSamples.Sample base = samples.get(t % samples.size());
      SlotMix.Mixed m = mix.mix(base, rnd);
      texts.add(m.text());
      int background = base.image().getRGB(0, 0) & 0xFFFFFF;
      for (int i = 0; i < 4; i++) {
        assertEquals(m.text().charAt(i), decode(m.image(), i), "slot " + i + " of " + m.text());
        if (m.text().charAt(i) != base.text().charAt(i)) {
          changedSlots++;
        }
      }
      // Donors are recoloured: the whole image keeps the base's background.
      for (int y = 0; y < 64; y += 7) {
        for (int x = 0; x < 128; x++) {
          int p = m.image().getRGB(x, y) & 0xFFFFFF;
          assertTrue(p == background || p == 0xFFFFFF, "pixel " + x + "," + y + " " + p);
        }
      }
    }
    // Slots are replaced about half the time (a donor may carry the same character).
    assertTrue(changedSlots > 250 && changedSlots < 550, "changed slots: " + changedSlots);
    assertTrue(texts.size() > 150, "distinct texts: " + texts.size());
  }

  @Test
  void theSameDrawGivesTheSameCaptcha() {
    List<LabelledSamples.Sample> samples =
        List.of(
            sample(0, "abcd", 0xFF0000), sample(1, "WXYZ", 0x0000FF), sample(2, "1234", 0x808080));
    SlotMix mix = new SlotMix(samples);
    SlotMix.Mixed a = mix.mix(samples.get(0), new SplittableRandom(3));
    SlotMix.Mixed b = mix.mix(samples.get(0), new SplittableRandom(3));
    assertEquals(a.text(), b.text());
    assertArrayEquals(pixels(a.image()), pixels(b.image()));
  }

  @Test
  void onlySamplesOfTheSameSizeAreCombined() {
    LabelledSamples.Sample small = sample(0, "abcd", 0xFF0000);
    LabelledSamples.Sample large =
        new LabelledSamples.Sample(
            Path.of("1_WXYZ.png"), "WXYZ", new BufferedImage(256, 128, BufferedImage.TYPE_INT_RGB));
    SlotMix mix = new SlotMix(List.of(small, large));
    SplittableRandom rnd = new SplittableRandom(1);
    for (int t = 0; t < 20; t++) {
      SlotMix.Mixed m = mix.mix(small, rnd);
      assertSame(small.image(), m.image(), "a size with one sample is left as it is");
      assertEquals("abcd", m.text());
    }
    SlotMix pair = new SlotMix(List.of(small, sample(2, "WXYZ", 0x0000FF)));
    Set<String> texts = new HashSet<>();
    for (int t = 0; t < 20; t++) {
      texts.add(pair.mix(small, rnd).text());
    }
    assertTrue(texts.size() > 1, "two samples of one size are combined: " + texts);
  }

  /**
   * A 128x64 captcha whose slot {@code i} holds a white bar at the slot's columns 4..11, its top
   * row encoding character {@code i} (rows 1..62 for the 62 characters' positions).
   */
  private static LabelledSamples.Sample sample(int index, String text, int background) {
    BufferedImage img = new BufferedImage(128, 64, BufferedImage.TYPE_INT_RGB);
    for (int y = 0; y < 64; y++) {
      for (int x = 0; x < 128; x++) {
        img.setRGB(x, y, background);
      }
    }
    int[] slots = SlotMix.slots(128, 64, 4);
    for (int i = 0; i < 4; i++) {
      int top = CODE.indexOf(text.charAt(i)) + 1;
      for (int x = slots[i] + 4; x < slots[i] + 12; x++) {
        img.setRGB(x, top, 0xFFFFFF);
      }
    }
    return new LabelledSamples.Sample(Path.of(index + "_" + text + ".png"), text, img);
  }

  private static char decode(BufferedImage img, int slot) {
    int x = SlotMix.slots(128, 64, 4)[slot] + 6;
    for (int y = 0; y < 64; y++) {
      if ((img.getRGB(x, y) & 0xFFFFFF) == 0xFFFFFF) {
        return CODE.charAt(y - 1);
      }
    }
    throw new AssertionError("no bar in slot " + slot);
  }

  private static int[] pixels(BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }
}
