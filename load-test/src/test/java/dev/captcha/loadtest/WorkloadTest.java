package dev.captcha.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WorkloadTest {

  static void writeImages(Path dir, List<String> names) throws Exception {
    for (String name : names) {
      BufferedImage img = new BufferedImage(32, 16, BufferedImage.TYPE_INT_RGB);
      img.setRGB(name.length() % 32, 3, 0xFFFFFF);
      ImageIO.write(img, "png", dir.resolve(name).toFile());
    }
  }

  @Test
  void readsLabelsFromFileNamesAndCyclesThroughTheImages(@TempDir Path dir) throws Exception {
    writeImages(dir, List.of("0_ab12.png", "1_XyZ9.PNG", "plain.png"));
    Files.writeString(dir.resolve("notes.txt"), "not an image");
    Workload w = Workload.fromFolder(dir);

    assertEquals(3, w.size());
    assertEquals("ab12", w.items().get(0).label());
    assertEquals("XyZ9", w.items().get(1).label());
    assertNull(w.items().get(2).label(), "no <index>_<text> name: sent unlabelled");
    assertTrue(w.description().contains("2 labelled"));
    assertTrue(w.items().get(0).request().getImage().size() > 0);
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 6; i++) {
      seen.add(String.valueOf(w.next().label()));
    }
    assertEquals(Set.of("ab12", "XyZ9", "null"), seen);
  }

  @Test
  void badFoldersGetClearErrors(@TempDir Path dir) throws Exception {
    IllegalArgumentException missing =
        assertThrows(
            IllegalArgumentException.class, () -> Workload.fromFolder(dir.resolve("nope")));
    assertTrue(missing.getMessage().contains("does not exist"));
    IllegalArgumentException empty =
        assertThrows(IllegalArgumentException.class, () -> Workload.fromFolder(dir));
    assertTrue(empty.getMessage().contains("holds no"));
    Files.write(dir.resolve("0_abcd.png"), new byte[0]);
    assertThrows(IllegalArgumentException.class, () -> Workload.fromFolder(dir));
  }

  @Test
  void generatedCaptchasArePngWithTheirText() {
    CaptchaGenerator generator =
        CaptchaGenerator.builder()
            .fonts(FontCatalog.scanDefault().resolve(FontCatalog.BUNDLED_MODEL_FAMILIES))
            .build();
    Workload w = Workload.generate(generator, 3, 7);
    assertEquals(3, w.size());
    for (Workload.Item item : w.items()) {
      assertEquals(4, item.label().length());
      byte[] png = item.request().getImage().toByteArray();
      assertEquals((byte) 0x89, png[0]);
      assertEquals('P', png[1]);
    }
    assertEquals(
        w.items().get(1).label(),
        Workload.generate(generator, 3, 7).items().get(1).label(),
        "reproducible from the seed");
  }
}
