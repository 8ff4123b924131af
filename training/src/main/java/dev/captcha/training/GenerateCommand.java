package dev.captcha.training;

import dev.captcha.generator.Captcha;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.Charset;
import dev.captcha.generator.Disturbance;
import dev.captcha.generator.FontCatalog;
import dev.captcha.report.Progress;
import java.awt.Color;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicLong;
import java.util.stream.LongStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code generate} command: writes labelled captcha PNGs named {@code <index>_<text>.png}. */
@Command(
    name = "generate",
    mixinStandardHelpOptions = true,
    description = "Writes afocus-style captchas as PNG files named <index>_<text>.png.")
final class GenerateCommand implements Callable<Integer> {

  @Option(
      names = {"-o", "--out"},
      required = true,
      description = "Output folder (created if missing).")
  Path out;

  @Option(
      names = {"-n", "--count"},
      defaultValue = "1000",
      description = "Number of captchas (default: ${DEFAULT-VALUE}).")
  int count;

  @Option(
      names = "--seed",
      defaultValue = "1",
      description = "Seed; the same seed gives the same images (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(
      names = "--width",
      defaultValue = "128",
      description = "Width in pixels (default: ${DEFAULT-VALUE}).")
  int width;

  @Option(
      names = "--height",
      defaultValue = "64",
      description = "Height in pixels (default: ${DEFAULT-VALUE}).")
  int height;

  @Option(
      names = "--length",
      defaultValue = "4",
      description = "Characters per captcha (default: ${DEFAULT-VALUE}).")
  int length;

  @Option(
      names = "--disturbance",
      defaultValue = "MEDIUM",
      description = "NORMAL, MEDIUM or HIGH (default: ${DEFAULT-VALUE}).")
  Disturbance disturbance;

  @Option(
      names = "--charset",
      defaultValue = "ALL",
      description = "ALL, NUM, LOWER, UPPER or CLEAR (default: ${DEFAULT-VALUE}).")
  Charset charset;

  @Option(
      names = "--fonts",
      split = ",",
      description = "Font families or font files (default: the training families).")
  List<String> fonts = FontCatalog.TRAINING_FAMILIES;

  @Option(names = "--held-out-fonts", description = "Use the held-out font families instead.")
  boolean heldOut;

  @Option(
      names = "--backgrounds",
      split = ",",
      description = "Background colours as RRGGBB hex (default: the eight of the usual set-up).")
  List<String> backgrounds;

  @Option(names = "--quiet", description = "Show no progress.")
  boolean quiet;

  @Option(
      names = "--front-colors",
      split = ",",
      description = "Text colours as RRGGBB hex (default: FFFFFF).")
  List<String> fronts;

  @Override
  public Integer call() throws Exception {
    if (count < 0) {
      throw new IllegalArgumentException("--count must be >= 0");
    }
    FontCatalog catalog = FontCatalog.scanDefault();
    CaptchaGenerator.Builder b =
        CaptchaGenerator.builder()
            .size(width, height)
            .length(length)
            .disturbance(disturbance)
            .charset(charset)
            .weightedFonts(catalog.weighted(heldOut ? FontCatalog.HELD_OUT_FAMILIES : fonts));
    if (backgrounds != null) {
      b.backgrounds(parseColors(backgrounds));
    }
    if (fronts != null) {
      b.frontColors(parseColors(fronts));
    }
    CaptchaGenerator generator = b.build();
    Files.createDirectories(out);
    AtomicLong written = new AtomicLong();
    try (Progress bar =
        Progress.of("generated", "captchas", count, Progress.Mode.detect(quiet), System.err)) {
      LongStream.range(0, count)
          .parallel()
          .forEach(
              i -> {
                Captcha c = generator.generate(seed, i);
                try {
                  Files.write(out.resolve(i + "_" + c.text() + ".png"), c.png());
                } catch (java.io.IOException e) {
                  throw new java.io.UncheckedIOException(e);
                }
                bar.update(written.incrementAndGet());
              });
      bar.update(written.get(), Double.NaN, "written to " + out);
    }
    return 0;
  }

  private static List<Color> parseColors(List<String> hex) {
    List<Color> colors = new ArrayList<>();
    for (String h : hex) {
      String v = h.startsWith("#") ? h.substring(1) : h;
      if (!v.matches("[0-9a-fA-F]{6}")) {
        throw new IllegalArgumentException("colour '" + h + "' is not RRGGBB hex");
      }
      colors.add(new Color(Integer.parseInt(v, 16)));
    }
    return colors;
  }
}
