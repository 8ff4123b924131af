package dev.captcha.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.image.BufferedImage;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;

/** Replays every case drawn by the original library and compares the pixels. */
class ReferenceReplayTest {

  static final Path REFERENCE = Path.of("..", "reference", "afocus-go");

  @Test
  void replaysTheLibrarysOwnCaptchas() throws Exception {
    List<ReplayManifest.Case> cases =
        ReplayManifest.read(REFERENCE.resolve("manifest.jsonl"), referenceFonts());
    assertEquals(2000, cases.size());
    CaptchaRenderer renderer = new CaptchaRenderer();
    List<Fidelity.Comparison> out = new ArrayList<>();
    for (ReplayManifest.Case c : cases) {
      BufferedImage reference = ImageIO.read(REFERENCE.resolve(c.file()).toFile());
      out.add(
          Fidelity.compare(
              c.file(), Fidelity.kindOf(c.spec()), renderer.render(c.spec()), reference));
    }
    Fidelity fidelity = new Fidelity(out);
    System.out.print(fidelity.report());
    List<String> below =
        out.stream()
            .filter(c -> c.agreement() < 0.995)
            .map(c -> String.format(Locale.ROOT, "%s %.2f%%", c.file(), 100 * c.agreement()))
            .toList();
    assertTrue(below.isEmpty(), below.size() + " cases below 99.5%: " + below);
    assertTrue(fidelity.overallAgreement() >= 0.999, "overall " + fidelity.overallAgreement());
  }

  /** The files the reference set was drawn with (its README), as Debian installs them. */
  static ReplayFonts referenceFonts() {
    return new ReplayFonts(
        FontCatalog.scanDefault(),
        Map.of(
            "Liberation Sans",
                Path.of("/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf"),
            "DejaVu Serif", Path.of("/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf")));
  }
}
