package dev.captcha.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EvalMetricsTest {

  @Test
  void confusableFoldingMergesZeroOhAndOneElEye() {
    assertEquals("0001111", EvalMetrics.confusableFold("0Oo1lIi"));
    assertEquals("abc", EvalMetrics.confusableFold("ABC"));
  }

  @Test
  void countsSequencesCharactersAndConfusions() {
    EvalMetrics m = new EvalMetrics();
    m.add("abcd", "abcd");
    m.add("Oxyz", "0xyz");
    m.add("Oxyz", "0xYz");
    m.add("abcd", "abc");
    assertEquals(4, m.items());
    assertEquals(1, m.exact());
    assertEquals(1, m.caseFolded());
    assertEquals(3, m.confusableFolded()); // abcd, and Oxyz read as 0xyz and 0xYz
    assertEquals(16, m.chars());
    assertEquals(4 + 3 + 2 + 3, m.charsRight());
    assertEquals(1, m.lengthMismatches());
    assertEquals(List.of(new EvalMetrics.Confusion("O", "0", 2), new EvalMetrics.Confusion("y", "Y", 1)),
        m.worstConfusions(5));
    assertEquals(1, m.worstConfusions(1).size());
  }

  @Test
  void labelsComeFromIndexUnderscoreTextNames() {
    assertEquals("aB3x", EvalCommand.label(Path.of("dir/17_aB3x.png")));
    assertEquals("a_b", EvalCommand.label(Path.of("0_a_b.PNG")));
    assertNull(EvalCommand.label(Path.of("aB3x.png")));
    assertNull(EvalCommand.label(Path.of("x_aB3x.png")));
  }

  @Test
  void durationsParseInShortAndIsoForms() {
    assertEquals(Duration.ofMillis(250), DurationConverter.parse("250ms"));
    assertEquals(Duration.ofMillis(1500), DurationConverter.parse("1.5s"));
    assertEquals(Duration.ofMinutes(2), DurationConverter.parse("2m"));
    assertEquals(Duration.ofSeconds(5), DurationConverter.parse("PT5S"));
    assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("0s"));
    assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("five"));
  }
}
