package dev.captcha.generator;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Color;
import java.awt.Font;
import java.awt.image.BufferedImage;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class CaptchaGeneratorTest {

  private static List<Font> fonts;

  @BeforeAll
  static void loadFonts() {
    fonts = FontCatalog.scanDefault().resolve(List.of("DejaVu Sans", "Liberation Serif"));
  }

  private static CaptchaGenerator standard() {
    return CaptchaGenerator.builder().fonts(fonts).build();
  }

  @Test
  void sameSeedAndIndexGiveTheSameImage() {
    Captcha a = standard().generate(42, 7);
    Captcha b = standard().generate(42, 7);
    assertEquals(a.text(), b.text());
    assertArrayEquals(pixels(a.image()), pixels(b.image()));
  }

  @Test
  void differentIndicesGiveDifferentCaptchas() {
    CaptchaGenerator g = standard();
    Set<String> texts = new HashSet<>();
    for (int i = 0; i < 50; i++) {
      texts.add(g.generate(42, i).text());
    }
    assertTrue(texts.size() >= 48, "texts should almost never repeat: " + texts.size());
    assertNotEquals(
        g.generate(1, 0).text() + g.generate(1, 1).text(),
        g.generate(2, 0).text() + g.generate(2, 1).text());
  }

  @Test
  void imageHasTheUsualSizeAndOneOfThePaletteBackgrounds() {
    CaptchaGenerator g = standard();
    Set<Integer> palette = new HashSet<>();
    CaptchaGenerator.DEFAULT_BACKGROUNDS.forEach(c -> palette.add(c.getRGB() & 0xFFFFFF));
    for (int i = 0; i < 40; i++) {
      BufferedImage img = g.generate(3, i).image();
      assertEquals(128, img.getWidth());
      assertEquals(64, img.getHeight());
      int mostCommon = mostCommonColour(img);
      assertTrue(palette.contains(mostCommon), "background " + Integer.toHexString(mostCommon));
      // white text, dots and lines are drawn: some pure white pixels exist
      assertTrue(countColour(img, 0xFFFFFF) > 50, "white strokes expected");
    }
  }

  @Test
  void allModeFollowsTheGroupThenCharacterDistribution() {
    CaptchaGenerator g = standard();
    int digits = 0;
    int total = 0;
    for (int i = 0; i < 3000; i++) {
      for (char c : g.generate(9, i).text().toCharArray()) {
        total++;
        if (Character.isDigit(c)) {
          digits++;
        }
        assertTrue(Charset.MODEL_CLASSES.indexOf(c) >= 0);
      }
    }
    // a third of characters are digits (each digit 1/30), far above the 10/62 of a uniform draw
    double share = (double) digits / total;
    assertTrue(share > 0.31 && share < 0.36, "digit share " + share);
  }

  @Test
  void clearModeUsesOnlyItsCharacters() {
    CaptchaGenerator g =
        CaptchaGenerator.builder().fonts(fonts).charset(Charset.CLEAR).length(6).build();
    for (int i = 0; i < 200; i++) {
      String text = g.generate(5, i).text();
      assertEquals(6, text.length());
      for (char c : text.toCharArray()) {
        assertTrue(Charset.CLEAR.characters().indexOf(c) >= 0, "unexpected " + c);
      }
    }
  }

  @Test
  void optionsChangeSizeColoursAndDisturbance() {
    CaptchaGenerator g =
        CaptchaGenerator.builder()
            .fonts(fonts)
            .size(200, 80)
            .backgrounds(List.of(new Color(10, 20, 30)))
            .frontColors(List.of(new Color(250, 240, 0)))
            .disturbance(Disturbance.HIGH)
            .build();
    BufferedImage img = g.generate(1, 1).image();
    assertEquals(200, img.getWidth());
    assertEquals(80, img.getHeight());
    assertEquals(0x0A141E, mostCommonColour(img));
    assertTrue(countColour(img, 0xFAF000) > 50);
    assertFalse(countColour(img, 0xFFFFFF) > 0);
  }

  @Test
  void builderRejectsBadSettings() {
    assertThrows(IllegalArgumentException.class, () -> CaptchaGenerator.builder().size(0, 64));
    assertThrows(IllegalArgumentException.class, () -> CaptchaGenerator.builder().length(0));
    assertThrows(IllegalArgumentException.class, () -> CaptchaGenerator.builder().fonts(List.of()));
    assertThrows(IllegalStateException.class, () -> CaptchaGenerator.builder().build());
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FontCatalog.scanDefault().resolve(List.of("No Such Family")));
    assertTrue(e.getMessage().contains("No Such Family"));
  }

  @Test
  void heldOutFamiliesAreNotTrainingFamilies() {
    for (String f : FontCatalog.HELD_OUT_FAMILIES) {
      assertFalse(FontCatalog.TRAINING_FAMILIES.contains(f));
    }
    FontCatalog catalog = FontCatalog.scanDefault();
    assertFalse(catalog.resolve(FontCatalog.TRAINING_FAMILIES).isEmpty());
    assertFalse(catalog.resolve(FontCatalog.HELD_OUT_FAMILIES).isEmpty());
  }

  @Test
  void glyphVariationChangesOnlyTheGlyphsAndIsOffByDefault() {
    CaptchaGenerator plain = standard();
    CaptchaGenerator varied = CaptchaGenerator.builder().fonts(fonts).glyphVariation(1.0).build();
    int changed = 0;
    for (int i = 0; i < 20; i++) {
      CaptchaSpec p = plain.spec(4, i);
      CaptchaSpec v = varied.spec(4, i);
      assertTrue(p.glyphs().stream().allMatch(g -> g.variation().isNone()));
      assertTrue(v.glyphs().stream().noneMatch(g -> g.variation().isNone()));
      // same draws for everything else: background, dots, lines
      assertEquals(p.background(), v.background());
      assertEquals(p.dots(), v.dots());
      assertEquals(p.lines(), v.lines());
      if (!java.util.Arrays.equals(
          pixels(plain.render(p).image()), pixels(varied.render(v).image()))) {
        changed++;
      }
    }
    assertEquals(20, changed);
    assertThrows(
        IllegalArgumentException.class, () -> CaptchaGenerator.builder().glyphVariation(1.5));
    assertThrows(IllegalArgumentException.class, () -> new CaptchaSpec.Variation(3, 0, 0));
  }

  @Test
  void cueKeepingVariationKeepsHeightsAndTheLookalikesWidthsWithTheSameDraws() {
    CaptchaGenerator varied =
        CaptchaGenerator.builder()
            .fonts(fonts)
            .glyphVariation(1.0)
            .oversample("0Oo1lI", 0.5)
            .build();
    CaptchaGenerator keeping =
        CaptchaGenerator.builder()
            .fonts(fonts)
            .glyphVariation(1.0)
            .oversample("0Oo1lI", 0.5)
            .variationKeepsCues("0Oo1lI")
            .build();
    int lookalikes = 0;
    int others = 0;
    for (int i = 0; i < 40; i++) {
      CaptchaSpec v = varied.spec(5, i);
      CaptchaSpec k = keeping.spec(5, i);
      assertEquals(v.text(), k.text());
      assertEquals(v.background(), k.background());
      assertEquals(v.dots(), k.dots());
      assertEquals(v.lines(), k.lines());
      for (int g = 0; g < v.glyphs().size(); g++) {
        CaptchaSpec.Glyph a = v.glyphs().get(g);
        CaptchaSpec.Glyph b = k.glyphs().get(g);
        assertEquals(a.font(), b.font());
        assertEquals(a.degrees(), b.degrees());
        assertEquals(a.rgb(), b.rgb());
        assertFalse(a.variation().sideways());
        assertTrue(b.variation().sideways());
        assertEquals(a.variation().slant(), b.variation().slant());
        assertEquals(a.variation().embolden(), b.variation().embolden());
        if ("0Oo1lI".indexOf(a.character()) >= 0) {
          assertEquals(1.0, b.variation().widthScale());
          lookalikes++;
        } else {
          assertEquals(a.variation().widthScale(), b.variation().widthScale());
          others++;
        }
      }
    }
    assertTrue(lookalikes > 20 && others > 20, lookalikes + " look-alikes, " + others + " others");
  }

  @Test
  void sidewaysMorphKeepsTheRowsAGlyphSpans() {
    int size = 12;
    byte[] bar = new byte[size * size];
    for (int y = 3; y <= 8; y++) {
      for (int x = 4; x <= 6; x++) {
        bar[y * size + x] = (byte) 255;
      }
    }
    byte[] grownSideways = GlyphTiles.morph(bar, size, 1, true);
    byte[] grown = GlyphTiles.morph(bar, size, 1, false);
    byte[] shrunkSideways = GlyphTiles.morph(bar, size, -1, true);
    assertEquals(List.of(3, 8), inkedSpan(grownSideways, size, true));
    assertEquals(List.of(3, 7), inkedSpan(grownSideways, size, false));
    assertEquals(List.of(2, 9), inkedSpan(grown, size, true));
    assertEquals(List.of(3, 7), inkedSpan(grown, size, false));
    assertEquals(List.of(3, 8), inkedSpan(shrunkSideways, size, true));
    assertEquals(List.of(5, 5), inkedSpan(shrunkSideways, size, false));
    // a fraction of a pixel blends: half-grown columns at half coverage, rows still 3..8
    byte[] half = GlyphTiles.morph(bar, size, 0.5, true);
    assertEquals(128, half[5 * size + 3] & 0xFF);
    assertEquals(List.of(3, 8), inkedSpan(half, size, true));
  }

  /** The first and last inked row ({@code rows}) or column of a coverage tile. */
  private static List<Integer> inkedSpan(byte[] cov, int size, boolean rows) {
    int first = size;
    int last = -1;
    for (int y = 0; y < size; y++) {
      for (int x = 0; x < size; x++) {
        if (cov[y * size + x] != 0) {
          int at = rows ? y : x;
          first = Math.min(first, at);
          last = Math.max(last, at);
        }
      }
    }
    return List.of(first, last);
  }

  @Test
  void smallDigitsSitOnTheBaselineAndOldStyleFiguresReachBelowIt() {
    GlyphTiles tiles = new GlyphTiles();
    Font font = fonts.get(0);
    int size = 38;
    CaptchaSpec.Variation none = CaptchaSpec.Variation.NONE;
    List<Integer> zero = inkedSpan(tiles.coverage(font, '0', size, none), size, true);
    List<Integer> smallZero =
        inkedSpan(
            tiles.coverage(font, '0', size, CaptchaGenerator.smallDigit(none, '0', 0.7, false)),
            size,
            true);
    int height = zero.get(1) - zero.get(0) + 1;
    int smallHeight = smallZero.get(1) - smallZero.get(0) + 1;
    // about 0.7 of the height, on the same baseline
    assertTrue(Math.abs(smallHeight - 0.7 * height) <= 1.5, smallHeight + " of " + height);
    assertTrue(Math.abs(smallZero.get(1) - zero.get(1)) <= 1, smallZero + " vs " + zero);
    // an old-style 7 keeps its height and is moved down; 6 and 8 stay as drawn, 0 1 2 shrink
    List<Integer> seven = inkedSpan(tiles.coverage(font, '7', size, none), size, true);
    CaptchaSpec.Variation oldSeven = CaptchaGenerator.smallDigit(none, '7', 0.7, true);
    List<Integer> lowSeven = inkedSpan(tiles.coverage(font, '7', size, oldSeven), size, true);
    assertTrue(lowSeven.get(0) - seven.get(0) >= 6, lowSeven + " vs " + seven);
    assertEquals(1.0, oldSeven.scale());
    assertEquals(none, CaptchaGenerator.smallDigit(none, '8', 0.7, true));
    assertEquals(0.7, CaptchaGenerator.smallDigit(none, '1', 0.7, true).scale());
    // other settings of the variation are kept
    CaptchaSpec.Variation slanted = new CaptchaSpec.Variation(1.1, 0.1, 0.5, true);
    CaptchaSpec.Variation both = CaptchaGenerator.smallDigit(slanted, '2', 0.65, false);
    assertEquals(
        List.of(1.1, 0.1, 0.5, 0.65),
        List.of(both.widthScale(), both.slant(), both.embolden(), both.scale()));
    assertTrue(both.sideways());
    assertThrows(IllegalArgumentException.class, () -> none.resized(0.2, 0));
    assertThrows(IllegalArgumentException.class, () -> none.resized(1, 0.8));
  }

  @Test
  void smallDigitsChangeOnlyDigitsAndAreOffByDefault() {
    CaptchaGenerator plain = standard();
    CaptchaGenerator off = CaptchaGenerator.builder().fonts(fonts).smallDigits(0).build();
    CaptchaGenerator small = CaptchaGenerator.builder().fonts(fonts).smallDigits(1.0).build();
    int digits = 0;
    int changed = 0;
    for (int i = 0; i < 60; i++) {
      CaptchaSpec p = plain.spec(6, i);
      assertEquals(p, off.spec(6, i));
      CaptchaSpec s = small.spec(6, i);
      assertEquals(p.text(), s.text());
      assertEquals(p.background(), s.background());
      for (CaptchaSpec.Glyph g : s.glyphs()) {
        boolean digit = Character.isDigit(g.character());
        if (!digit) {
          assertTrue(g.variation().isNone(), "letter " + g.character() + " varied");
        } else {
          digits++;
          if (!g.variation().isNone()) {
            changed++;
            double scale = g.variation().scale();
            assertTrue(
                scale == 1 && g.variation().drop() > 0
                    || scale >= CaptchaGenerator.SMALL_DIGIT_MIN
                        && scale <= CaptchaGenerator.SMALL_DIGIT_MAX,
                g.toString());
          }
        }
      }
    }
    // every digit but the old-style 6 and 8 (a quarter of those captchas' 6s and 8s) is changed
    assertTrue(digits > 30 && changed > 0.8 * digits, changed + " of " + digits);
    assertThrows(
        IllegalArgumentException.class, () -> CaptchaGenerator.builder().smallDigits(-0.1));
  }

  @Test
  void oversamplingDrawsMoreOfTheGivenCharactersAtTheCharsetsOdds() {
    CaptchaGenerator plain = standard();
    CaptchaGenerator boosted =
        CaptchaGenerator.builder().fonts(fonts).oversample("0Oo", 0.5).build();
    CaptchaGenerator off = CaptchaGenerator.builder().fonts(fonts).oversample("0Oo", 0).build();
    Map<Character, Integer> counts = new HashMap<>();
    int n = 8000;
    for (int i = 0; i < n / 4; i++) {
      // a share of 0 makes no extra draw: the stream is the library's
      assertEquals(plain.spec(9, i), off.spec(9, i));
      for (char c : boosted.spec(9, i).text().toCharArray()) {
        counts.merge(c, 1, Integer::sum);
      }
    }
    // each character: half the charset's chance, plus half the chance within the three
    for (char c : "0Oo".toCharArray()) {
      double expected = boosted.characterProbability(c);
      double within = Charset.ALL.probability(c) / (1.0 / 30 + 2.0 / 78);
      assertEquals(0.5 * Charset.ALL.probability(c) + 0.5 * within, expected, 1e-12);
      assertEquals(expected, counts.getOrDefault(c, 0) / (double) n, 0.02, "share of " + c);
    }
    // the odds between 0 and O stay the library's (a digit is 78/30 times likelier than a letter)
    assertEquals(
        78.0 / 30, boosted.characterProbability('0') / boosted.characterProbability('O'), 1e-9);
    double total = 0;
    for (char c : Charset.ALL.characters().toCharArray()) {
      total += boosted.characterProbability(c);
    }
    assertEquals(1.0, total, 1e-9);
    assertEquals(0.5 / 78, boosted.characterProbability('x'), 1e-12);

    assertThrows(
        IllegalArgumentException.class,
        () -> CaptchaGenerator.builder().fonts(fonts).oversample("0Oo", 1.0));
    IllegalArgumentException notDrawn =
        assertThrows(
            IllegalArgumentException.class,
            () ->
                CaptchaGenerator.builder()
                    .fonts(fonts)
                    .charset(Charset.CLEAR)
                    .oversample("0O", 0.2)
                    .build());
    assertTrue(notDrawn.getMessage().contains("'0' is not in the charset"), notDrawn.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> CaptchaGenerator.builder().fonts(fonts).oversample("00", 0.2).build());
    assertThrows(
        IllegalArgumentException.class,
        () -> CaptchaGenerator.builder().fonts(fonts).oversample("", 0.2).build());
  }

  @Test
  void growingAndShrinkingMoveCoverageTheRightWay() {
    int size = 10;
    byte[] square = new byte[size * size];
    for (int y = 3; y < 7; y++) {
      for (int x = 3; x < 7; x++) {
        square[y * size + x] = (byte) 255;
      }
    }
    assertEquals(16 * 255, sum(square));
    assertEquals(36 * 255, sum(GlyphTiles.morph(square, size, 1)));
    assertEquals(4 * 255, sum(GlyphTiles.morph(square, size, -1)));
    int half = sum(GlyphTiles.morph(square, size, 0.5));
    assertTrue(half > 16 * 255 && half < 36 * 255, "half a pixel " + half);
  }

  private static int sum(byte[] b) {
    int s = 0;
    for (byte v : b) {
      s += v & 0xFF;
    }
    return s;
  }

  @Test
  void weightedFontsArePickedInProportion() {
    Font a = fonts.get(0);
    Font b = fonts.get(1);
    CaptchaGenerator g = CaptchaGenerator.builder().fonts(List.of(a, b), List.of(3.0, 1.0)).build();
    int countA = 0;
    int total = 0;
    for (int i = 0; i < 2000; i++) {
      for (CaptchaSpec.Glyph glyph : g.spec(8, i).glyphs()) {
        total++;
        if (glyph.font().equals(a)) {
          countA++;
        }
      }
    }
    double share = (double) countA / total;
    assertTrue(share > 0.72 && share < 0.78, "share of the font weighted 3:1 " + share);
    assertThrows(
        IllegalArgumentException.class,
        () -> CaptchaGenerator.builder().fonts(List.of(a), List.of(0.0)));
    assertThrows(
        IllegalArgumentException.class,
        () -> CaptchaGenerator.builder().fonts(List.of(a, b), List.of(1.0)));
  }

  @Test
  void siteFontsMakeTheCharactersOfACaptchaShareAFewFacesPickedByWeight() {
    List<Font> four =
        FontCatalog.scanDefault()
            .resolve(List.of("DejaVu Sans", "Liberation Serif", "Liberation Sans", "DejaVu Serif"));
    assertTrue(four.size() >= 4, "faces " + four);
    List<Double> weights = new java.util.ArrayList<>();
    for (int i = 0; i < four.size(); i++) {
      weights.add(i == 0 ? 3.0 : 1.0);
    }
    CaptchaGenerator one = CaptchaGenerator.builder().fonts(four, weights).siteFonts(1).build();
    CaptchaGenerator upToTwo = CaptchaGenerator.builder().fonts(four, weights).siteFonts(2).build();
    Map<Font, Integer> captchasPerFace = new HashMap<>();
    int twoFaces = 0;
    int n = 1200;
    for (int i = 0; i < n; i++) {
      Set<Font> faces = new HashSet<>();
      one.spec(5, i).glyphs().forEach(g -> faces.add(g.font()));
      assertEquals(1, faces.size(), "one face per captcha, captcha " + i);
      captchasPerFace.merge(faces.iterator().next(), 1, Integer::sum);
      Set<Font> two = new HashSet<>();
      upToTwo.spec(5, i).glyphs().forEach(g -> two.add(g.font()));
      assertTrue(two.size() <= 2, "at most two faces, captcha " + i + ": " + two);
      twoFaces += two.size() == 2 ? 1 : 0;
    }
    assertEquals(four.size(), captchasPerFace.size(), "every face loaded by some captcha");
    double first = captchasPerFace.get(four.get(0)) / (double) n;
    double expected = 3.0 / (3.0 + four.size() - 1);
    assertTrue(Math.abs(first - expected) < 0.06, "weighted face's share " + first);
    // Half the captchas load two draws, of which most are two different faces.
    assertTrue(twoFaces > n / 4 && twoFaces < n / 2, "captchas with two faces " + twoFaces);
    // 0 is the library's draw: the same specs as a generator that never heard of the option.
    CaptchaGenerator off = CaptchaGenerator.builder().fonts(four, weights).siteFonts(0).build();
    CaptchaGenerator plain = CaptchaGenerator.builder().fonts(four, weights).build();
    for (int i = 0; i < 20; i++) {
      assertEquals(plain.spec(5, i).text(), off.spec(5, i).text());
      assertEquals(
          plain.spec(5, i).glyphs().stream().map(CaptchaSpec.Glyph::font).toList(),
          off.spec(5, i).glyphs().stream().map(CaptchaSpec.Glyph::font).toList());
    }
    assertThrows(IllegalArgumentException.class, () -> CaptchaGenerator.builder().siteFonts(-1));
    assertThrows(IllegalArgumentException.class, () -> CaptchaGenerator.builder().siteFonts(33));
  }

  @Test
  void pngRoundTrips() throws Exception {
    Captcha c = standard().generate(11, 3);
    BufferedImage back = javax.imageio.ImageIO.read(new java.io.ByteArrayInputStream(c.png()));
    assertArrayEquals(pixels(c.image()), pixels(back));
  }

  private static int[] pixels(BufferedImage img) {
    return img.getRGB(0, 0, img.getWidth(), img.getHeight(), null, 0, img.getWidth());
  }

  private static int mostCommonColour(BufferedImage img) {
    Map<Integer, Integer> counts = new HashMap<>();
    for (int p : pixels(img)) {
      counts.merge(p & 0xFFFFFF, 1, Integer::sum);
    }
    return counts.entrySet().stream().max(Map.Entry.comparingByValue()).orElseThrow().getKey();
  }

  private static int countColour(BufferedImage img, int rgb) {
    int n = 0;
    for (int p : pixels(img)) {
      if ((p & 0xFFFFFF) == rgb) {
        n++;
      }
    }
    return n;
  }
}
