package dev.captcha.generator;

import java.awt.Font;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.Function;

/**
 * Resolves the font family names of a replay manifest to one face each: a file pinned for the
 * family, or else the family's only installed regular (not bold) face; immutable and thread-safe.
 *
 * <p>Replaying pixel for pixel needs the very file the captcha was drawn with: where a family is
 * installed from more than one file (Debian's fonts-liberation and fonts-liberation2 both provide
 * "Liberation Sans", with different outlines), resolution refuses to guess and asks for a pin.
 */
public final class ReplayFonts implements Function<String, Font> {

  private final FontCatalog catalog;
  private final Map<String, Path> pinned;

  public ReplayFonts(FontCatalog catalog, Map<String, Path> pinned) {
    this.catalog = catalog;
    this.pinned = Map.copyOf(pinned);
  }

  /** The face for {@code family}; throws {@link IllegalArgumentException} naming the problem. */
  @Override
  public Font apply(String family) {
    Path file = pinned.get(family);
    if (file != null) {
      return FontCatalog.load(file);
    }
    List<Font> regular =
        catalog.resolve(List.of(family)).stream()
            .filter(f -> !f.getFontName(Locale.ROOT).toLowerCase(Locale.ROOT).contains("bold"))
            .toList();
    if (regular.isEmpty()) {
      throw new IllegalArgumentException(
          "font family '" + family + "' has no regular face installed");
    }
    if (regular.size() > 1) {
      throw new IllegalArgumentException(
          "font family '"
              + family
              + "' is installed from "
              + regular.size()
              + " files; pin the one the captchas were drawn with: --font '"
              + family
              + "=/path/to/file.ttf'");
    }
    return regular.get(0);
  }
}
