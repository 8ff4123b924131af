package dev.captcha.server.engine;

import java.util.Locale;

/** Where the model runs. */
public enum Device {
  /** The CUDA execution provider where it loads, otherwise the CPU (logged once). */
  AUTO,
  /** The CPU execution provider. */
  CPU,
  /** The CUDA execution provider; start-up fails with a clear message where it cannot load. */
  CUDA;

  /** Parses auto, cpu or cuda, ignoring case. */
  public static Device parse(String s) {
    try {
      return valueOf(s.trim().toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("unknown device '" + s + "' (expected auto, cpu or cuda)");
    }
  }
}
