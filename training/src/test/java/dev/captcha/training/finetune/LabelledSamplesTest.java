package dev.captcha.training.finetune;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.generator.Charset;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Collectors;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Parsing labelled file names: what is used, what is skipped and why. */
class LabelledSamplesTest {

  private static final String CHARSET = Charset.MODEL_CLASSES;

  @Test
  void namesThatParse() {
    assertNull(LabelledSamples.checkName("12_aB3x.png", CHARSET, 4));
    assertNull(LabelledSamples.checkName("0_ZZZZ.JPG", CHARSET, 4));
    assertNull(LabelledSamples.checkName("7_abcd.gif", CHARSET, 4));
    assertNull(LabelledSamples.checkName("7_abcd.bmp", CHARSET, 4));
    assertNull(LabelledSamples.checkName("7_abcd.jpeg", CHARSET, 4));
  }

  @Test
  void namesThatDoNot() {
    assertTrue(LabelledSamples.checkName("abcd.png", CHARSET, 4).contains("<index>_<text>"));
    assertTrue(LabelledSamples.checkName("x_abcd.png", CHARSET, 4).contains("<index>_<text>"));
    assertTrue(LabelledSamples.checkName("3_abcd.webp", CHARSET, 4).contains("not an image"));
    assertTrue(LabelledSamples.checkName("notes.txt", CHARSET, 4).contains("not an image"));
    assertTrue(LabelledSamples.checkName("3_abc.png", CHARSET, 4).contains("has 3 characters"));
    assertTrue(LabelledSamples.checkName("3_abcde.png", CHARSET, 4).contains("has 5 characters"));
    String outside = LabelledSamples.checkName("3_a-c!.png", CHARSET, 4);
    assertTrue(
        outside.contains("outside the model's charset") && outside.contains("[!, -]"), outside);
  }

  @Test
  void readsFoldersSkippingAndCountingBadFiles(@TempDir Path dir) throws Exception {
    BufferedImage img = new BufferedImage(128, 64, BufferedImage.TYPE_INT_RGB);
    ImageIO.write(img, "png", dir.resolve("1_abcd.png").toFile());
    ImageIO.write(img, "jpg", dir.resolve("2_WXYZ.jpg").toFile());
    ImageIO.write(img, "png", dir.resolve("3_abc.png").toFile());
    ImageIO.write(img, "png", dir.resolve("oops.png").toFile());
    Files.writeString(dir.resolve("4_abcd.png"), "not a png");
    Files.writeString(dir.resolve("readme.txt"), "hello");
    Files.writeString(dir.resolve(".hidden"), "ignored");
    Files.createDirectory(dir.resolve("sub"));

    LabelledSamples.Result r = LabelledSamples.read(List.of(dir), CHARSET, 4);
    assertEquals(
        List.of("abcd", "WXYZ"), r.usable().stream().map(LabelledSamples.Sample::text).toList());
    Map<String, String> skipped =
        r.skipped().stream()
            .collect(
                Collectors.toMap(
                    s -> s.file().getFileName().toString(), LabelledSamples.Skipped::reason));
    assertEquals(5, skipped.size(), skipped.toString());
    assertTrue(skipped.get("3_abc.png").contains("3 characters"));
    assertTrue(skipped.get("oops.png").contains("<index>_<text>"));
    assertTrue(skipped.get("4_abcd.png").contains("not a decodable"));
    assertTrue(skipped.get("readme.txt").contains("not an image"));
    assertTrue(skipped.get("sub").contains("folder"));

    assertThrows(
        IllegalArgumentException.class,
        () -> LabelledSamples.read(List.of(dir.resolve("missing")), CHARSET, 4));
  }

  @Test
  void holdsOutATenth() {
    BufferedImage img = new BufferedImage(4, 4, BufferedImage.TYPE_INT_RGB);
    List<LabelledSamples.Sample> samples =
        java.util.stream.IntStream.range(0, 95)
            .mapToObj(i -> new LabelledSamples.Sample(Path.of(i + "_abcd.png"), "abcd", img))
            .toList();
    List<List<LabelledSamples.Sample>> split = FinetuneData.split(samples, 7);
    assertEquals(86, split.get(0).size());
    assertEquals(9, split.get(1).size());
    assertEquals(split, FinetuneData.split(samples, 7));
  }

  @Test
  void variationKeepsSizeAndChangesPixels() {
    BufferedImage img = new BufferedImage(100, 50, BufferedImage.TYPE_INT_ARGB);
    for (int y = 0; y < 50; y++) {
      for (int x = 0; x < 100; x++) {
        img.setRGB(x, y, (x / 10 + y / 10) % 3 == 0 ? 0xFFFFFFFF : 0xFFFF0000);
      }
    }
    int changed = 0;
    SplittableRandom rnd = new SplittableRandom(3);
    for (int i = 0; i < 20; i++) {
      BufferedImage v = SampleVariation.vary(img, 4, 0, rnd);
      assertEquals(100, v.getWidth());
      assertEquals(50, v.getHeight());
      for (int y = 0; y < 50; y++) {
        for (int x = 0; x < 100; x++) {
          if ((v.getRGB(x, y) & 0xFFFFFF) != (img.getRGB(x, y) & 0xFFFFFF)) {
            changed++;
          }
        }
      }
    }
    assertTrue(changed > 0);
  }

  @Test
  void recolouringKeepsTheTextsOpacityOverTheNewBackground() {
    int[] px = new int[100];
    java.util.Arrays.fill(px, 0xFFFF0000); // red background
    java.util.Arrays.fill(px, 0, 10, 0xFFFFFFFF); // white text
    px[10] = 0xFFFF8080; // an edge: half white over red
    px[11] = 0xFFFF4040; // a quarter
    SampleVariation.recolourBackground(px, 0x0000FF);
    assertEquals(0x0000FF, px[50] & 0xFFFFFF);
    assertEquals(0xFFFFFF, px[0] & 0xFFFFFF);
    assertEquals(0x8080FF, px[10] & 0xFFFFFF, Integer.toHexString(px[10]));
    assertEquals(0x4040FF, px[11] & 0xFFFFFF, Integer.toHexString(px[11]));
  }
}
