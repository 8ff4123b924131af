package dev.captcha.generator;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.awt.Font;
import java.io.BufferedReader;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;

/**
 * Reads a replay manifest: one JSON object a line recording every random draw of one captcha
 * ({@code file}, {@code text}, {@code background}, {@code dots}, {@code lines}, {@code glyphs},
 * {@code ripple}), as the reference set drawn by the original library has it, into {@link
 * CaptchaSpec}s at 128x64 with white text, dots and lines. Stateless; thread-safe.
 */
public final class ReplayManifest {

  /** One case: the PNG file name it was written under and the spec that replays it. */
  public record Case(int line, String file, CaptchaSpec spec) {}

  /** A manifest that cannot be replayed; the message names the line and the reason. */
  public static final class InvalidManifestException extends IllegalArgumentException {
    InvalidManifestException(String message) {
      super(message);
    }
  }

  private static final int WIDTH = 128;
  private static final int HEIGHT = 64;
  private static final int WHITE = 0xFFFFFF;
  private static final ObjectMapper JSON = new ObjectMapper();

  private ReplayManifest() {}

  /**
   * Reads every case of the manifest. {@code fonts} maps a family name to its regular face and
   * throws {@link IllegalArgumentException} for a family it cannot find; each family is resolved
   * once.
   *
   * @throws IOException when the file cannot be read
   * @throws InvalidManifestException naming the first line that is not a valid case
   */
  public static List<Case> read(Path manifest, Function<String, Font> fonts) throws IOException {
    Map<String, Font> resolved = new HashMap<>();
    List<Case> cases = new ArrayList<>();
    try (BufferedReader r = Files.newBufferedReader(manifest, StandardCharsets.UTF_8)) {
      String text;
      int line = 0;
      while ((text = r.readLine()) != null) {
        line++;
        if (text.isBlank()) {
          continue;
        }
        cases.add(parse(manifest, line, text, family -> resolved.computeIfAbsent(family, fonts)));
      }
    }
    if (cases.isEmpty()) {
      throw new InvalidManifestException(manifest + ": no cases");
    }
    return List.copyOf(cases);
  }

  private static Case parse(Path manifest, int line, String text, Function<String, Font> fonts) {
    String where = manifest.getFileName() + " line " + line;
    JsonNode n;
    try {
      n = JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new InvalidManifestException(where + ": not JSON: " + e.getOriginalMessage());
    }
    try {
      String file = text(n, "file");
      if (file.isEmpty() || file.contains("/") || file.contains("\\") || file.startsWith(".")) {
        throw new IllegalArgumentException("file must be a plain file name, got '" + file + "'");
      }
      int background = rgb(array(n, "background"));
      List<CaptchaSpec.Dot> dots = new ArrayList<>();
      for (JsonNode d : array(n, "dots")) {
        int r = integer(d, "r");
        if (r < 0) {
          throw new IllegalArgumentException("dot radius must be >= 0, got " + r);
        }
        dots.add(
            new CaptchaSpec.Dot(integer(d, "x"), integer(d, "y"), r, bool(d, "filled"), WHITE));
      }
      List<CaptchaSpec.Line> lines = new ArrayList<>();
      for (JsonNode l : array(n, "lines")) {
        lines.add(
            new CaptchaSpec.Line(
                integer(l, "x0"), integer(l, "y0"), integer(l, "x1"), integer(l, "y1"), WHITE));
      }
      List<CaptchaSpec.Glyph> glyphs = new ArrayList<>();
      for (JsonNode g : array(n, "glyphs")) {
        String c = text(g, "char");
        if (c.length() != 1) {
          throw new IllegalArgumentException("char must be one character, got '" + c + "'");
        }
        int degrees = integer(g, "degrees");
        if (degrees < -360 || degrees > 360) {
          throw new IllegalArgumentException("degrees out of range: " + degrees);
        }
        glyphs.add(
            new CaptchaSpec.Glyph(c.charAt(0), fonts.apply(text(g, "font")), degrees, WHITE));
      }
      if (glyphs.isEmpty()) {
        throw new IllegalArgumentException("no glyphs");
      }
      JsonNode ripple = n.get("ripple");
      if (ripple == null || !ripple.isBoolean()) {
        throw new IllegalArgumentException("'ripple' must be true or false");
      }
      CaptchaSpec spec =
          new CaptchaSpec(WIDTH, HEIGHT, background, dots, lines, glyphs, ripple.booleanValue());
      JsonNode declared = n.get("text");
      if (declared != null && !declared.asText().equals(spec.text())) {
        throw new IllegalArgumentException(
            "text '" + declared.asText() + "' does not match the glyphs '" + spec.text() + "'");
      }
      return new Case(line, file, spec);
    } catch (IllegalArgumentException e) {
      throw new InvalidManifestException(where + ": " + e.getMessage());
    }
  }

  private static JsonNode array(JsonNode n, String field) {
    JsonNode a = n.get(field);
    if (a == null || !a.isArray()) {
      throw new IllegalArgumentException("'" + field + "' must be an array");
    }
    return a;
  }

  private static String text(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isTextual()) {
      throw new IllegalArgumentException("'" + field + "' must be a string");
    }
    return v.asText();
  }

  private static int integer(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isIntegralNumber() || !v.canConvertToInt()) {
      throw new IllegalArgumentException("'" + field + "' must be an integer");
    }
    return v.intValue();
  }

  private static boolean bool(JsonNode n, String field) {
    JsonNode v = n.get(field);
    if (v == null || !v.isBoolean()) {
      throw new IllegalArgumentException("'" + field + "' must be true or false");
    }
    return v.booleanValue();
  }

  private static int rgb(JsonNode a) {
    if (a.size() != 3) {
      throw new IllegalArgumentException("'background' must be [r, g, b]");
    }
    int rgb = 0;
    for (JsonNode c : a) {
      if (!c.isIntegralNumber() || c.intValue() < 0 || c.intValue() > 255) {
        throw new IllegalArgumentException("'background' components must be integers 0..255");
      }
      rgb = rgb << 8 | c.intValue();
    }
    return rgb;
  }
}
