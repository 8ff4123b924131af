package dev.captcha.training;

import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.captcha.generator.CaptchaRenderer;
import dev.captcha.generator.CaptchaSpec;
import dev.captcha.generator.Charset;
import dev.captcha.generator.FontCatalog;
import dev.captcha.training.lookalike.Lookalikes;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The {@code lookalikes} command: per font family, the characters its faces draw alike in their
 * captcha tiles and the exact-accuracy ceiling that follows.
 */
@Command(
    name = "lookalikes",
    mixinStandardHelpOptions = true,
    description =
        "Renders each of the 62 characters as the generator places an unrotated glyph in its tile,"
            + " in every face of each font family, groups characters whose tiles are (nearly) identical"
            + " and prints the exact-accuracy ceiling of captchas in each family.")
final class LookalikesCommand implements Callable<Integer> {

  /**
   * The default threshold on the mean absolute coverage difference (1 = a fully inked pixel in each
   * of the tile's 1,444 pixels at font size 38). Measured over the zoo at that size, drawings of
   * two characters with the very same outline (0 and O in okolaks) give exactly 0; the closest
   * pairs that are not identical are l and I of Manrope (0.0011 regular, 0.0018 bold: the l one
   * pixel row taller), then l/I of Gillius ADF Bold Cond (0.0029, a sub-pixel difference), of
   * BetecknaGS (0.0033) and a continuum of l/I, i/l, g/q, v/y and j/J pairs from 0.004 upwards;
   * case pairs such as o/O measure 0.2 and more. Across families the closest pair of different
   * characters is eurofurence's J and Comic Neue's j (0.0023, both drawn mostly outside the tile).
   * 0.002, about three fully inked pixels, joins identical drawings and those a pixel row apart,
   * and leaves the rest, whose distances the JSON report lists, to the reader.
   */
  static final double DEFAULT_THRESHOLD = 0.002;

  /** How many pairs alike across families the console lists. */
  private static final int ACROSS_SHOWN = 10;

  @Option(
      names = "--fonts",
      split = ",",
      paramLabel = "FONTS",
      description =
          "training, held-out, all (the font zoo's splits) or font families / files, comma-separated"
              + " (default: training).")
  List<String> fonts = List.of("training");

  @Option(
      names = "--threshold",
      defaultValue = "" + DEFAULT_THRESHOLD,
      description =
          "Largest mean absolute coverage difference (0..1) at which two tiles count as alike"
              + " (default: ${DEFAULT-VALUE}).")
  double threshold;

  @Option(
      names = "--height",
      defaultValue = "64",
      description =
          "Captcha height; the font size is the library's int(0.6 * height) (default: ${DEFAULT-VALUE}).")
  int height;

  @Option(
      names = "--length",
      defaultValue = "4",
      description = "Characters per captcha (default: ${DEFAULT-VALUE}).")
  int length;

  @Option(names = "--json", description = "Also write the results to this JSON file.")
  Path json;

  /** One family measured. */
  private record Measured(
      String family,
      String group,
      String split,
      double weight,
      Lookalikes.Result result,
      double uniform,
      double drawn,
      List<Faint> faint) {}

  /** A character a face draws mostly outside its tile, and the ink left in the tile. */
  private record Faint(char character, String face, double ink) {}

  /** Below this share of its face's median ink a character counts as faint. */
  private static final double FAINT_SHARE = 0.25;

  /**
   * The mix of all families measured, as the sampler draws it, with look-alikes across families
   * counted too.
   */
  private record Mix(double uniform, double drawn, List<Lookalikes.Pair> across) {}

  private static String faceKey(FontCatalog.WeightedFont w) {
    return w.family() + "\u0000" + w.font().getFontName(Locale.ROOT);
  }

