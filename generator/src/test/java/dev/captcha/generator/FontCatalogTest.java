package dev.captcha.generator;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.awt.Font;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The font zoo's lists, the scan of installed fonts and the balanced weights (needs
 * scripts/setup.sh).
 */
class FontCatalogTest {

  private static final List<String> REQUIRED_GROUPS =
      List.of(
          "sans",
          "serif",
          "slab",
          "mono",
          "rounded",
          "condensed",
          "geometric",
          "humanist",
          "casual",
          "handwriting",
          "display",
          "cjk");

  @Test
  void zooSpansTheStylesWithAtLeastSixtyFamilies() {
    assertTrue(FontCatalog.ZOO.size() >= 60, "families: " + FontCatalog.ZOO.size());
    assertTrue(
        FontCatalog.STYLE_GROUPS.containsAll(REQUIRED_GROUPS),
        "groups: " + FontCatalog.STYLE_GROUPS);
    for (String group : REQUIRED_GROUPS) {
      long training =
          FontCatalog.ZOO.stream()
              .filter(z -> z.group().equals(group) && z.split() == FontCatalog.Split.TRAINING)
              .count();
      assertTrue(training >= 3, group + " has " + training + " training families");
    }
    assertEquals(
        FontCatalog.ZOO.size(),
        FontCatalog.TRAINING_FAMILIES.size() + FontCatalog.HELD_OUT_FAMILIES.size());
  }

  @Test
  void heldOutFamiliesCoverTheStylesAndNeverTrain() {
    List<String> heldOut = FontCatalog.HELD_OUT_FAMILIES;
    assertTrue(heldOut.size() >= 8, "held out: " + heldOut);
    assertTrue(heldOut.contains("Open Sans"));
    assertTrue(FontCatalog.TRAINING_FAMILIES.contains("Comic Neue"));
    Set<String> training = new HashSet<>(FontCatalog.TRAINING_FAMILIES);
    for (String f : heldOut) {
      assertFalse(training.contains(f), f);
    }
    Map<String, Long> heldOutByGroup =
        FontCatalog.ZOO.stream()
            .filter(z -> z.split() == FontCatalog.Split.HELD_OUT)
            .collect(Collectors.groupingBy(FontCatalog.ZooFamily::group, Collectors.counting()));
    for (String group : List.of("serif", "mono", "condensed", "rounded", "cjk")) {
      assertTrue(heldOutByGroup.getOrDefault(group, 0L) >= 1, "no held-out " + group + " family");
    }
    long casual =
        heldOutByGroup.getOrDefault("casual", 0L) + heldOutByGroup.getOrDefault("handwriting", 0L);
    assertTrue(casual >= 2, "held-out casual or handwriting families: " + casual);
  }

  @Test
  void everyZooFamilyIsInstalledAndDrawsEveryCaptchaCharacter() {
    FontCatalog catalog = FontCatalog.scanDefault();
    List<String> problems = new ArrayList<>();
    for (FontCatalog.ZooFamily z : FontCatalog.ZOO) {
      if (!catalog.families().containsKey(z.family())) {
        problems.add(z.family() + " (" + z.debianPackage() + ") is not installed");
        continue;
      }
      if (catalog.hasTrueTypeOutlines(z.family()) != z.trueTypeOutlines()) {
        problems.add(
            z.family() + " outlines are not as listed (truetype: " + z.trueTypeOutlines() + ")");
      }
      for (Font f : catalog.resolve(List.of(z.family()))) {
        String missing = FontCatalog.missingCharacters(f);
        if (!missing.isEmpty()) {
          problems.add(f.getFontName(Locale.ROOT) + " lacks " + missing);
        }
      }
    }
    assertTrue(problems.isEmpty(), "run scripts/setup.sh; " + problems);
  }

  @Test
  void resolvesUprightRegularAndBoldFaces() {
    List<Font> faces = FontCatalog.scanDefault().resolve(List.of("DejaVu Sans"));
    Set<String> names =
        faces.stream().map(f -> f.getFontName(Locale.ROOT)).collect(Collectors.toSet());
    assertEquals(Set.of("DejaVu Sans", "DejaVu Sans Bold"), names);
    assertTrue(FontCatalog.scanDefault().hasTrueTypeOutlines("DejaVu Sans"));
    assertFalse(
        FontCatalog.scanDefault().hasTrueTypeOutlines("Comic Neue"),
        "Comic Neue ships as CFF .otf");
  }

