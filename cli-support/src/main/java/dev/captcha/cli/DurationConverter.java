package dev.captcha.cli;

import java.time.Duration;
import java.time.format.DateTimeParseException;
import java.util.Locale;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;

/**
 * The command lines' one duration converter: {@code 1.5us}, {@code 250ms}, {@code 2s}, {@code 1m},
 * {@code 1h}, ISO-8601 ({@code PT0.5S}), and {@code 0} or {@code none} for zero; {@link Positive}
 * refuses zero and negative durations. Immutable and thread-safe.
 */
public final class DurationConverter implements CommandLine.ITypeConverter<Duration> {
  private static final Pattern SIMPLE = Pattern.compile("(\\d+(?:\\.\\d+)?)\\s*(us|ms|s|m|h)");

  /** The converter for options that must be positive (a deadline, a duration of a run). */
  public static final class Positive implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      Duration d = parse(value);
      if (d.isNegative() || d.isZero()) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' must be a positive duration");
      }
      return d;
    }
  }

  @Override
  public Duration convert(String value) {
    return parse(value);
  }

  /**
   * Parses {@code value}.
   *
   * @throws CommandLine.TypeConversionException naming the examples when it is no duration
   */
  public static Duration parse(String value) {
    String v = value.strip().toLowerCase(Locale.ROOT);
    if (v.equals("0") || v.equals("none")) {
      return Duration.ZERO;
    }
    Matcher m = SIMPLE.matcher(v);
    if (m.matches()) {
      double amount = Double.parseDouble(m.group(1));
      double nanosPerUnit =
          switch (m.group(2)) {
            case "us" -> 1e3;
            case "ms" -> 1e6;
            case "s" -> 1e9;
            case "m" -> 60e9;
            default -> 3600e9;
          };
      return Duration.ofNanos(Math.round(amount * nanosPerUnit));
    }
    try {
      return Duration.parse(v.toUpperCase(Locale.ROOT));
    } catch (DateTimeParseException e) {
      throw new CommandLine.TypeConversionException(
          "'" + value + "' is not a duration (examples: 500ms, 2s, 1.5s, 1m, 1h, PT0.5S)");
    }
  }

  /** The shortest of {@code 5ms}, {@code 10s}, {@code 1m} that is exact, else ISO-8601. */
  public static String format(Duration d) {
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
