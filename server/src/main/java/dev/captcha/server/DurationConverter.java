package dev.captcha.server;

import java.time.Duration;
import java.util.Locale;
import picocli.CommandLine;

/** Parses durations such as {@code 250ms}, {@code 2s}, {@code 1m} or ISO-8601; stateless. */
final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  @Override
  public Duration convert(String value) {
    String v = value.trim().toLowerCase(Locale.ROOT);
    try {
      if (v.startsWith("p")) {
        return Duration.parse(v.toUpperCase(Locale.ROOT));
      }
      if (v.endsWith("ms")) {
        return Duration.ofNanos(Math.round(Double.parseDouble(v.substring(0, v.length() - 2)) * 1e6));
      }
      if (v.endsWith("us")) {
        return Duration.ofNanos(Math.round(Double.parseDouble(v.substring(0, v.length() - 2)) * 1e3));
      }
      if (v.endsWith("s")) {
        return Duration.ofNanos(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 1e9));
      }
      if (v.endsWith("m")) {
        return Duration.ofSeconds(Math.round(Double.parseDouble(v.substring(0, v.length() - 1)) * 60));
      }
    } catch (RuntimeException e) {
      // fall through to the message below
    }
    throw new CommandLine.TypeConversionException(
        "'" + value + "' is not a duration (examples: 5ms, 2s, 1m, PT0.5S)");
  }

  /** The shortest of {@code 5ms}, {@code 10s}, {@code 1m} that is exact, else ISO-8601. */
  static String format(Duration d) {
    if (d.toNanos() % 60_000_000_000L == 0 && !d.isZero()) {
      return d.toMinutes() + "m";
    }
    if (d.toNanos() % 1_000_000_000L == 0) {
      return d.toSeconds() + "s";
    }
    if (d.toNanos() % 1_000_000L == 0) {
      return d.toMillis() + "ms";
    }
    return d.toString();
  }
}