  @Test
  void loadsEveryFaceOfATrueTypeCollection() throws IOException {
    Path ttc = findFile("wqy-zenhei.ttc");
    List<Font> faces = FontCatalog.loadAll(ttc);
    assertTrue(faces.size() >= 2, "faces in " + ttc + ": " + faces.size());
    assertEquals("", FontCatalog.missingCharacters(faces.get(0)));
    List<Font> viaPath = FontCatalog.scanDefault().resolve(List.of(ttc.toString()));
    assertEquals(faces.size(), viaPath.size());
    assertEquals(1, FontCatalog.scanDefault().resolve(List.of("WenQuanYi Zen Hei")).size());
  }

  @Test
  void weightsGiveEachGroupAndEachFamilyInItTheSameShare() {
    List<FontCatalog.WeightedFont> weighted =
        FontCatalog.scanDefault().weighted(FontCatalog.TRAINING_FAMILIES);
    double total = weighted.stream().mapToDouble(FontCatalog.WeightedFont::weight).sum();
    assertEquals(1.0, total, 1e-9);
    Map<String, Double> byGroup = new HashMap<>();
    Map<String, Double> byFamily = new HashMap<>();
    Map<String, String> groupOfFamily = new HashMap<>();
    for (FontCatalog.WeightedFont w : weighted) {
      byGroup.merge(w.group(), w.weight(), Double::sum);
      byFamily.merge(w.family(), w.weight(), Double::sum);
      groupOfFamily.put(w.family(), w.group());
    }
    assertEquals(FontCatalog.STYLE_GROUPS.size(), byGroup.size());
    for (double share : byGroup.values()) {
      assertEquals(1.0 / byGroup.size(), share, 1e-9);
    }
    for (Map.Entry<String, Double> e : byFamily.entrySet()) {
      String group = groupOfFamily.get(e.getKey());
      long familiesInGroup = groupOfFamily.values().stream().filter(group::equals).count();
      assertEquals(byGroup.get(group) / familiesInGroup, e.getValue(), 1e-9, e.getKey());
    }
  }

  @Test
  void familiesOutsideTheZooAndFilesFormGroupsOfTheirOwn() throws IOException {
    Path file = findFile("DejaVuSerif.ttf");
    List<FontCatalog.WeightedFont> weighted =
        FontCatalog.scanDefault()
            .weighted(List.of("DejaVu Sans", "Liberation Sans", file.toString()));
    Map<String, Double> byGroup = new HashMap<>();
    weighted.forEach(w -> byGroup.merge(w.group(), w.weight(), Double::sum));
    assertEquals(2, byGroup.size(), byGroup.toString());
    assertEquals(0.5, byGroup.get("sans"), 1e-9);
  }

  @Test
  void missingFamilyNamesItsPackageAndBadSpecsAreRefused() {
    FontCatalog empty = FontCatalog.scan(List.of(Path.of("/nonexistent-font-dir")));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> empty.resolve(List.of("Quicksand")));
    assertTrue(
        e.getMessage().contains("Quicksand") && e.getMessage().contains("fonts-quicksand"),
        e.getMessage());
    IllegalArgumentException unknown =
        assertThrows(
            IllegalArgumentException.class,
            () -> FontCatalog.scanDefault().resolve(List.of("No Such Family")));
    assertTrue(unknown.getMessage().contains("No Such Family"));
    assertThrows(
        IllegalArgumentException.class, () -> FontCatalog.scanDefault().resolve(List.of()));
  }

  @Test
  void aFileThatIsNotAFontIsRefused(@TempDir Path dir) throws IOException {
    Path bogus = Files.writeString(dir.resolve("bogus.ttf"), "not a font");
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> FontCatalog.scanDefault().resolve(List.of(bogus.toString())));
    assertTrue(e.getMessage().contains("bogus.ttf"), e.getMessage());
  }

  private static Path findFile(String name) throws IOException {
    for (Path dir : FontCatalog.DEFAULT_DIRECTORIES) {
      if (!Files.isDirectory(dir)) {
        continue;
      }
      try (Stream<Path> walk = Files.walk(dir)) {
        var hit = walk.filter(p -> p.getFileName().toString().equals(name)).findFirst();
        if (hit.isPresent()) {
          return hit.get();
        }
      }
    }
    throw new AssertionError(name + " is not installed; run scripts/setup.sh");
  }
}
