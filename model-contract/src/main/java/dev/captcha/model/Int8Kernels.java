package dev.captcha.model;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Set;

/**
 * Whether this CPU runs ONNX Runtime's int8 (u8 x s8) kernels without losing accuracy. On x86 CPUs
 * without 8-bit dot-product instructions (AVX-512 VNNI or AVX-VNNI) those kernels sum products in
 * 16-bit lanes, which saturate with the bundled int8 file's 8-bit weights: measured on an AVX2-only
 * AMD EPYC host, the file read 73.7% of the captchas the float file reads at 96%.
 */
public final class Int8Kernels {

  private static final Set<String> DOT_PRODUCT_FLAGS = Set.of("avx512_vnni", "avx_vnni");

  private Int8Kernels() {}

  /**
   * True unless this is an x86 CPU whose flags (Linux's {@code /proc/cpuinfo}) lack both 8-bit
   * dot-product instructions; true where the flags cannot be read (nothing known against it).
   */
  public static boolean accurateHere() {
    String arch = System.getProperty("os.arch", "").toLowerCase(Locale.ROOT);
    if (!(arch.equals("amd64") || arch.equals("x86_64") || arch.equals("x86"))) {
      return true;
    }
    try {
      return accurateWith(Files.readString(Path.of("/proc/cpuinfo")));
    } catch (IOException | RuntimeException e) {
      return true;
    }
  }

  /** Whether an x86 CPU described by {@code cpuinfo} (its "flags" lines) has a dot-product set. */
  static boolean accurateWith(String cpuinfo) {
    boolean sawFlags = false;
    for (String line : cpuinfo.split("\n")) {
      if (!line.startsWith("flags")) {
        continue;
      }
      sawFlags = true;
      int colon = line.indexOf(':');
      for (String flag : line.substring(colon + 1).trim().split("\\s+")) {
        if (DOT_PRODUCT_FLAGS.contains(flag)) {
          return true;
        }
      }
    }
    return !sawFlags;
  }
}
