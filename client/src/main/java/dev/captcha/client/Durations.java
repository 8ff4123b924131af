package dev.captcha.client;

import java.time.Duration;
import java.util.Locale;

/** Conversions between protobuf and Java durations, and a compact human format; stateless. */
final class Durations {
  private Durations() {}

  static Duration fromProto(com.google.protobuf.Duration d) {
    return Duration.ofSeconds(d.getSeconds(), d.getNanos());
  }

  /** Formats as "250ms", "5s", "1.5s" or "2m". */
  static String format(Duration d) {
    long ms = d.toMillis();
    if (ms < 1000) {
      return ms + "ms";
    }
    if (ms % 60_000 == 0) {
      return (ms / 60_000) + "m";
    }
    if (ms % 1000 == 0) {
      return (ms / 1000) + "s";
    }
    return String.format(Locale.ROOT, "%.3gs", ms / 1000.0);
  }
}
