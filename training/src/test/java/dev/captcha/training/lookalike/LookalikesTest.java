package dev.captcha.training.lookalike;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.generator.Charset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Tile distance, grouping and the ceiling arithmetic on made-up tiles. */
class LookalikesTest {

  private static final String CHARS = Lookalikes.CHARACTERS;
  private static final int SIDE = 8;

  /** 62 tiles that differ from each other in many pixels: tile i inks pixels i and i + 1. */
  private static List<byte[]> distinctTiles() {
    List<byte[]> tiles = new ArrayList<>();
    for (int i = 0; i < CHARS.length(); i++) {
      byte[] t = new byte[SIDE * SIDE];
      t[i] = (byte) 255;
      t[i + 1] = (byte) 255;
      tiles.add(t);
    }
    return tiles;
  }

  /** Gives {@code b} the tile of {@code a}. */
  private static void same(List<byte[]> tiles, char a, char b) {
    tiles.set(CHARS.indexOf(b), tiles.get(CHARS.indexOf(a)).clone());
  }

  @Test
  void distanceIsTheMeanAbsoluteCoverageDifference() {
    byte[] empty = new byte[16];
    byte[] full = new byte[16];
    java.util.Arrays.fill(full, (byte) 255);
    byte[] one = new byte[16];
    one[3] = (byte) 255;
    assertEquals(0, Lookalikes.distance(full, full.clone()));
    assertEquals(1, Lookalikes.distance(empty, full), 1e-12);
    assertEquals(1.0 / 16, Lookalikes.distance(empty, one), 1e-12);
    assertThrows(IllegalArgumentException.class, () -> Lookalikes.distance(empty, new byte[4]));
  }

  @Test
  void bothAnalysesRefuseNoFacesAndAThresholdOutsideZeroToOne() {
    List<Lookalikes.Face> one = List.of(new Lookalikes.Face("a", 1, distinctTiles()));
    IllegalArgumentException none =
        assertThrows(IllegalArgumentException.class, () -> Lookalikes.analyse(List.of(), 0.1));
    assertEquals("no faces to compare", none.getMessage());
    assertThrows(IllegalArgumentException.class, () -> Lookalikes.analyseMix(List.of(), 0.1));
    for (double t : new double[] {-0.1, 1, Double.NaN}) {
      IllegalArgumentException e =
          assertThrows(IllegalArgumentException.class, () -> Lookalikes.analyse(one, t));
      assertTrue(e.getMessage().startsWith("threshold must be in [0, 1)"), e.getMessage());
      assertThrows(IllegalArgumentException.class, () -> Lookalikes.analyseMix(one, t));
    }
  }

  @Test
  void ceilingOfAMadeUpGrouping() {
    // One face; {l, I} and {0, O, o} drawn alike, every other character alone.
    List<List<Lookalikes.Tile>> clusters = new ArrayList<>();
    clusters.add(List.of(tile('l'), tile('I')));
    clusters.add(List.of(tile('0'), tile('O'), tile('o')));
    for (char c : CHARS.toCharArray()) {
      if ("lI0Oo".indexOf(c) < 0) {
        clusters.add(List.of(tile(c)));
      }
    }
    double uniform = Lookalikes.positionCeiling(clusters, List.of(1.0), Lookalikes::uniform);
    // Mean over the 62 characters of 1 / |group|: 57 alone, 2 in a pair, 3 in a triple.
    assertEquals((57 + 2 * 0.5 + 3 / 3.0) / 62, uniform, 1e-12);
    assertEquals(59.0 / 62, uniform, 1e-12);
    assertEquals(Math.pow(59.0 / 62, 4), Lookalikes.captchaCeiling(uniform, 4), 1e-12);
    // Drawn as the ALL charset draws: the reader answers 0 (1/30) for the triple, l or I for the
    // pair, and loses one letter (1/78 each) of the pair and two of the triple.
    double drawn =
        Lookalikes.positionCeiling(clusters, List.of(1.0), c -> Charset.ALL.probability(c));
    assertEquals(1 - 3.0 / 78, drawn, 1e-12);
  }

  @Test
  void charsetProbabilitiesOfTheAllModeSumToOne() {
    double sum = 0;
    for (char c : CHARS.toCharArray()) {
      sum += Charset.ALL.probability(c);
    }
    assertEquals(1, sum, 1e-12);
    assertEquals(1.0 / 30, Charset.ALL.probability('7'), 1e-12);
    assertEquals(1.0 / 78, Charset.ALL.probability('q'), 1e-12);
    assertEquals(0, Charset.NUM.probability('q'));
  }

