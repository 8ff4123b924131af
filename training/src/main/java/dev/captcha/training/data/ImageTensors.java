package dev.captcha.training.data;

import dev.captcha.generator.Charset;
import dev.captcha.model.ColorMode;
import dev.captcha.model.InputSpec;
import dev.captcha.model.Preprocessor;
import java.awt.image.BufferedImage;

/**
 * Turns captcha images and texts into the model's input and label arrays; stateless and
 * thread-safe.
 *
 * <p>The input is one channel, min(R, G, B) / 255: white text maps to 1 and every background of the
 * palette to 0 (gray to 0.5), which keeps the contrast that plain grayscale loses on yellow and
 * cyan. This is the {@code min-rgb} colour transform of the model-file contract, or {@code
 * text-alpha}, the same on clean images and closer to them on JPEG-compressed ones; both computed
 * by the contract's {@link Preprocessor}, the one the server and the evaluation use.
 */
public final class ImageTensors {

  /** The scale applied to 0..255 channel values. */
  public static final float SCALE = 1f / 255f;

  private ImageTensors() {}

  /**
   * Writes the image's one channel by the colour transform {@code color} ({@link ColorMode#MIN_RGB}
   * or {@link ColorMode#TEXT_ALPHA}), scaled to [0, 1], into {@code out} at {@code offset}; the
   * image must already have the model's size.
   */
  public static void input(BufferedImage image, ColorMode color, float[] out, int offset) {
    InputSpec spec = new InputSpec(1, image.getHeight(), image.getWidth(), color, SCALE, 0, 1);
    new Preprocessor(spec).toTensor(image, out, offset);
  }

  /**
   * Writes the class indices of {@code text} (ALL-mode classes) into {@code out} at {@code offset}.
   */
  public static void labels(String text, int[] out, int offset) {
    for (int i = 0; i < text.length(); i++) {
      int cls = Charset.MODEL_CLASSES.indexOf(text.charAt(i));
      if (cls < 0) {
        throw new IllegalArgumentException(
            "character '" + text.charAt(i) + "' is not a model class");
      }
      out[offset + i] = cls;
    }
  }
}
