package dev.captcha.generator;

import java.awt.Font;
import java.awt.FontFormatException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Finds TrueType/OpenType fonts on disk and groups them by family, so captchas can be rendered in
 * the fonts that users' captchas come in; immutable after construction and thread-safe.
 *
 * <p>Families come from Debian's font packages (see the README's set-up). Two families are kept out
 * of training ({@link #HELD_OUT_FAMILIES}) to measure how well a model reads fonts it never saw.
 */
public final class FontCatalog {

  /** Families the bundled model is trained on (regular and bold faces). */
  public static final List<String> TRAINING_FAMILIES =
      List.of(
          "DejaVu Sans",
          "DejaVu Serif",
          "DejaVu Sans Mono",
          "Liberation Sans",
          "Liberation Serif",
          "Liberation Mono",
          "FreeSans",
          "FreeSerif",
          "FreeMono",
          "Roboto",
          "Lato",
          "Carlito");

  /** Families never shown to the model in training, for the generalisation measurement. */
  public static final List<String> HELD_OUT_FAMILIES = List.of("Open Sans", "Comic Neue");

  /** Where fonts are searched for by default. */
  public static final List<Path> DEFAULT_DIRECTORIES =
      List.of(
          Paths.get("/usr/share/fonts"),
          Paths.get("/usr/local/share/fonts"),
          Paths.get(System.getProperty("user.home"), ".fonts"),
          Paths.get(System.getProperty("user.home"), ".local/share/fonts"));

  private final Map<String, List<Font>> uprightFacesByFamily;

  private FontCatalog(Map<String, List<Font>> uprightFacesByFamily) {
    this.uprightFacesByFamily = uprightFacesByFamily;
  }

  /** Scans the default font directories. */
  public static FontCatalog scanDefault() {
    return scan(DEFAULT_DIRECTORIES);
  }

  /** Scans the given directories (missing ones are skipped) for .ttf and .otf files. */
  public static FontCatalog scan(List<Path> directories) {
    Map<String, List<Font>> byFamily = new LinkedHashMap<>();
    for (Path dir : directories) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      List<Path> files;
      try (Stream<Path> walk = Files.walk(dir)) {
        files = walk.filter(FontCatalog::isFontFile).sorted().toList();
      } catch (IOException e) {
        throw new UncheckedIOException("cannot list fonts under " + dir, e);
      }
      for (Path file : files) {
        Font font = tryLoad(file);
        if (font != null && isRegularOrBold(font)) {
          byFamily.computeIfAbsent(font.getFamily(Locale.ROOT), k -> new ArrayList<>()).add(font);
        }
      }
    }
    byFamily.values().forEach(list -> list.sort(Comparator.comparing(f -> f.getFontName(Locale.ROOT))));
    return new FontCatalog(byFamily);
  }

  /** Loads one font file. */
  public static Font load(Path file) {
    try {
      return Font.createFont(Font.TRUETYPE_FONT, file.toFile());
    } catch (FontFormatException | IOException e) {
      throw new IllegalArgumentException("cannot load font " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Resolves font specifications: each is a path to a font file or an installed family name (all
   * of its regular and bold upright faces).
   *
   * @throws IllegalArgumentException naming the missing family and how to install it
   */
  public List<Font> resolve(List<String> specs) {
    List<Font> fonts = new ArrayList<>();
    for (String spec : specs) {
      Path asPath = Paths.get(spec);
      if (isFontFile(asPath) && Files.isRegularFile(asPath)) {
        fonts.add(load(asPath));
        continue;
      }
      List<Font> faces = uprightFacesByFamily.get(spec);
      if (faces == null) {
        throw new IllegalArgumentException(
            "font family '" + spec + "' is not installed; available: " + uprightFacesByFamily.keySet()
                + ". On Debian install the font packages listed in the README (apt-get install"
                + " fonts-dejavu-core fonts-liberation2 fonts-freefont-ttf fonts-roboto fonts-lato"
                + " fonts-crosextra-carlito fonts-open-sans fonts-comic-neue)");
      }
      fonts.addAll(faces);
    }
    if (fonts.isEmpty()) {
      throw new IllegalArgumentException("no fonts given");
    }
    return List.copyOf(fonts);
  }

  /** The families found, each with the number of faces kept. */
  public Map<String, Integer> families() {
    Map<String, Integer> out = new LinkedHashMap<>();
    uprightFacesByFamily.forEach((k, v) -> out.put(k, v.size()));
    return out;
  }

  private static boolean isFontFile(Path p) {
    String name = p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".ttf") || name.endsWith(".otf");
  }

  private static Font tryLoad(Path file) {
    try {
      return Font.createFont(Font.TRUETYPE_FONT, file.toFile());
    } catch (FontFormatException | IOException | RuntimeException e) {
      return null;
    }
  }

  /** Keeps the plain and bold upright faces; drops italics, condensed, light and other weights. */
  private static boolean isRegularOrBold(Font font) {
    String family = font.getFamily(Locale.ROOT);
    String name = font.getFontName(Locale.ROOT);
    if (!name.startsWith(family)) {
      return false;
    }
    String style = name.substring(family.length()).trim().toLowerCase(Locale.ROOT);
    return style.isEmpty()
        || style.equals("regular")
        || style.equals("book")
        || style.equals("medium")
        || style.equals("bold");
  }
}
