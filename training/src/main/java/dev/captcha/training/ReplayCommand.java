package dev.captcha.training;

import dev.captcha.generator.CaptchaRenderer;
import dev.captcha.generator.Fidelity;
import dev.captcha.generator.FontCatalog;
import dev.captcha.generator.ReplayFonts;
import dev.captcha.generator.ReplayManifest;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import javax.imageio.ImageIO;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code replay} command: draws every case of a replay manifest (the recorded random draws of
 * captchas made by the original library) and writes each under its own file name; optionally
 * compares them with the original images and prints the fidelity report.
 */
@Command(
    name = "replay",
    mixinStandardHelpOptions = true,
    description = {
      "Replays a manifest of recorded captcha draws (one JSON object a line: file, text, background,",
      "dots, lines, glyphs, ripple) and writes each case's PNG under its 'file' name.",
      "The whole manifest is read and every font resolved before anything is written."
    })
final class ReplayCommand implements Callable<Integer> {

  @Option(names = "--manifest", required = true, description = "The manifest (JSON lines).")
  Path manifest;

  @Option(
      names = {"-o", "--out"},
      required = true,
      description = "Output folder (created if missing).")
  Path out;

  @Option(
      names = "--font",
      description =
          "Pin a family to a font file: FAMILY=FILE (repeatable). Needed where a family is installed from several files.")
  Map<String, Path> pinned = new LinkedHashMap<>();

  @Option(
      names = "--compare",
      description =
          "Folder of the original images: compare pixel by pixel and print the fidelity report.")
  Path compare;

  @Override
  public Integer call() throws Exception {
    if (!Files.isRegularFile(manifest)) {
      throw new IllegalArgumentException("cannot read manifest " + manifest + ": no such file");
    }
    for (Map.Entry<String, Path> e : pinned.entrySet()) {
      if (!Files.isRegularFile(e.getValue())) {
        throw new IllegalArgumentException(
            "--font " + e.getKey() + "=" + e.getValue() + ": no such file");
      }
    }
    List<ReplayManifest.Case> cases;
    try {
      cases = ReplayManifest.read(manifest, new ReplayFonts(FontCatalog.scanDefault(), pinned));
    } catch (IOException e) {
      throw new IllegalArgumentException(
          "cannot read manifest " + manifest + ": " + e.getMessage(), e);
    }
    if (compare != null && !Files.isDirectory(compare)) {
      throw new IllegalArgumentException("--compare " + compare + ": not a folder");
    }
    Files.createDirectories(out);
    CaptchaRenderer renderer = new CaptchaRenderer();
    List<Path> written = new ArrayList<>();
    List<Fidelity.Comparison> comparisons = new ArrayList<>();
    long t0 = System.nanoTime();
    try {
      for (ReplayManifest.Case c : cases) {
        BufferedImage image = renderer.render(c.spec());
        Path target = out.resolve(c.file());
        Path partial = out.resolve("." + c.file() + ".partial");
        if (!ImageIO.write(image, "png", partial.toFile())) {
          throw new IllegalStateException("no PNG writer available");
        }
        move(partial, target);
        written.add(target);
        if (compare != null) {
          comparisons.add(
              Fidelity.compare(c.file(), Fidelity.kindOf(c.spec()), image, readReference(c)));
        }
      }
    } catch (RuntimeException | IOException e) {
      for (Path p : written) {
        Files.deleteIfExists(p);
      }
      throw e;
    }
    double s = (System.nanoTime() - t0) / 1e9;
    System.err.printf(Locale.ROOT, "replayed %d cases to %s in %.1f s%n", cases.size(), out, s);
    if (compare != null) {
      System.out.print(new Fidelity(comparisons).report());
    }
    return 0;
  }

  private BufferedImage readReference(ReplayManifest.Case c) {
    Path file = compare.resolve(c.file());
    try {
      BufferedImage img = ImageIO.read(file.toFile());
      if (img == null) {
        throw new IllegalArgumentException(file + ": not an image");
      }
      return img;
    } catch (NoSuchFileException e) {
      throw new IllegalArgumentException(file + ": no such file (manifest line " + c.line() + ")");
    } catch (IOException e) {
      if (!Files.exists(file)) {
        throw new IllegalArgumentException(
            file + ": no such file (manifest line " + c.line() + ")");
      }
      throw new UncheckedIOException(e);
    }
  }

  private static void move(Path from, Path to) throws IOException {
    try {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (AtomicMoveNotSupportedException e) {
      Files.move(from, to, StandardCopyOption.REPLACE_EXISTING);
    }
  }
}
