package dev.captcha.training.finetune;

import dev.captcha.generator.CaptchaSpec;
import java.awt.image.BufferedImage;
import java.awt.image.DataBufferInt;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;

/**
 * Recombines labelled captchas character by character, so a few hundred labelled images yield
 * captchas whose every character comes from any of them; immutable and thread-safe.
 *
 * <p>The library pastes character {@code i} at {@code x = fs/4 + gap * i} with {@code fs = int(0.6
 * * H)} and {@code gap = (W - 2 * fs/4) / n}, and nearly all of a glyph's ink falls within the
 * {@code gap} columns from there (the glyph starts at its tile's left edge and is narrower than the
 * gap; wide or steeply rotated ones spill a few columns). A mixed captcha starts from one sample
 * (RGB as the server's preprocessing starts) and replaces each slot's columns, with probability
 * {@link #SLOT_SHARE}, by the columns of a slot of another sample of the same size: the same slot
 * or another one, moved sideways by whole gaps, its background recoloured to the first sample's.
 * The label takes the donor's character in that slot. Only samples of the same size are combined; a
 * size with a single sample, or too narrow for {@code n} slots, is returned as it is.
 */
final class SlotMix {

  /** Probability that a slot is taken from another sample. */
  static final double SLOT_SHARE = 0.5;

  /** A mixed captcha and its text. */
  record Mixed(BufferedImage image, String text) {}

  private final Map<Long, List<LabelledSamples.Sample>> bySize = new HashMap<>();

  /**
   * @param samples the labelled images to combine, all with texts of the same length
   */
  SlotMix(List<LabelledSamples.Sample> samples) {
    for (LabelledSamples.Sample s : samples) {
      bySize.computeIfAbsent(sizeKey(s.image()), k -> new ArrayList<>()).add(s);
    }
    bySize.replaceAll((k, v) -> List.copyOf(v));
  }

  /**
   * The first column of each of the {@code n} character slots of a {@code w x h} captcha, and the
   * gap, as {@code [left0, ..., left(n-1), gap]}.
   */
  static int[] slots(int w, int h, int n) {
    int[] out = new int[n + 1];
    if (n == 0) {
      return out;
    }
    for (int i = 0; i < n; i++) {
      out[i] = CaptchaSpec.glyphLeft(w, h, n, i);
    }
    out[n] = CaptchaSpec.glyphGap(w, h, n);
    return out;
  }

  /**
   * {@code base} with some of its slots taken from other samples of its size, drawn from {@code
   * rnd}.
   */
  Mixed mix(LabelledSamples.Sample base, SplittableRandom rnd) {
    BufferedImage image = base.image();
    int w = image.getWidth();
    int h = image.getHeight();
    String text = base.text();
    int n = text.length();
    List<LabelledSamples.Sample> same = bySize.getOrDefault(sizeKey(image), List.of());
    int[] slots = slots(w, h, n);
    int gap = slots[n];
    if (same.size() < 2 || gap < 1) {
      return new Mixed(image, text);
    }
    BufferedImage out = SampleVariation.rgb(image);
    int[] px = ((DataBufferInt) out.getRaster().getDataBuffer()).getData();
    int background = SampleVariation.background(px);
    char[] chars = text.toCharArray();
    for (int i = 0; i < n; i++) {
      if (rnd.nextDouble() >= SLOT_SHARE) {
        continue;
      }
      LabelledSamples.Sample donor = same.get(rnd.nextInt(same.size()));
      int j = rnd.nextInt(n);
      int[] from = rgbPixels(donor.image());
      SampleVariation.recolourBackground(from, background);
      int dst = slots[i];
      int src = slots[j];
      // The last slot's glyph may reach past its gap to the right edge: take those columns too,
      // from the donor's last slot, or blank where the donor's slot has a neighbour there.
      int width = i == n - 1 ? w - dst : gap;
      for (int y = 0; y < h; y++) {
        for (int x = 0; x < width; x++) {
          int dx = dst + x;
          int sx = src + x;
          if (dx < 0 || dx >= w) {
            continue;
          }
          boolean inside = sx >= 0 && sx < w && (x < gap || j == n - 1);
          px[y * w + dx] = inside ? from[y * w + sx] : 0xFF000000 | background;
        }
      }
      chars[i] = donor.text().charAt(j);
    }
    return new Mixed(out, new String(chars));
  }

  private static int[] rgbPixels(BufferedImage image) {
    return ((DataBufferInt) SampleVariation.rgb(image).getRaster().getDataBuffer()).getData();
  }

  private static long sizeKey(BufferedImage image) {
    return (long) image.getWidth() << 32 | image.getHeight();
  }
}
