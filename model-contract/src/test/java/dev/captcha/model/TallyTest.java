package dev.captcha.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class TallyTest {

  @Test
  void countsExactFoldedAndMergedSequences() {
    Tally t = new Tally();
    t.add("aB3x", "aB3x"); // exact
    t.add("aB3x", "ab3x"); // case only
    t.add("O1lI", "0I1l"); // look-alikes only
    t.add("o0Il", "O011"); // look-alikes and case
    t.add("abcd", "abce"); // a real mistake
    assertEquals(5, t.images());
    assertEquals(0.2, t.exactAccuracy(), 1e-12);
    assertEquals(0.4, t.caseFoldedAccuracy(), 1e-12);
    assertEquals(0.8, t.mergedAccuracy(), 1e-12);
    // characters right at their position: 4 + 3 + 0 + 1 ("0" at 1) + 3 of 20
    assertEquals(11 / 20.0, t.characterAccuracy(), 1e-12);
  }

  @Test
  void foldingAndMerging() {
    assertEquals("ab3x", Tally.fold("aB3X"));
    assertEquals("0001111", Tally.merge("0Oo1lIL"));
    assertEquals("1", Tally.merge("i"));
    assertEquals("q9", Tally.merge("Q9"));
  }

  @Test
  void confusionsAreCountedPerPositionAndSortedByFrequency() {
    Tally t = new Tally();
    t.add("abcd", "abce");
    t.add("xxxd", "xxxe");
    t.add("O000", "0000");
    t.add("lIlI", "1I1I");
    assertEquals(
        List.of(
            new Tally.Confusion("d", "e", 2),
            new Tally.Confusion("l", "1", 2),
            new Tally.Confusion("O", "0", 1)),
        t.topConfusions(10));
    assertEquals(List.of(new Tally.Confusion("d", "e", 2)), t.topConfusions(1));
    assertEquals("d->e 2", t.topConfusions(1).get(0).toString());
  }

  @Test
  void aShorterPredictionCostsTheMissingCharacters() {
    Tally t = new Tally();
    t.add("abcde", "abcd");
    assertEquals(0, t.exactAccuracy());
    assertEquals(0.8, t.characterAccuracy(), 1e-12);
    assertEquals(List.of(), t.topConfusions(5));
  }

  @Test
  void addAllMergesTallies() {
    Tally a = new Tally();
    a.add("abcd", "abcd");
    Tally b = new Tally();
    b.add("abcd", "abce");
    a.addAll(b);
    assertEquals(2, a.images());
    assertEquals(0.5, a.exactAccuracy(), 1e-12);
    assertEquals(7 / 8.0, a.characterAccuracy(), 1e-12);
    assertEquals(List.of(new Tally.Confusion("d", "e", 1)), a.topConfusions(3));
  }

  @Test
  void emptyTallyReportsZero() {
    Tally t = new Tally();
    assertEquals(0, t.exactAccuracy());
    assertEquals(0, t.characterAccuracy());
  }

  @Test
  void lengthMismatchesAndConfusionsOfEqualLengthOnly() {
    Tally t = new Tally();
    t.add("abcd", "abcd");
    t.add("Oxyz", "0xyz");
    t.add("Oxyz", "0xYz");
    t.add("abcd", "abc");
    assertEquals(4, t.images());
    assertEquals(1, t.exact());
    assertEquals(1, t.caseFolded());
    assertEquals(3, t.merged()); // abcd, and Oxyz read as 0xyz and 0xYz
    assertEquals(16, t.characters());
    assertEquals(4 + 3 + 2 + 3, t.characterHits());
    assertEquals(1, t.lengthMismatches());
    assertEquals(
        List.of(new Tally.Confusion("O", "0", 2), new Tally.Confusion("y", "Y", 1)),
        t.topConfusions(5));
  }

  @Test
  void mergingJoinsEveryLookAlikeOfTheDocumentedGroups() {
    assertEquals("0001111", Tally.merge("0Oo1lIi"));
    assertTrue(Tally.mergedMatch("Il0", "1LO"));
    assertTrue(Tally.foldedMatch("aBc", "AbC"));
  }
}
