package dev.captcha.generator;

import java.awt.Font;
import java.awt.FontFormatException;
import java.awt.font.FontRenderContext;
import java.awt.font.GlyphVector;
import java.io.BufferedReader;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Finds TrueType and OpenType fonts on disk ({@code .ttf}, {@code .otf}, {@code .ttc} collections),
 * groups their upright regular and bold faces by family, and weights them so that no style group
 * dominates a mix; immutable after construction and thread-safe.
 *
 * <p>The families the project draws with form the font zoo ({@link #ZOO}, read from {@code
 * font-zoo.tsv} next to this class): each has a style group, a split (training or held out) and the
 * Debian package that provides it ({@code scripts/setup.sh} installs them). Held-out families are
 * never used for training or model selection; they measure how well a model reads fonts it never
 * saw.
 */
public final class FontCatalog {

  /** Which use a zoo family is for. */
  public enum Split {
    /** Drawn in training and validation. */
    TRAINING,
    /** Kept out of training and model selection; used only to measure generalisation. */
    HELD_OUT
  }

  /**
   * One family of the font zoo.
   *
   * @param family the family name as Java reports it (with a trailing "Regular" or "Bold" dropped)
   * @param group the style group (sans, serif, slab, mono, rounded, condensed, geometric, humanist,
   *     casual, handwriting, display, cjk)
   * @param split training or held out
   * @param debianPackage the Debian package that installs it
   * @param trueTypeOutlines whether its files have TrueType outlines ({@code .ttf}, {@code .ttc}),
   *     which the original Go library can load too; CFF {@code .otf} families are drawn here only
   */
  public record ZooFamily(
      String family, String group, Split split, String debianPackage, boolean trueTypeOutlines) {
    public ZooFamily {
      Objects.requireNonNull(family, "family");
      Objects.requireNonNull(group, "group");
      Objects.requireNonNull(split, "split");
      Objects.requireNonNull(debianPackage, "debianPackage");
    }
  }

  /**
   * A face with its share of a mix: the weights of a list returned by {@link #weighted} sum to 1.
   *
   * @param font the face (size 1; derive the size to draw at)
   * @param family the family it belongs to (or the file name for a font file)
   * @param group the style group it is balanced in
   * @param weight the probability of drawing this face when sampling by weight
   */
  public record WeightedFont(Font font, String family, String group, double weight) {
    public WeightedFont {
      Objects.requireNonNull(font, "font");
      if (!(weight > 0 && weight <= 1)) {
        throw new IllegalArgumentException("weight must be in (0, 1]: " + weight);
      }
    }
  }

  /** The characters every face must draw: digits, lower and upper case letters. */
  public static final String REQUIRED_CHARACTERS =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";

  /** The font zoo, in the order of {@code font-zoo.tsv}. */
  public static final List<ZooFamily> ZOO = readZoo("font-zoo.tsv");

  /** Families a model is trained on (regular and bold faces): the zoo's training split. */
  public static final List<String> TRAINING_FAMILIES = familiesOf(Split.TRAINING);

  /** Families never shown to a model in training or model selection: the zoo's held-out split. */
  public static final List<String> HELD_OUT_FAMILIES = familiesOf(Split.HELD_OUT);

  /** The style groups of the zoo, in order of first appearance. */
  public static final List<String> STYLE_GROUPS =
      ZOO.stream().map(ZooFamily::group).distinct().toList();

  /**
   * Training families the zoo gained after the bundled model was trained: that model has not seen
   * them, so checks of its accuracy leave them out. Empty again once a model trained with them is
   * bundled.
   */
  public static final Set<String> NEWER_THAN_BUNDLED_MODEL = Set.of();

  /**
   * The families the bundled model under {@code models/} (afocus-resnet 2.0.0-rc13) was trained on,
   * as its metadata {@code captcha.training.fonts} lists them: the zoo's training split less {@link
   * #NEWER_THAN_BUNDLED_MODEL}, 120 families installed by {@code scripts/setup.sh}; checks of the
   * bundled model's accuracy draw in these. Bundling a model trained on other families means
   * changing this list and the thresholds of those checks with it.
   */
  public static final List<String> BUNDLED_MODEL_FAMILIES =
      TRAINING_FAMILIES.stream().filter(f -> !NEWER_THAN_BUNDLED_MODEL.contains(f)).toList();

  /** Where fonts are searched for by default. */
  public static final List<Path> DEFAULT_DIRECTORIES =
      List.of(
          Paths.get("/usr/share/fonts"),
          Paths.get("/usr/local/share/fonts"),
          Paths.get(System.getProperty("user.home"), ".fonts"),
          Paths.get(System.getProperty("user.home"), ".local/share/fonts"));

