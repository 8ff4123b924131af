package dev.captcha.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

class DurationConverterTest {

  @Test
  void shortAndIsoForms() {
    DurationConverter c = new DurationConverter();
    assertEquals(Duration.ofNanos(1500), c.convert("1.5us"));
    assertEquals(Duration.ofMillis(250), c.convert("250ms"));
    assertEquals(Duration.ofMillis(1500), c.convert("1.5s"));
    assertEquals(Duration.ofSeconds(5), c.convert("5 s"));
    assertEquals(Duration.ofMinutes(2), c.convert("2m"));
    assertEquals(Duration.ofHours(1), c.convert("1h"));
    assertEquals(Duration.ofMillis(500), c.convert("PT0.5S"));
    assertEquals(Duration.ofSeconds(5), c.convert("pt5s"));
    assertEquals(Duration.ZERO, c.convert("0"));
    assertEquals(Duration.ZERO, c.convert("none"));
    assertEquals(Duration.ZERO, c.convert("0ms"));
    assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("fast"));
  }

  @Test
  void positiveRefusesZero() {
    DurationConverter.Positive c = new DurationConverter.Positive();
    assertEquals(Duration.ofSeconds(1), c.convert("1s"));
    assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("0s"));
    assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("PT-1S"));
  }

  @Test
  void formatsExactly() {
    assertEquals("5ms", DurationConverter.format(Duration.ofMillis(5)));
    assertEquals("10s", DurationConverter.format(Duration.ofSeconds(10)));
    assertEquals("30m", DurationConverter.format(Duration.ofMinutes(30)));
    assertEquals("0s", DurationConverter.format(Duration.ZERO));
    assertEquals("PT0.0000015S", DurationConverter.format(Duration.ofNanos(1500)));
  }
}