  @Override
  public Integer call() throws Exception {
    if (!(threshold >= 0 && threshold < 1)) {
      throw new IllegalArgumentException("--threshold must be in [0, 1), got " + threshold);
    }
    if (height < 16 || height > 4096) {
      throw new IllegalArgumentException("--height must be within 16..4096, got " + height);
    }
    if (length < 1 || length > 32) {
      throw new IllegalArgumentException("--length must be within 1..32, got " + length);
    }
    List<String> specs = expand(fonts);
    int fontSize =
        new CaptchaSpec(128, height, 0, List.of(), List.of(), List.of(), false).fontSize();
    FontCatalog catalog = FontCatalog.scanDefault();
    Map<String, List<FontCatalog.WeightedFont>> faces = new LinkedHashMap<>();
    Map<String, String> skipped = new LinkedHashMap<>();
    for (String spec : specs) {
      try {
        faces.put(spec, catalog.weighted(List.of(spec)));
      } catch (IllegalArgumentException e) {
        skipped.put(spec, e.getMessage());
        System.err.println("warning: skipping " + spec + ": " + e.getMessage());
      }
    }
    if (faces.isEmpty()) {
      throw new IllegalArgumentException(
          "none of the " + specs.size() + " font families asked for is installed and usable");
    }
    // The sampler's share of each face and family: what train and evaluate give them.
    Map<String, Double> familyWeight = new LinkedHashMap<>();
    Map<String, Double> faceWeight = new LinkedHashMap<>();
    for (FontCatalog.WeightedFont w : catalog.weighted(new ArrayList<>(faces.keySet()))) {
      familyWeight.merge(w.family(), w.weight(), Double::sum);
      faceWeight.merge(faceKey(w), w.weight(), Double::sum);
    }
    CaptchaRenderer renderer = new CaptchaRenderer();
    List<Measured> rows = new ArrayList<>();
    List<Lookalikes.Face> mixFaces = new ArrayList<>();
    List<String> mixFamilies = new ArrayList<>();
    for (Map.Entry<String, List<FontCatalog.WeightedFont>> e : faces.entrySet()) {
      List<Lookalikes.Face> tiles = new ArrayList<>();
      for (FontCatalog.WeightedFont w : e.getValue()) {
        Lookalikes.Face face =
            Lookalikes.Face.render(
                renderer, w.font(), w.font().getFontName(Locale.ROOT), w.weight(), fontSize);
        tiles.add(face);
        mixFaces.add(new Lookalikes.Face(face.name(), faceWeight.get(faceKey(w)), face.tiles()));
        mixFamilies.add(e.getKey());
      }
      Lookalikes.Result r = Lookalikes.analyse(tiles, threshold);
      List<Faint> faint = new ArrayList<>();
      for (Lookalikes.Face face : tiles) {
        for (char c : Lookalikes.faint(face, FAINT_SHARE).toCharArray()) {
          faint.add(
              new Faint(
                  c,
                  face.name(),
                  Lookalikes.ink(face.tiles().get(Lookalikes.CHARACTERS.indexOf(c)))));
        }
      }
      FontCatalog.ZooFamily zoo = FontCatalog.zooFamily(e.getKey());
      rows.add(
          new Measured(
              e.getKey(),
              zoo != null ? zoo.group() : "-",
              zoo == null ? "-" : zoo.split() == FontCatalog.Split.TRAINING ? "train" : "held-out",
              familyWeight.get(e.getKey()),
              r,
              r.positionCeiling(Lookalikes::uniform),
              r.positionCeiling(c -> Charset.ALL.probability(c)),
              faint));
    }
    Lookalikes.Result mixed = Lookalikes.analyseMix(mixFaces, threshold);
    List<Lookalikes.Pair> across = new ArrayList<>();
    Map<String, String> familyOfFace = new LinkedHashMap<>();
    for (int i = 0; i < mixFaces.size(); i++) {
      familyOfFace.put(mixFaces.get(i).name(), mixFamilies.get(i));
    }
    for (Lookalikes.Pair p : mixed.nearest()) {
      if (!familyOfFace.get(p.faceA()).equals(familyOfFace.get(p.faceB()))) {
        across.add(p);
      }
    }
    Mix mix =
        new Mix(
            mixed.positionCeiling(Lookalikes::uniform),
            mixed.positionCeiling(c -> Charset.ALL.probability(c)),
            across);
    print(rows, mix, skipped, fontSize);
    if (json != null) {
      Json.write(json, toJson(rows, mix, skipped, fontSize));
    }
    return 0;
  }

  /** The zoo's split names expanded to their families, duplicates dropped, order kept. */
  static List<String> expand(List<String> fonts) {
    Set<String> out = new LinkedHashSet<>();
    for (String f : fonts) {
      String s = f.trim();
      switch (s) {
        case "" -> throw new IllegalArgumentException("--fonts has an empty entry");
        case "training" -> out.addAll(FontCatalog.TRAINING_FAMILIES);
        case "held-out" -> out.addAll(FontCatalog.HELD_OUT_FAMILIES);
        case "all" -> FontCatalog.ZOO.forEach(z -> out.add(z.family()));
        default -> out.add(s);
      }
    }
    return List.copyOf(out);
  }