  @Test
  void identicalTilesAreGroupedAndNothingElse() {
    List<byte[]> tiles = distinctTiles();
    same(tiles, 'l', 'I');
    Lookalikes.Result r = Lookalikes.analyse(List.of(new Lookalikes.Face("Face", 1, tiles)), 0);
    assertEquals(1, r.groups().size());
    assertEquals("lI", r.groups().get(0).characters());
    assertEquals("l=I", r.groups().get(0).label());
    assertEquals(61, r.clusters().size());
    assertEquals(
        Math.pow(61.0 / 62, 4),
        Lookalikes.captchaCeiling(r.positionCeiling(Lookalikes::uniform), 4),
        1e-12);
    assertEquals(0, r.nearest().get(0).distance());
    assertEquals(Lookalikes.NEAREST, r.nearest().size());
  }

  @Test
  void thresholdJoinsTilesAPixelApart() {
    List<byte[]> tiles = distinctTiles();
    same(tiles, '0', 'O');
    tiles.get(CHARS.indexOf('O'))[SIDE * SIDE - 1] = (byte) 255;
    Lookalikes.Face face = new Lookalikes.Face("Face", 1, tiles);
    double onePixel = 1.0 / (SIDE * SIDE);
    assertTrue(Lookalikes.analyse(List.of(face), 0).groups().isEmpty());
    assertEquals(onePixel, Lookalikes.analyse(List.of(face), 0).nearest().get(0).distance(), 1e-12);
    assertEquals("0O", Lookalikes.analyse(List.of(face), onePixel).groups().get(0).characters());
  }

  @Test
  void aGroupInOneFaceCostsOnlyThatFacesShare() {
    List<byte[]> regular = distinctTiles();
    List<byte[]> bold = distinctTiles();
    // Bold tiles differ from every regular one: tile i half inks pixel i and fully inks i + 2.
    for (int i = 0; i < bold.size(); i++) {
      byte[] t = new byte[SIDE * SIDE];
      t[i + 2] = (byte) 255;
      t[i] = (byte) 128;
      bold.set(i, t);
    }
    same(bold, 'l', 'I');
    Lookalikes.Result r =
        Lookalikes.analyse(
            List.of(
                new Lookalikes.Face("Regular", 0.5, regular),
                new Lookalikes.Face("Bold", 0.5, bold)),
            0);
    assertEquals(1, r.groups().size());
    assertEquals(List.of("Bold"), r.groups().get(0).faces());
    assertEquals(1 - 0.5 / 62, r.positionCeiling(Lookalikes::uniform), 1e-12);
  }

  @Test
  void theMixFindsTheSamePairsAsTheFullComparison() {
    List<byte[]> regular = distinctTiles();
    same(regular, 'l', 'I');
    List<byte[]> other = distinctTiles();
    other.set(CHARS.indexOf('q'), regular.get(CHARS.indexOf('g')).clone());
    List<Lookalikes.Face> faces =
        List.of(new Lookalikes.Face("A", 0.5, regular), new Lookalikes.Face("B", 0.5, other));
    Lookalikes.Result full = Lookalikes.analyse(faces, 0);
    Lookalikes.Result mix = Lookalikes.analyseMix(faces, 0);
    assertEquals(full.clusters().size(), mix.clusters().size());
    assertEquals(
        full.positionCeiling(Lookalikes::uniform), mix.positionCeiling(Lookalikes::uniform), 1e-12);
    // l=I in A; g of A = q of B; and every character of B equal to its twin in A joins them.
    assertEquals(
        List.of("gq", "lI"), mix.groups().stream().map(Lookalikes.Group::characters).toList());
    assertTrue(mix.nearest().stream().allMatch(p -> p.distance() == 0), mix.nearest().toString());
  }

  @Test
  void faintCharactersHaveLittleInkForTheirFace() {
    List<byte[]> tiles = distinctTiles();
    tiles.set(CHARS.indexOf('j'), new byte[SIDE * SIDE]);
    byte[] half = new byte[SIDE * SIDE];
    half[5] = (byte) 255;
    tiles.set(CHARS.indexOf('J'), half);
    Lookalikes.Face face = new Lookalikes.Face("Face", 1, tiles);
    assertEquals(2.0, Lookalikes.ink(tiles.get(0)), 1e-12);
    // Median ink 2 pixels: j (0) is under a quarter of it, J (1) under 0.6 of it.
    assertEquals("j", Lookalikes.faint(face, 0.25));
    assertEquals("jJ", Lookalikes.faint(face, 0.6));
  }

  private static Lookalikes.Tile tile(char c) {
    return new Lookalikes.Tile(0, c);
  }
}
