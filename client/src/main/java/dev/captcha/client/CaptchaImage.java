package dev.captcha.client;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One captcha to solve in a batch: an identifier and its encoded bytes, held in memory or read from
 * a file only when it is sent; immutable and thread-safe.
 */
public final class CaptchaImage {
  private final String id;
  private final byte[] bytes;
  private final Path path;

  private CaptchaImage(String id, byte[] bytes, Path path) {
    this.id = Objects.requireNonNull(id, "id");
    this.bytes = bytes;
    this.path = path;
  }

  /** An image held in memory (the array is copied). */
  public static CaptchaImage of(String id, byte[] encoded) {
    return new CaptchaImage(id, Objects.requireNonNull(encoded, "encoded").clone(), null);
  }

  /** An image file, read when it is sent; its id is the path as given. */
  public static CaptchaImage of(Path file) {
    return new CaptchaImage(file.toString(), null, file);
  }

  /** The caller's identifier. */
  public String id() {
    return id;
  }

  /** The file this image comes from, or null when it is held in memory. */
  public Path path() {
    return path;
  }

  /** The encoded bytes (a file is read now). */
  byte[] read() throws IOException {
    return path != null ? Files.readAllBytes(path) : bytes;
  }

  @Override
  public String toString() {
    return id;
  }
}
