package dev.captcha.training.lookalike;

import dev.captcha.generator.CaptchaRenderer;
import dev.captcha.generator.Charset;
import java.awt.Font;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.ToDoubleFunction;

/**
 * Finds the characters that the faces of one font family draw (nearly) alike in their captcha
 * tiles, and the exact-accuracy ceiling that follows for a reader that sees only the glyph;
 * immutable and thread-safe.
 *
 * <p>Two tiles are alike when their {@link #distance} is at most the threshold; alike tiles are
 * joined transitively into clusters, across the faces of the family too (a family's faces are drawn
 * at random per character). A reader shown a tile of a cluster can do no better than answer the
 * character most likely to have made it, so per character position it is right with probability
 * {@code sum over clusters of max over c of sum over the cluster's tiles of c of face weight *
 * P(c)}; with one face and characters uniform that is the mean over the characters of {@code 1 /
 * |group(c)|}.
 */
public final class Lookalikes {

  /** The characters compared: the model's 62 classes. */
  public static final String CHARACTERS = Charset.MODEL_CLASSES;

  /** How many of the closest pairs of different characters a result keeps. */
  public static final int NEAREST = 5;

  /**
   * One face of a family with its tiles.
   *
   * @param name the face's name
   * @param weight its share of the family's characters (the faces' weights sum to 1)
   * @param tiles the 8-bit coverage of each character of {@link #CHARACTERS}, in that order, all of
   *     one size
   */
  public record Face(String name, double weight, List<byte[]> tiles) {
    public Face {
      Objects.requireNonNull(name, "name");
      tiles = List.copyOf(tiles);
      if (tiles.size() != CHARACTERS.length()) {
        throw new IllegalArgumentException(
            "a face needs " + CHARACTERS.length() + " tiles, got " + tiles.size());
      }
      if (!(weight > 0 && weight <= 1)) {
        throw new IllegalArgumentException("face weight must be in (0, 1]: " + weight);
      }
    }

    /** Renders the face's tiles the way the captcha renderer places an unrotated glyph. */
    public static Face render(
        CaptchaRenderer renderer, Font font, String name, double weight, int fontSize) {
      List<byte[]> tiles = new ArrayList<>(CHARACTERS.length());
      for (char c : CHARACTERS.toCharArray()) {
        tiles.add(renderer.glyphTile(font, c, fontSize));
      }
      return new Face(name, weight, tiles);
    }
  }

  /** One character drawn in one face (an index into the result's faces). */
  public record Tile(int face, char character) {}

  /**
   * Characters drawn alike, in {@link #CHARACTERS} order, and the faces whose tiles are in the
   * clusters that join them.
   */
  public record Group(String characters, List<String> faces) {
    public Group {
      faces = List.copyOf(faces);
    }

    /** The characters joined by '=' (for example {@code I=l}). */
    public String label() {
      return String.join("=", characters.chars().mapToObj(Character::toString).toList());
    }
  }

  /** A pair of tiles of different characters and their distance. */
  public record Pair(char a, String faceA, char b, String faceB, double distance) {}

  /**
   * The analysis of one family.
   *
   * @param faces the face names, in the order given
   * @param faceWeights the faces' shares
   * @param clusters the tiles joined by alikeness (singletons included)
   * @param groups the clusters holding more than one character, by character set
   * @param nearest the {@link #NEAREST} closest pairs of tiles of different characters, closest
   *     first (for {@link #analyseMix}: every such pair within the threshold)
   */
  public record Result(
      List<String> faces,
      List<Double> faceWeights,
      List<List<Tile>> clusters,
      List<Group> groups,
      List<Pair> nearest) {
    public Result {
      faces = List.copyOf(faces);
      faceWeights = List.copyOf(faceWeights);
      clusters = clusters.stream().map(List::copyOf).toList();
      groups = List.copyOf(groups);
      nearest = List.copyOf(nearest);
    }

    /**
     * The best chance of reading one character position right when characters come with the
     * probabilities {@code prior} (summing to 1 over {@link #CHARACTERS}).
     */
    public double positionCeiling(ToDoubleFunction<Character> prior) {
      return Lookalikes.positionCeiling(clusters, faceWeights, prior);
    }
  }

