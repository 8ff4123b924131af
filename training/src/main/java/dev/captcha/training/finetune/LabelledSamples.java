package dev.captcha.training.finetune;

import java.awt.image.BufferedImage;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/**
 * Reads folders of labelled captchas named {@code <index>_<text>.<ext>} (PNG, JPEG, GIF or BMP, the
 * formats the server accepts) and sorts out the files that cannot be used, each with the reason;
 * stateless, the result is immutable.
 */
public final class LabelledSamples {

  /** File name extensions of the image formats the server decodes. */
  static final Pattern IMAGE =
      Pattern.compile(".*\\.(png|jpe?g|gif|bmp)", Pattern.CASE_INSENSITIVE);

  private static final Pattern LABELLED =
      Pattern.compile("(\\d+)_(.+)\\.(png|jpe?g|gif|bmp)", Pattern.CASE_INSENSITIVE);

  /** One usable sample: the decoded image, as the server would decode it, and its text. */
  public record Sample(Path file, String text, BufferedImage image) {}

  /** A file that was left out, and why. */
  public record Skipped(Path file, String reason) {
    @Override
    public String toString() {
      return file + ": " + reason;
    }
  }

  /** What the folders held. */
  public record Result(List<Sample> usable, List<Skipped> skipped) {
    public Result {
      usable = List.copyOf(usable);
      skipped = List.copyOf(skipped);
    }
  }

  private LabelledSamples() {}

  /**
   * Reads every file of {@code dirs} (not their subfolders; hidden files are ignored), keeping
   * those whose name carries a text of {@code length} characters of {@code charset} and that
   * decode.
   *
   * @throws IllegalArgumentException if a folder does not exist
   */
  public static Result read(List<Path> dirs, String charset, int length) throws IOException {
    List<Sample> usable = new ArrayList<>();
    List<Skipped> skipped = new ArrayList<>();
    for (Path dir : dirs) {
      if (!Files.isDirectory(dir)) {
        throw new IllegalArgumentException("labelled samples: " + dir + " is not a folder");
      }
      List<Path> files;
      try (Stream<Path> s = Files.list(dir)) {
        files = s.sorted(Comparator.comparing(Path::toString)).toList();
      }
      for (Path file : files) {
        String name = file.getFileName().toString();
        if (name.startsWith(".")) {
          continue;
        }
        if (Files.isDirectory(file)) {
          skipped.add(new Skipped(file, "a folder (subfolders are not read)"));
          continue;
        }
        String reason = checkName(name, charset, length);
        if (reason != null) {
          skipped.add(new Skipped(file, reason));
          continue;
        }
        BufferedImage image;
        try {
          image = ImageIO.read(file.toFile());
        } catch (IOException | RuntimeException e) {
          image = null;
        }
        if (image == null) {
          skipped.add(new Skipped(file, "not a decodable PNG, JPEG, GIF or BMP image"));
          continue;
        }
        usable.add(new Sample(file, textOf(name), image));
      }
    }
    return new Result(usable, skipped);
  }

  /**
   * Why a file name cannot be used, or null when it names a labelled image of {@code length}
   * characters of {@code charset}.
   */
  static String checkName(String name, String charset, int length) {
    if (!IMAGE.matcher(name).matches()) {
      return "not an image the server accepts (png, jpg, jpeg, gif, bmp)";
    }
    Matcher m = LABELLED.matcher(name);
    if (!m.matches()) {
      return "name is not <index>_<text>.<ext>, so its text is unknown";
    }
    String text = m.group(2);
    int chars = text.codePointCount(0, text.length());
    if (chars != length) {
      return String.format(
          Locale.ROOT, "label '%s' has %d characters, the model reads %d", text, chars, length);
    }
    TreeSet<String> outside = new TreeSet<>();
    text.codePoints()
        .filter(c -> charset.indexOf(c) < 0)
        .forEach(c -> outside.add(new String(Character.toChars(c))));
    if (!outside.isEmpty()) {
      return "label '" + text + "' has characters outside the model's charset: " + outside;
    }
    return null;
  }

  private static String textOf(String name) {
    Matcher m = LABELLED.matcher(name);
    if (!m.matches()) {
      throw new IllegalStateException(name);
    }
    return m.group(2);
  }
}
