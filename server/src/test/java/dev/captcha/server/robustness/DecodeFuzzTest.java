package dev.captcha.server.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.code_intelligence.jazzer.junit.FuzzTest;
import dev.captcha.model.InputSpec;
import dev.captcha.model.ModelMetadata;
import dev.captcha.model.Preprocessor;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.image.ImageLimits;
import dev.captcha.server.image.InvalidImageException;
import dev.captcha.server.testsupport.TinyOnnxModel;
import java.awt.image.BufferedImage;

/**
 * Coverage-guided fuzzing of the decode and preprocessing path that every request takes: whatever
 * the bytes, the result is a tensor of the model's input size with finite values, or an {@link
 * InvalidImageException} with a message; never another exception, an error or a hang.
 *
 * <p>A normal test run replays the inputs in {@code DecodeFuzzTestInputs/decodeAndPreprocess}
 * (regression mode). To fuzz, see server/README-operations.md; what the fuzzer finds is saved there
 * and becomes a regression input.
 */
class DecodeFuzzTest {
  private static final ImageDecoder DECODER = new ImageDecoder(ImageLimits.DEFAULT);
  private static final InputSpec SPEC = spec();
  private static final Preprocessor PREPROCESSOR = new Preprocessor(SPEC);

  private static InputSpec spec() {
    try {
      return ModelMetadata.parse(TinyOnnxModel.metadata()).input();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @FuzzTest(maxDuration = "5m")
  void decodeAndPreprocess(byte[] data) {
    BufferedImage image;
    try {
      image = DECODER.decode(data);
    } catch (InvalidImageException e) {
      assertNotNull(e.getMessage());
      assertNotNull(e.reason());
      return;
    }
    assertTrue(image.getWidth() >= 1 && image.getHeight() >= 1);
    float[] tensor = PREPROCESSOR.toTensor(image);
    assertEquals(SPEC.itemSize(), tensor.length);
    for (float v : tensor) {
      assertTrue(Float.isFinite(v), "non-finite input value");
    }
  }
}