  private void print(List<Measured> rows, Mix mix, Map<String, String> skipped, int fontSize) {
    System.out.printf(
        Locale.ROOT,
        "tiles       the 62 characters unrotated in their %dx%d tiles (font size %d, height %d);"
            + " alike: mean absolute coverage difference <= %s%n",
        fontSize,
        fontSize,
        fontSize,
        height,
        threshold);
    System.out.printf(
        Locale.ROOT,
        "ceiling     exact accuracy of %d-character captchas a reader of single glyphs cannot beat;"
            + " uniform: characters uniform over the 62; drawn: as the ALL charset draws them"
            + " (digits 1/30, letters 1/78 each)%n",
        length);
    System.out.printf(
        Locale.ROOT,
        "  %-26s %-11s %-8s %5s %8s %8s  %-18s %s%n",
        "family",
        "group",
        "split",
        "faces",
        "uniform",
        "drawn",
        "nearest pair",
        "look-alike groups");
    for (Measured m : rows) {
      Lookalikes.Pair p = m.result().nearest().isEmpty() ? null : m.result().nearest().get(0);
      System.out.printf(
          Locale.ROOT,
          "  %-26s %-11s %-8s %5d %7.2f%% %7.2f%%  %-18s %s%n",
          m.family(),
          m.group(),
          m.split(),
          m.result().faces().size(),
          100 * Lookalikes.captchaCeiling(m.uniform(), length),
          100 * Lookalikes.captchaCeiling(m.drawn(), length),
          p == null ? "-" : String.format(Locale.ROOT, "%c/%c %.4f", p.a(), p.b(), p.distance()),
          groupsText(m));
    }
    double mixedUniform = rows.stream().mapToDouble(m -> m.weight() * m.uniform()).sum();
    double mixedDrawn = rows.stream().mapToDouble(m -> m.weight() * m.drawn()).sum();
    System.out.printf(
        Locale.ROOT,
        "families    %d measured, %d skipped (not installed or unusable)%s%n",
        rows.size(),
        skipped.size(),
        skipped.isEmpty() ? "" : ": " + String.join(", ", skipped.keySet()));
    System.out.printf(
        Locale.ROOT,
        "mixed       %.2f%% uniform, %.2f%% drawn: captchas whose every character takes its face with"
            + " the sampler's weights (each style group an equal share, each family an equal share of"
            + " its group, each face of its family), as train and evaluate draw; look-alikes within"
            + " families%n",
        100 * Lookalikes.captchaCeiling(mixedUniform, length),
        100 * Lookalikes.captchaCeiling(mixedDrawn, length));
    System.out.printf(
        Locale.ROOT,
        "across      %.2f%% uniform, %.2f%% drawn: the same mix with look-alikes across families counted"
            + " too; %d pairs of different characters in different families alike%s%n",
        100 * ceiling(mix.uniform()),
        100 * ceiling(mix.drawn()),
        mix.across().size(),
        mix.across().isEmpty()
            ? ""
            : ": "
                + mix.across().stream()
                    .limit(ACROSS_SHOWN)
                    .map(
                        p ->
                            String.format(
                                Locale.ROOT,
                                "%c (%s) = %c (%s) %.4f",
                                p.a(),
                                p.faceA(),
                                p.b(),
                                p.faceB(),
                                p.distance()))
                    .collect(Collectors.joining(", "))
                + (mix.across().size() > ACROSS_SHOWN ? ", ... (all in --json)" : ""));
    Measured worst =
        rows.stream().min((a, b) -> Double.compare(a.uniform(), b.uniform())).orElseThrow();
    System.out.printf(
        Locale.ROOT,
        "per family  mean %.2f%% uniform, %.2f%% drawn (each family equal, as evaluate --per-family);"
            + " weighted as the sampler %.2f%%, %.2f%%; worst %.2f%% (%s)%n",
        100 * rows.stream().mapToDouble(m -> ceiling(m.uniform())).average().orElseThrow(),
        100 * rows.stream().mapToDouble(m -> ceiling(m.drawn())).average().orElseThrow(),
        100 * rows.stream().mapToDouble(m -> m.weight() * ceiling(m.uniform())).sum(),
        100 * rows.stream().mapToDouble(m -> m.weight() * ceiling(m.drawn())).sum(),
        100 * ceiling(worst.uniform()),
        worst.family());
    List<String> faint =
        rows.stream()
            .flatMap(m -> m.faint().stream())
            .map(
                f ->
                    String.format(Locale.ROOT, "%c (%s) %.0f px", f.character(), f.face(), f.ink()))
            .toList();
    System.out.printf(
        Locale.ROOT,
        "faint       %d characters drawn mostly outside the tile (under a quarter of their face's"
            + " median ink)%s%n",
        faint.size(),
        faint.isEmpty() ? "" : ": " + String.join(", ", faint));
    long withGroups = rows.stream().filter(m -> !m.result().groups().isEmpty()).count();
    System.out.printf(
        Locale.ROOT,
        "look-alike  %d of %d families draw some characters alike%n",
        withGroups,
        rows.size());
  }

  private double ceiling(double position) {
    return Lookalikes.captchaCeiling(position, length);
  }

