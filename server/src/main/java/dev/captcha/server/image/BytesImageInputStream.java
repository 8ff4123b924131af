package dev.captcha.server.image;

import java.util.Objects;
import javax.imageio.stream.ImageInputStreamImpl;

/**
 * An image input stream over a byte array already in memory: reads and seeks go straight to the
 * array, with no cache to fill. Not thread-safe, as no image input stream is.
 */
final class BytesImageInputStream extends ImageInputStreamImpl {
  private final byte[] bytes;

  BytesImageInputStream(byte[] bytes) {
    this.bytes = Objects.requireNonNull(bytes, "bytes");
  }

  @Override
  public int read() {
    bitOffset = 0;
    return streamPos < bytes.length ? bytes[(int) streamPos++] & 0xff : -1;
  }

  @Override
  public int read(byte[] b, int off, int len) {
    Objects.checkFromIndexSize(off, len, b.length);
    bitOffset = 0;
    if (len == 0) {
      return 0;
    }
    if (streamPos >= bytes.length) {
      return -1;
    }
    int n = (int) Math.min(len, bytes.length - streamPos);
    System.arraycopy(bytes, (int) streamPos, b, off, n);
    streamPos += n;
    return n;
  }

  @Override
  public long length() {
    return bytes.length;
  }

  /**
   * Nothing to release: the array is the caller's. Empty, so the collector need not finalize each
   * stream, where the superclass's finalizer (Java 17) would close it.
   */
  @Override
  @SuppressWarnings({"deprecation", "removal"})
  protected void finalize() {}
}
