package dev.captcha.training.eval;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.captcha.model.ColorMode;
import dev.captcha.model.InputSpec;
import dev.captcha.model.Preprocessor;
import java.awt.Color;
import java.awt.Graphics2D;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class SamplesTest {

  private static final InputSpec SPEC = new InputSpec(1, 8, 16, ColorMode.MIN_RGB, 1f, 0f, 1f);

  /** Ten small images, each a different grey, named and labelled by index; index 7 fails. */
  private static Samples samples(boolean failAtSeven) {
    return new Samples() {
      @Override
      public int size() {
        return 10;
      }

      @Override
      public Sample get(int index) throws IOException {
        if (failAtSeven && index == 7) {
          throw new IOException("cannot read 7");
        }
        BufferedImage image = new BufferedImage(16, 8, BufferedImage.TYPE_INT_RGB);
        Graphics2D g = image.createGraphics();
        g.setColor(new Color(20 * index, 20 * index, 20 * index));
        g.fillRect(0, 0, 16, 8);
        g.dispose();
        return new Sample(index + ".png", "t" + index, image);
      }
    };
  }

  @Test
  void writesEachSamplesTensorAndTextAtItsPlace() throws IOException {
    Samples s = samples(false);
    Preprocessor pre = new Preprocessor(SPEC);
    int item = SPEC.itemSize();
    float[] input = new float[4 * item];
    String[] truths = new String[4];
    Samples.Sample[] kept = new Samples.Sample[4];
    s.toTensors(3, 4, pre, input, truths, kept);
    for (int i = 0; i < 4; i++) {
      Samples.Sample expected = s.get(3 + i);
      assertEquals(expected.text(), truths[i]);
      assertEquals(expected.name(), kept[i].name());
      assertArrayEquals(
          pre.toTensor(expected.image()), Arrays.copyOfRange(input, i * item, (i + 1) * item));
    }
  }

  @Test
  void keepsNothingWithoutAnArray() throws IOException {
    float[] input = new float[2 * SPEC.itemSize()];
    String[] truths = new String[2];
    samples(false).toTensors(0, 2, new Preprocessor(SPEC), input, truths, null);
    assertArrayEquals(new String[] {"t0", "t1"}, truths);
  }

  @Test
  void aSampleThatCannotBeReadFailsTheCallWithItsOwnError() {
    float[] input = new float[5 * SPEC.itemSize()];
    IOException e =
        assertThrows(
            IOException.class,
            () ->
                samples(true).toTensors(5, 5, new Preprocessor(SPEC), input, new String[5], null));
    assertEquals("cannot read 7", e.getMessage());
    assertNull(e.getCause());
    assertSame(IOException.class, e.getClass());
  }
}
