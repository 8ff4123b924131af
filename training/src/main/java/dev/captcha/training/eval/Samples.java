package dev.captcha.training.eval;

import dev.captcha.generator.Captcha;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.CaptchaSpec;
import dev.captcha.model.Preprocessor;
import java.awt.image.BufferedImage;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import javax.imageio.ImageIO;

/** A numbered set of labelled captcha images to evaluate on; implementations are immutable. */
public interface Samples {

  /**
   * One labelled image.
   *
   * @param fonts the font family of each character when known (generated captchas), else empty
   */
  record Sample(String name, String text, BufferedImage image, List<String> fonts) {
    public Sample {
      fonts = List.copyOf(fonts);
    }

    /** A sample whose fonts are unknown. */
    public Sample(String name, String text, BufferedImage image) {
      this(name, text, image, List.of());
    }
  }

  int size();

  /** The sample at {@code index} (0 .. size - 1). */
  Sample get(int index) throws IOException;

  /**
   * Loads samples {@code first .. first + n - 1} in parallel and writes each one's tensor into
   * {@code input} (item {@code i} at {@code i * itemSize}) and its text into {@code truths[i]};
   * with {@code kept} not null, the sample itself into {@code kept[i]}.
   *
   * @throws IOException the first failure to load a sample
   */
  default void toTensors(
      int first, int n, Preprocessor pre, float[] input, String[] truths, Sample[] kept)
      throws IOException {
    int itemSize = pre.spec().itemSize();
    try {
      IntStream.range(0, n)
          .parallel()
          .forEach(
              i -> {
                try {
                  Sample s = get(first + i);
                  truths[i] = s.text();
                  if (kept != null) {
                    kept[i] = s;
                  }
                  pre.toTensor(s.image(), input, i * itemSize);
                } catch (IOException e) {
                  throw new UncheckedIOException(e);
                }
              });
    } catch (UncheckedIOException e) {
      throw e.getCause();
    }
  }

  /** A change to the image of the sample at an index. */
  @FunctionalInterface
  interface ImageChange {
    BufferedImage apply(int index, BufferedImage image) throws IOException;
  }

  /** These samples with each image changed by {@code change}; names, texts and fonts kept. */
  default Samples mapImages(ImageChange change) {
    Samples base = this;
    return new Samples() {
      @Override
      public int size() {
        return base.size();
      }

      @Override
      public Sample get(int index) throws IOException {
        Sample s = base.get(index);
        return new Sample(s.name(), s.text(), change.apply(index, s.image()), s.fonts());
      }
    };
  }

  /** Captchas {@code 0 .. count - 1} of the generator's stream {@code seed}. */
  static Samples generated(CaptchaGenerator generator, long seed, int count) {
    if (count < 1) {
      throw new IllegalArgumentException(
          "the number of captchas to generate must be >= 1, got " + count);
    }
    return new Samples() {
      @Override
      public int size() {
        return count;
      }

      @Override
      public Sample get(int index) {
        CaptchaSpec spec = generator.spec(seed, index);
        Captcha c = generator.render(spec);
        return new Sample(
            "#" + index,
            c.text(),
            c.image(),
            spec.glyphs().stream().map(g -> g.font().getFamily(Locale.ROOT)).toList());
      }
    };
  }

  /**
   * The images of a folder named {@code <index>_<text>.<ext>} (png, jpg, jpeg, gif or bmp), in
   * index order; other files are ignored.
   *
   * @throws IllegalArgumentException if the folder is missing, holds no image, or an image's name
   *     does not carry its text
   */
  static Samples folder(Path dir) throws IOException {
    if (!Files.isDirectory(dir)) {
      throw new IllegalArgumentException(dir + " is not a folder");
    }
    Pattern image = Pattern.compile(".*\\.(png|jpe?g|gif|bmp)", Pattern.CASE_INSENSITIVE);
    Pattern labelled = Pattern.compile("(\\d+)_(.+)\\.[A-Za-z]+");
    record Entry(long index, String text, Path path) {}
    List<Entry> entries = new ArrayList<>();
    try (Stream<Path> files = Files.list(dir)) {
      for (Path p : (Iterable<Path>) files.sorted()::iterator) {
        String name = p.getFileName().toString();
        if (!Files.isRegularFile(p) || !image.matcher(name).matches()) {
          continue;
        }
        Matcher m = labelled.matcher(name);
        if (!m.matches()) {
          throw new IllegalArgumentException(
              "image "
                  + p
                  + " is not named <index>_<text>."
                  + name.replaceAll(".*\\.", "").toLowerCase(Locale.ROOT)
                  + ", so its text is unknown");
        }
        entries.add(new Entry(Long.parseLong(m.group(1)), m.group(2), p));
      }
    }
    if (entries.isEmpty()) {
      throw new IllegalArgumentException("no <index>_<text> images (png, jpg, gif, bmp) in " + dir);
    }
    entries.sort(Comparator.comparingLong(Entry::index).thenComparing(Entry::path));
    List<Entry> list = List.copyOf(entries);
    return new Samples() {
      @Override
      public int size() {
        return list.size();
      }

      @Override
      public Sample get(int index) throws IOException {
        Entry e = list.get(index);
        BufferedImage img = ImageIO.read(e.path().toFile());
        if (img == null) {
          throw new IOException("cannot decode image " + e.path());
        }
        return new Sample(e.path().getFileName().toString(), e.text(), img);
      }
    };
  }
}
