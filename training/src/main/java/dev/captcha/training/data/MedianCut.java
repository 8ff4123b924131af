package dev.captcha.training.data;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/** Median-cut palette construction and nearest-colour lookup; stateless and thread-safe. */
final class MedianCut {

  private MedianCut() {}

  /** Up to {@code max} colours chosen by median cut over the image's colour histogram. */
  static int[] palette(int[] pixels, int max) {
    Map<Integer, int[]> counts = new HashMap<>();
    for (int p : pixels) {
      counts.computeIfAbsent(p & 0xFFFFFF, k -> new int[1])[0]++;
    }
    int[][] colours = new int[counts.size()][];
    int i = 0;
    for (Map.Entry<Integer, int[]> e : counts.entrySet()) {
      colours[i++] = new int[] {e.getKey(), e.getValue()[0]};
    }
    Arrays.sort(colours, Comparator.comparingInt(c -> c[0])); // deterministic order
    if (colours.length <= max) {
      return Arrays.stream(colours).mapToInt(c -> c[0]).toArray();
    }
    List<int[][]> boxes = new ArrayList<>();
    boxes.add(colours);
    while (boxes.size() < max) {
      int best = -1;
      int bestRange = 0;
      int bestChannel = 0;
      for (int b = 0; b < boxes.size(); b++) {
        int[][] box = boxes.get(b);
        if (box.length < 2) {
          continue;
        }
        for (int s = 16; s >= 0; s -= 8) {
          int lo = 255;
          int hi = 0;
          for (int[] c : box) {
            int v = (c[0] >>> s) & 0xFF;
            lo = Math.min(lo, v);
            hi = Math.max(hi, v);
          }
          if (hi - lo > bestRange) {
            bestRange = hi - lo;
            best = b;
            bestChannel = s;
          }
        }
      }
      if (best < 0) {
        break;
      }
      int[][] box = boxes.remove(best);
      int shift = bestChannel;
      Arrays.sort(
          box,
          Comparator.<int[]>comparingInt(c -> (c[0] >>> shift) & 0xFF).thenComparingInt(c -> c[0]));
      long total = 0;
      for (int[] c : box) {
        total += c[1];
      }
      long acc = 0;
      int cut = 1;
      for (int k = 0; k < box.length - 1; k++) {
        acc += box[k][1];
        if (acc * 2 >= total) {
          cut = k + 1;
          break;
        }
        cut = k + 1;
      }
      boxes.add(Arrays.copyOfRange(box, 0, cut));
      boxes.add(Arrays.copyOfRange(box, cut, box.length));
    }
    int[] out = new int[boxes.size()];
    for (int b = 0; b < boxes.size(); b++) {
      long r = 0;
      long g = 0;
      long bl = 0;
      long n = 0;
      for (int[] c : boxes.get(b)) {
        r += (long) ((c[0] >>> 16) & 0xFF) * c[1];
        g += (long) ((c[0] >>> 8) & 0xFF) * c[1];
        bl += (long) (c[0] & 0xFF) * c[1];
        n += c[1];
      }
      out[b] =
          (int) ((r + n / 2) / n) << 16 | (int) ((g + n / 2) / n) << 8 | (int) ((bl + n / 2) / n);
    }
    return out;
  }

  static int nearest(int[] palette, int colour) {
    int r = (colour >>> 16) & 0xFF;
    int g = (colour >>> 8) & 0xFF;
    int b = colour & 0xFF;
    int best = palette[0];
    int bestDistance = Integer.MAX_VALUE;
    for (int p : palette) {
      int dr = ((p >>> 16) & 0xFF) - r;
      int dg = ((p >>> 8) & 0xFF) - g;
      int db = (p & 0xFF) - b;
      int d = dr * dr + dg * dg + db * db;
      if (d < bestDistance) {
        bestDistance = d;
        best = p;
      }
    }
    return best;
  }
}
