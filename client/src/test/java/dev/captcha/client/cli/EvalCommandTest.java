package dev.captcha.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.captcha.cli.DurationConverter;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class EvalCommandTest {

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
    assertThrows(
        CommandLine.TypeConversionException.class,
        () -> new DurationConverter.Positive().convert("0s"));
    assertThrows(CommandLine.TypeConversionException.class, () -> DurationConverter.parse("five"));
  }
}
