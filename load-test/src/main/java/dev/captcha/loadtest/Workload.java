package dev.captcha.loadtest;

import com.google.protobuf.ByteString;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.generator.Captcha;
import dev.captcha.generator.CaptchaGenerator;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * The images a run sends, encoded and wrapped in requests before the run starts so that preparing
 * them never limits the send rate; immutable, and {@link #next()} is thread-safe.
 */
final class Workload {

  /** One image and its expected text ({@code null} when unknown). */
  record Item(String label, SolveRequest request) {}

  private static final Pattern LABELLED =
      Pattern.compile("^\\d+_(.+)\\.(?:png|jpe?g|gif|bmp)$", Pattern.CASE_INSENSITIVE);
  private static final Pattern IMAGE =
      Pattern.compile("^.+\\.(?:png|jpe?g|gif|bmp)$", Pattern.CASE_INSENSITIVE);

  private final List<Item> items;
  private final String description;
  private final AtomicLong cursor = new AtomicLong();

  Workload(List<Item> items, String description) {
    if (items.isEmpty()) {
      throw new IllegalArgumentException("the workload holds no images");
    }
    this.items = List.copyOf(items);
    this.description = description;
  }

  /**
   * Reads every image in {@code folder} (PNG, JPEG, GIF or BMP); a name of the form {@code
   * <index>_<text>.png} labels the image with its text, other image names are sent unlabelled.
   */
  static Workload fromFolder(Path folder) {
    if (!Files.isDirectory(folder)) {
      throw new IllegalArgumentException("image folder " + folder + " does not exist");
    }
    List<Item> items = new ArrayList<>();
    int labelled = 0;
    try (Stream<Path> files = Files.list(folder)) {
      for (Path file : files.sorted().toList()) {
        String name = file.getFileName().toString();
        if (!Files.isRegularFile(file) || !IMAGE.matcher(name).matches()) {
          continue;
        }
        byte[] bytes = Files.readAllBytes(file);
        if (bytes.length == 0) {
          throw new IllegalArgumentException("image file " + file + " is empty");
        }
        Matcher m = LABELLED.matcher(name);
        String label = m.matches() ? m.group(1) : null;
        if (label != null) {
          labelled++;
        }
        items.add(new Item(label, request(bytes)));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read image folder " + folder, e);
    }
    if (items.isEmpty()) {
      throw new IllegalArgumentException(
          "image folder " + folder + " holds no .png, .jpg, .gif or .bmp files");
    }
    return new Workload(
        items,
        String.format(
            Locale.ROOT, "%d images from %s (%d labelled)", items.size(), folder, labelled));
  }

  /** Generates {@code count} labelled captchas, numbers 0..count-1 of stream {@code seed}. */
  static Workload generate(CaptchaGenerator generator, int count, long seed) {
    if (count < 1) {
      throw new IllegalArgumentException("the number of captchas must be at least 1");
    }
    List<Item> items = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      Captcha c = generator.generate(seed, i);
      items.add(new Item(c.text(), request(c.png())));
    }
    return new Workload(
        items, String.format(Locale.ROOT, "%d generated captchas (seed %d)", count, seed));
  }

  private static SolveRequest request(byte[] image) {
    return SolveRequest.newBuilder().setImage(ByteString.copyFrom(image)).build();
  }

  /** The next item, cycling through the workload. */
  Item next() {
    return items.get((int) Long.remainderUnsigned(cursor.getAndIncrement(), items.size()));
  }

  int size() {
    return items.size();
  }

  List<Item> items() {
    return items;
  }

  String description() {
    return description;
  }
}