  /** The groups, each with the faces it comes from where not all of the family's faces. */
  private static String groupsText(Measured m) {
    if (m.result().groups().isEmpty()) {
      return "-";
    }
    return m.result().groups().stream()
        .map(
            g ->
                g.faces().size() == m.result().faces().size()
                    ? g.label()
                    : g.label() + " (" + String.join(", ", g.faces()) + ")")
        .collect(Collectors.joining(" "));
  }

  private ObjectNode toJson(
      List<Measured> rows, Mix mix, Map<String, String> skipped, int fontSize) {
    ObjectNode out = Json.object();
    out.put("height", height);
    out.put("fontSize", fontSize);
    out.put("length", length);
    out.put("threshold", threshold);
    out.put(
        "distance",
        "mean absolute difference of the 8-bit glyph coverage over the fontSize x fontSize tile, / 255");
    ArrayNode families = out.putArray("families");
    for (Measured m : rows) {
      ObjectNode f = families.addObject();
      f.put("family", m.family());
      f.put("group", m.group());
      f.put("split", m.split());
      f.put("samplerWeight", Json.rounded(m.weight(), 6));
      ArrayNode faceNames = f.putArray("faces");
      m.result().faces().forEach(faceNames::add);
      ArrayNode groups = f.putArray("groups");
      for (Lookalikes.Group g : m.result().groups()) {
        ObjectNode go = groups.addObject();
        go.put("characters", g.characters());
        ArrayNode gf = go.putArray("faces");
        g.faces().forEach(gf::add);
      }
      ArrayNode nearest = f.putArray("nearest");
      for (Lookalikes.Pair p : m.result().nearest()) {
        ObjectNode po = nearest.addObject();
        po.put("a", String.valueOf(p.a()));
        po.put("faceA", p.faceA());
        po.put("b", String.valueOf(p.b()));
        po.put("faceB", p.faceB());
        po.put("distance", Json.rounded(p.distance(), 6));
      }
      ArrayNode faint = f.putArray("faint");
      for (Faint x : m.faint()) {
        faint
            .addObject()
            .put("character", String.valueOf(x.character()))
            .put("face", x.face())
            .put("inkPixels", Json.rounded(x.ink(), 1));
      }
      f.put("positionCeilingUniform", Json.rounded(m.uniform(), 6));
      f.put("ceilingUniform", Json.rounded(ceiling(m.uniform()), 6));
      f.put("positionCeilingDrawn", Json.rounded(m.drawn(), 6));
      f.put("ceilingDrawn", Json.rounded(ceiling(m.drawn()), 6));
    }
    ArrayNode skip = out.putArray("skipped");
    skipped.forEach((k, v) -> skip.addObject().put("family", k).put("reason", v));
    double mixedUniform = rows.stream().mapToDouble(m -> m.weight() * m.uniform()).sum();
    double mixedDrawn = rows.stream().mapToDouble(m -> m.weight() * m.drawn()).sum();
    ObjectNode s = out.putObject("summary");
    s.put(
        "weighting",
        "sampler: each style group an equal share, each family an equal share of its group, each face"
            + " an equal share of its family (FontCatalog.weighted)");
    s.put("mixedCeilingUniform", Json.rounded(ceiling(mixedUniform), 6));
    s.put("mixedCeilingDrawn", Json.rounded(ceiling(mixedDrawn), 6));
    s.put("acrossCeilingUniform", Json.rounded(ceiling(mix.uniform()), 6));
    s.put("acrossCeilingDrawn", Json.rounded(ceiling(mix.drawn()), 6));
    ArrayNode across = s.putArray("acrossPairs");
    for (Lookalikes.Pair p : mix.across()) {
      across
          .addObject()
          .put("a", String.valueOf(p.a()))
          .put("faceA", p.faceA())
          .put("b", String.valueOf(p.b()))
          .put("faceB", p.faceB())
          .put("distance", Json.rounded(p.distance(), 6));
    }
    s.put(
        "meanCeilingUniform",
        Json.rounded(
            rows.stream().mapToDouble(m -> ceiling(m.uniform())).average().orElseThrow(), 6));
    s.put(
        "meanCeilingDrawn",
        Json.rounded(
            rows.stream().mapToDouble(m -> ceiling(m.drawn())).average().orElseThrow(), 6));
    s.put(
        "weightedMeanCeilingUniform",
        Json.rounded(rows.stream().mapToDouble(m -> m.weight() * ceiling(m.uniform())).sum(), 6));
    s.put(
        "weightedMeanCeilingDrawn",
        Json.rounded(rows.stream().mapToDouble(m -> m.weight() * ceiling(m.drawn())).sum(), 6));
    s.put(
        "familiesWithLookalikes",
        rows.stream().filter(m -> !m.result().groups().isEmpty()).count());
    return out;
  }
}