  private static final Set<String> UPRIGHT_WEIGHTS =
      Set.of("regular", "book", "roman", "normal", "medium", "bold", "demi");
  private static final Set<String> SLANTS = Set.of("italic", "oblique");
  private static final Pattern TOKEN_BREAK =
      Pattern.compile("[^A-Za-z0-9]+|(?<=[a-z])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])");
  private static final Pattern TRAILING_WEIGHT = Pattern.compile("\\s+(Regular|Bold)$");
  private static final FontRenderContext FRC = new FontRenderContext(null, true, true);
  private static volatile FontCatalog defaultCatalog;

  /** A face found on disk and whether its outlines are TrueType (quadratic) rather than CFF. */
  private record Face(Font font, Path file, boolean trueTypeOutlines) {}

  private final Map<String, List<Face>> facesByFamily;

  private FontCatalog(Map<String, List<Face>> facesByFamily) {
    this.facesByFamily = facesByFamily;
  }

  /** The default font directories, scanned once per process. */
  public static FontCatalog scanDefault() {
    FontCatalog c = defaultCatalog;
    if (c == null) {
      synchronized (FontCatalog.class) {
        c = defaultCatalog;
        if (c == null) {
          c = scan(DEFAULT_DIRECTORIES);
          defaultCatalog = c;
        }
      }
    }
    return c;
  }

