package dev.captcha.training.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.captcha.training.model.CaptchaResNet;
import org.junit.jupiter.api.Test;

/** The one-line network description a checkpoint carries, written and read back. */
class CheckpointNetworkTest {

  @Test
  void aMeanHeadKeepsTheLineOfEarlierCheckpoints() {
    CaptchaResNet.Spec spec = CaptchaResNet.Spec.standard(4, 62);
    String line = Checkpoint.describe(spec);
    assertEquals("input=1x64x128 length=4 classes=62 widths=32,64,128,256", line);
    CaptchaResNet.Spec read = Checkpoint.parseNetwork(line);
    assertEquals(CaptchaResNet.Head.MEAN_HEIGHT, read.head());
    assertArrayEquals(spec.widths(), read.widths());
  }

  @Test
  void aRowsHeadIsNamedAndReadBack() {
    CaptchaResNet.Spec spec = CaptchaResNet.Spec.standard(4, 62).withHead(CaptchaResNet.Head.ROWS);
    String line = Checkpoint.describe(spec);
    assertEquals("input=1x64x128 length=4 classes=62 widths=32,64,128,256 head=rows", line);
    CaptchaResNet.Spec read = Checkpoint.parseNetwork(line);
    assertEquals(CaptchaResNet.Head.ROWS, read.head());
    assertEquals(256L * 8 * 4, read.headFeatures());
    assertThrows(
        IllegalArgumentException.class,
        () -> Checkpoint.parseNetwork("input=1x64x128 length=4 classes=62 widths=32 head=max"));
  }
}