  private Lookalikes() {}

  /** Characters uniform over the 62. */
  public static double uniform(char c) {
    return CHARACTERS.indexOf(c) >= 0 ? 1.0 / CHARACTERS.length() : 0;
  }

  /**
   * The mean absolute difference of two coverage tiles of the same size, in 0..1 (0: identical, 1:
   * one fully inked where the other is empty everywhere).
   */
  public static double distance(byte[] a, byte[] b) {
    if (a.length != b.length || a.length == 0) {
      throw new IllegalArgumentException(
          "tiles must have the same, non-zero size: " + a.length + " and " + b.length);
    }
    long sum = 0;
    for (int i = 0; i < a.length; i++) {
      sum += Math.abs((a[i] & 0xFF) - (b[i] & 0xFF));
    }
    return sum / (255.0 * a.length);
  }

  /** The ink of a tile in fully inked pixels: its coverage summed, / 255. */
  public static double ink(byte[] tile) {
    long sum = 0;
    for (byte b : tile) {
      sum += b & 0xFF;
    }
    return sum / 255.0;
  }

  /**
   * The characters of a face drawn with under {@code share} of the face's median ink, in {@link
   * #CHARACTERS} order: glyphs that lie mostly outside their tile.
   */
  public static String faint(Face face, double share) {
    double[] ink = face.tiles().stream().mapToDouble(Lookalikes::ink).toArray();
    double[] sorted = ink.clone();
    Arrays.sort(sorted);
    double median = (sorted[(sorted.length - 1) / 2] + sorted[sorted.length / 2]) / 2;
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < ink.length; i++) {
      if (ink[i] < share * median) {
        out.append(CHARACTERS.charAt(i));
      }
    }
    return out.toString();
  }

  private static void checkArguments(List<Face> faces, double threshold) {
    if (faces.isEmpty()) {
      throw new IllegalArgumentException("no faces to compare");
    }
    if (!(threshold >= 0 && threshold < 1)) {
      throw new IllegalArgumentException("threshold must be in [0, 1): " + threshold);
    }
  }

  /** Compares every pair of tiles of the faces and joins those within {@code threshold}. */
  public static Result analyse(List<Face> faces, double threshold) {
    checkArguments(faces, threshold);
    int n = CHARACTERS.length();
    int count = faces.size() * n;
    int[] parent = new int[count];
    for (int i = 0; i < count; i++) {
      parent[i] = i;
    }
    List<Pair> pairs = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] a = faces.get(i / n).tiles().get(i % n);
      for (int j = i + 1; j < count; j++) {
        byte[] b = faces.get(j / n).tiles().get(j % n);
        double d = distance(a, b);
        if (d <= threshold) {
          parent[find(parent, i)] = find(parent, j);
        }
        if (i % n != j % n) {
          pairs.add(
              new Pair(
                  CHARACTERS.charAt(i % n),
                  faces.get(i / n).name(),
                  CHARACTERS.charAt(j % n),
                  faces.get(j / n).name(),
                  d));
        }
      }
    }
    return result(faces, parent, pairs, NEAREST);
  }

  /**
   * Like {@link #analyse}, for many faces (of several families, each weighted by its share of the
   * mix): compares only tiles whose total ink differs by at most {@code threshold} of the tile (a
   * bound on their distance), so it scales to the whole zoo; its {@link Result#nearest} holds every
   * pair of different characters within the threshold.
   */
  public static Result analyseMix(List<Face> faces, double threshold) {
    checkArguments(faces, threshold);
    int n = CHARACTERS.length();
    int count = faces.size() * n;
    int[] parent = new int[count];
    long[] ink = new long[count];
    Integer[] order = new Integer[count];
    int size = faces.get(0).tiles().get(0).length;
    for (int i = 0; i < count; i++) {
      parent[i] = i;
      order[i] = i;
      byte[] t = faces.get(i / n).tiles().get(i % n);
      if (t.length != size) {
        throw new IllegalArgumentException("tiles must all have the same size");
      }
      for (byte b : t) {
        ink[i] += b & 0xFF;
      }
    }
    Arrays.sort(order, Comparator.comparingLong(i -> ink[i]));
    // |ink(a) - ink(b)| / (255 * size) <= distance(a, b): tiles further apart in ink cannot be
    // alike.
    double window = threshold * 255.0 * size;
    List<Pair> pairs = new ArrayList<>();
    for (int x = 0; x < count; x++) {
      int i = order[x];
      byte[] a = faces.get(i / n).tiles().get(i % n);
      for (int y = x + 1; y < count && ink[order[y]] - ink[i] <= window; y++) {
        int j = order[y];
        double d = distance(a, faces.get(j / n).tiles().get(j % n));
        if (d > threshold) {
          continue;
        }
        parent[find(parent, i)] = find(parent, j);
        if (i % n != j % n) {
          int lo = Math.min(i, j);
          int hi = Math.max(i, j);
          pairs.add(
              new Pair(
                  CHARACTERS.charAt(lo % n),
                  faces.get(lo / n).name(),
                  CHARACTERS.charAt(hi % n),
                  faces.get(hi / n).name(),
                  d));
        }
      }
    }
    return result(faces, parent, pairs, pairs.size());
  }

  private static Result result(List<Face> faces, int[] parent, List<Pair> pairs, int keep) {
    int n = CHARACTERS.length();
    int count = parent.length;
    Map<Integer, List<Tile>> byRoot = new LinkedHashMap<>();
    for (int i = 0; i < count; i++) {
      byRoot
          .computeIfAbsent(find(parent, i), k -> new ArrayList<>())
          .add(new Tile(i / n, CHARACTERS.charAt(i % n)));
    }
    List<List<Tile>> clusters = new ArrayList<>(byRoot.values());
    Map<String, TreeSet<Integer>> facesByGroup = new LinkedHashMap<>();
    for (List<Tile> cluster : clusters) {
      String chars = characters(cluster);
      if (chars.length() > 1) {
        TreeSet<Integer> f = facesByGroup.computeIfAbsent(chars, k -> new TreeSet<>());
        cluster.forEach(t -> f.add(t.face()));
      }
    }
    List<Group> groups = new ArrayList<>();
    facesByGroup.forEach(
        (chars, f) ->
            groups.add(new Group(chars, f.stream().map(i -> faces.get(i).name()).toList())));
    groups.sort(Comparator.comparing(g -> CHARACTERS.indexOf(g.characters().charAt(0))));
    pairs.sort(Comparator.comparingDouble(Pair::distance));
    return new Result(
        faces.stream().map(Face::name).toList(),
        faces.stream().map(Face::weight).toList(),
        clusters,
        groups,
        pairs.subList(0, Math.min(keep, pairs.size())));
  }

  /**
   * The best chance of reading one position right: per cluster, the probability of the character
   * most likely to have drawn it.
   *
   * @param clusters tiles that cannot be told apart, each tile in exactly one cluster
   * @param faceWeights the share of each face (indexed by {@link Tile#face()})
   * @param prior the probability of each character
   */
  public static double positionCeiling(
      List<List<Tile>> clusters, List<Double> faceWeights, ToDoubleFunction<Character> prior) {
    double sum = 0;
    for (List<Tile> cluster : clusters) {
      Map<Character, Double> mass = new LinkedHashMap<>();
      for (Tile t : cluster) {
        mass.merge(
            t.character(),
            faceWeights.get(t.face()) * prior.applyAsDouble(t.character()),
            Double::sum);
      }
      sum += mass.values().stream().mapToDouble(Double::doubleValue).max().orElse(0);
    }
    return sum;
  }

  /** The chance of reading all {@code length} positions of a captcha right. */
  public static double captchaCeiling(double positionCeiling, int length) {
    if (length < 1) {
      throw new IllegalArgumentException("length must be >= 1, got " + length);
    }
    return Math.pow(positionCeiling, length);
  }

  private static String characters(List<Tile> cluster) {
    StringBuilder sb = new StringBuilder();
    for (char c : CHARACTERS.toCharArray()) {
      if (cluster.stream().anyMatch(t -> t.character() == c)) {
        sb.append(c);
      }
    }
    return sb.toString();
  }

  private static int find(int[] parent, int i) {
    while (parent[i] != i) {
      parent[i] = parent[parent[i]];
      i = parent[i];
    }
    return i;
  }
}