  /**
   * Scans the given directories (missing ones are skipped) for {@code .ttf}, {@code .otf} and
   * {@code .ttc} files and keeps each family's upright regular, medium and bold faces (its slanted
   * ones where it has no upright face). A face found twice (the same name in two files) is kept
   * once, preferring TrueType outlines.
   */
  public static FontCatalog scan(List<Path> directories) {
    Map<String, Map<String, Face>> byFamily = new LinkedHashMap<>();
    Map<String, Map<String, Face>> slantedByFamily = new LinkedHashMap<>();
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
        Font[] fonts = tryLoad(file);
        if (fonts.length == 0) {
          continue;
        }
        boolean trueType = hasTrueTypeOutlines(file);
        for (Font font : fonts) {
          String family = familyKey(font);
          Map<String, Map<String, Face>> target;
          switch (faceKind(family, font)) {
            case UPRIGHT -> target = byFamily;
            case SLANTED -> target = slantedByFamily;
            default -> {
              continue;
            }
          }
          Face face = new Face(font, file, trueType);
          target
              .computeIfAbsent(family, k -> new LinkedHashMap<>())
              .merge(
                  font.getFontName(Locale.ROOT),
                  face,
                  (old, neu) -> old.trueTypeOutlines() && !neu.trueTypeOutlines() ? old : neu);
        }
      }
    }
    slantedByFamily.forEach(byFamily::putIfAbsent);
    Map<String, List<Face>> out = new LinkedHashMap<>();
    byFamily.forEach(
        (family, faces) -> {
          List<Face> list = new ArrayList<>(faces.values());
          list.sort(Comparator.comparing(f -> f.font().getFontName(Locale.ROOT)));
          out.put(family, List.copyOf(list));
        });
    return new FontCatalog(out);
  }

  /** Loads one font file (the first face of a {@code .ttc} collection). */
  public static Font load(Path file) {
    return loadAll(file).get(0);
  }

  /** Loads every face of a font file ({@code .ttc} collections hold several). */
  public static List<Font> loadAll(Path file) {
    try {
      Font[] fonts = Font.createFonts(file.toFile());
      if (fonts.length == 0) {
        throw new IllegalArgumentException("cannot load font " + file + ": no faces in it");
      }
      return List.of(fonts);
    } catch (FontFormatException | IOException e) {
      throw new IllegalArgumentException("cannot load font " + file + ": " + e.getMessage(), e);
    }
  }

  /**
   * Resolves font specifications: each is a path to a font file (all its faces) or an installed
   * family name (its regular and bold upright faces). Faces that cannot draw all of {@link
   * #REQUIRED_CHARACTERS} are left out.
   *
   * @throws IllegalArgumentException naming a missing family and the package that installs it, or a
   *     font that cannot draw the required characters
   */
  public List<Font> resolve(List<String> specs) {
    List<Font> fonts = new ArrayList<>();
    for (Resolved r : resolveEach(specs)) {
      fonts.addAll(r.faces());
    }
    return List.copyOf(fonts);
  }

  /**
   * Resolves font specifications like {@link #resolve} and weights the faces so that each style
   * group gets the same share, each family the same share of its group, and each face the same
   * share of its family: {@code weight = 1 / (groups * familiesInGroup * facesInFamily)}. A zoo
   * family is balanced in its zoo group; any other family or font file forms a group of its own.
   */
  public List<WeightedFont> weighted(List<String> specs) {
    List<Resolved> resolved = resolveEach(specs);
    Map<String, Set<String>> familiesByGroup = new LinkedHashMap<>();
    for (Resolved r : resolved) {
      familiesByGroup.computeIfAbsent(r.group(), k -> new LinkedHashSet<>()).add(r.family());
    }
    Map<String, Integer> facesByName = new LinkedHashMap<>();
    for (Resolved r : resolved) {
      facesByName.merge(r.family(), r.faces().size(), Integer::sum);
    }
    int groups = familiesByGroup.size();
    List<WeightedFont> out = new ArrayList<>();
    for (Resolved r : resolved) {
      int families = familiesByGroup.get(r.group()).size();
      int faces = facesByName.get(r.family());
      for (Font f : r.faces()) {
        out.add(
            new WeightedFont(f, r.family(), r.group(), 1.0 / ((double) groups * families * faces)));
      }
    }
    return List.copyOf(out);
  }

  /** The families found, each with the number of faces kept. */
  public Map<String, Integer> families() {
    Map<String, Integer> out = new LinkedHashMap<>();
    facesByFamily.forEach((k, v) -> out.put(k, v.size()));
    return out;
  }

  /**
   * Whether every face kept for an installed family has TrueType outlines ({@code .ttf} or {@code
   * .ttc} with a {@code glyf} table), which the original Go library can load; CFF {@code .otf}
   * faces can still be drawn here.
   *
   * @throws IllegalArgumentException when the family is not installed
   */
  public boolean hasTrueTypeOutlines(String family) {
    List<Face> faces = facesByFamily.get(family);
    if (faces == null) {
      throw new IllegalArgumentException(missingFamilyMessage(family));
    }
    return faces.stream().allMatch(Face::trueTypeOutlines);
  }

  /** The zoo entry of a family, or null when it is not in the zoo. */
  public static ZooFamily zooFamily(String family) {
    for (ZooFamily z : ZOO) {
      if (z.family().equals(family)) {
        return z;
      }
    }
    return null;
  }

  /**
   * The characters of {@link #REQUIRED_CHARACTERS} that a face cannot draw: those it has no glyph
   * for, or whose glyph is the missing-glyph box or empty. Empty when the face draws them all.
   */
  public static String missingCharacters(Font font) {
    Font sized = font.deriveFont(32f);
    int missingGlyph = sized.getMissingGlyphCode();
    StringBuilder missing = new StringBuilder();
    for (char c : REQUIRED_CHARACTERS.toCharArray()) {
      if (!sized.canDisplay(c)) {
        missing.append(c);
        continue;
      }
      GlyphVector gv = sized.createGlyphVector(FRC, new char[] {c});
      if (gv.getGlyphCode(0) == missingGlyph || gv.getGlyphOutline(0).getBounds2D().isEmpty()) {
        missing.append(c);
      }
    }
    return missing.toString();
  }

  private record Resolved(String family, String group, List<Font> faces) {}

  private List<Resolved> resolveEach(List<String> specs) {
    if (specs == null || specs.isEmpty()) {
      throw new IllegalArgumentException("no fonts given");
    }
    List<Resolved> out = new ArrayList<>();
    Set<String> seen = new HashSet<>();
    for (String spec : specs) {
      if (!seen.add(spec)) {
        continue;
      }
      Path asPath = Paths.get(spec);
      if (isFontFile(asPath) && Files.isRegularFile(asPath)) {
        List<Font> faces = usableFaces(spec, loadAll(asPath));
        out.add(new Resolved(spec, "file:" + spec, faces));
        continue;
      }
      List<Face> faces = facesByFamily.get(spec);
      if (faces == null) {
        throw new IllegalArgumentException(missingFamilyMessage(spec));
      }
      ZooFamily zoo = zooFamily(spec);
      List<Font> usable = usableFaces(spec, faces.stream().map(Face::font).toList());
      out.add(new Resolved(spec, zoo == null ? "family:" + spec : zoo.group(), usable));
    }
    return out;
  }

  private static List<Font> usableFaces(String spec, List<Font> faces) {
    List<Font> usable = new ArrayList<>();
    List<String> problems = new ArrayList<>();
    for (Font f : faces) {
      String missing = missingCharacters(f);
      if (missing.isEmpty()) {
        usable.add(f);
      } else {
        problems.add(f.getFontName(Locale.ROOT) + " lacks '" + missing + "'");
      }
    }
    if (usable.isEmpty()) {
      throw new IllegalArgumentException(
          "font '"
              + spec
              + "' cannot draw every captcha character: "
              + String.join("; ", problems));
    }
    return List.copyOf(usable);
  }

  private String missingFamilyMessage(String family) {
    ZooFamily zoo = zooFamily(family);
    String install =
        zoo != null
            ? "it comes with the Debian package "
                + zoo.debianPackage()
                + " (scripts/setup.sh installs the font zoo)"
            : "install it or pass the path of a .ttf, .otf or .ttc file";
    return "font family '"
        + family
        + "' is not installed: "
        + install
        + "; "
        + facesByFamily.size()
        + " families are installed";
  }

  private enum FaceKind {
    UPRIGHT,
    SLANTED,
    OTHER
  }

  /**
   * Classifies a face by the words its name adds to its family name: none or only regular, book,
   * roman, normal, medium, bold or demi is an upright face; those plus italic or oblique a slanted
   * one; anything else (light, black, condensed, ...) another face.
   */
  private static FaceKind faceKind(String family, Font font) {
    Set<String> familyWords = new HashSet<>(words(family));
    boolean slanted = false;
    for (String w : words(font.getFontName(Locale.ROOT))) {
      if (familyWords.contains(w) || UPRIGHT_WEIGHTS.contains(w)) {
        continue;
      }
      if (SLANTS.contains(w)) {
        slanted = true;
        continue;
      }
      return FaceKind.OTHER;
    }
    return slanted ? FaceKind.SLANTED : FaceKind.UPRIGHT;
  }

  private static List<String> words(String name) {
    return Arrays.stream(TOKEN_BREAK.split(name))
        .filter(s -> !s.isEmpty())
        .map(s -> s.toLowerCase(Locale.ROOT))
        .toList();
  }

  /**
   * The family name with a trailing "Regular" or "Bold" dropped (some fonts name a family per
   * weight).
   */
  private static String familyKey(Font font) {
    return TRAILING_WEIGHT.matcher(font.getFamily(Locale.ROOT).trim()).replaceFirst("");
  }

  private static boolean isFontFile(Path p) {
    String name =
        p.getFileName() == null ? "" : p.getFileName().toString().toLowerCase(Locale.ROOT);
    return name.endsWith(".ttf") || name.endsWith(".otf") || name.endsWith(".ttc");
  }

  private static Font[] tryLoad(Path file) {
    try {
      return Font.createFonts(file.toFile());
    } catch (FontFormatException | IOException | RuntimeException e) {
      return new Font[0];
    }
  }

  /**
   * Reads the sfnt version (of the first font of a collection): TrueType outlines or CFF ("OTTO").
   */
  private static boolean hasTrueTypeOutlines(Path file) {
    try (DataInputStream in = new DataInputStream(Files.newInputStream(file))) {
      int tag = in.readInt();
      if (tag == 0x74746366) { // "ttcf": header, version, count, then the offsets of the fonts
        in.readInt();
        in.readInt();
        int offset = in.readInt();
        in.skipNBytes(offset - 16L);
        tag = in.readInt();
      }
      return tag == 0x00010000 || tag == 0x74727565; // 1.0 or "true"
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  private static List<ZooFamily> readZoo(String resource) {
    InputStream in = FontCatalog.class.getResourceAsStream(resource);
    if (in == null) {
      throw new IllegalStateException(
          "missing resource " + resource + " next to " + FontCatalog.class.getName());
    }
    List<ZooFamily> out = new ArrayList<>();
    Set<String> names = new HashSet<>();
    try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
      String line;
      int n = 0;
      while ((line = r.readLine()) != null) {
        n++;
        if (line.isBlank() || line.startsWith("#")) {
          continue;
        }
        String[] f = line.split("\t");
        if (f.length != 5) {
          throw new IllegalStateException(
              resource + " line " + n + ": expected 5 tab-separated fields");
        }
        Split split =
            switch (f[2]) {
              case "train" -> Split.TRAINING;
              case "held-out" -> Split.HELD_OUT;
              default ->
                  throw new IllegalStateException(
                      resource + " line " + n + ": split must be train or held-out");
            };
        if (!names.add(f[0])) {
          throw new IllegalStateException(
              resource + " line " + n + ": family listed twice: " + f[0]);
        }
        boolean trueType =
            switch (f[4]) {
              case "truetype" -> true;
              case "cff" -> false;
              default ->
                  throw new IllegalStateException(
                      resource + " line " + n + ": outlines must be truetype or cff");
            };
        out.add(new ZooFamily(f[0], f[1], split, f[3], trueType));
      }
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + resource, e);
    }
    return List.copyOf(out);
  }

  private static List<String> familiesOf(Split split) {
    return ZOO.stream().filter(z -> z.split() == split).map(ZooFamily::family).toList();
  }
}
