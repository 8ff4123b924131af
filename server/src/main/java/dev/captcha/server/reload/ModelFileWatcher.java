package dev.captcha.server.reload;

import dev.captcha.server.batch.DelayScheduler;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a model file and hands it to a {@link Reloadable} when its content changes. A change is
 * seen through the file's modification time, size and identity; it is acted on once the file has
 * stayed the same for one poll interval (so a file being copied in place is not read half written),
 * and only if its SHA-256 differs from the content in force. A refused content is not retried until
 * the file changes again. Thread-safe; polls run one at a time on the scheduler.
 */
public final class ModelFileWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelFileWatcher.class);

  private final Path file;
  private final Reloadable target;
  private final long intervalNanos;
  private final DelayScheduler scheduler;

  private final Object lock = new Object();
  // Guarded by lock.
  private Stamp seen;
  private Stamp pending;
  private String inForce;
  private String refused;
  private boolean missingReported;
  private boolean closed;
  private DelayScheduler.Cancellable next;

  /**
   * Creates a watcher of {@code file}, whose present content is taken as the one in force.
   *
   * @throws IOException when the file cannot be read now
   */
  public ModelFileWatcher(Path file, Reloadable target, Duration interval, DelayScheduler scheduler)
      throws IOException {
    this.file = Objects.requireNonNull(file, "file");
    this.target = Objects.requireNonNull(target, "target");
    Objects.requireNonNull(interval, "interval");
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("poll interval must be positive, got " + interval);
    }
    this.intervalNanos = interval.toNanos();
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.seen = stamp(file);
    this.inForce = sha256(file);
  }

  /** Starts polling every interval until {@link #close}. */
  public void start() {
    synchronized (lock) {
      if (!closed && next == null) {
        next = scheduler.schedule(this::pollAndReschedule, intervalNanos);
        log.info("watching model file {} every {} ms", file, intervalNanos / 1_000_000);
      }
    }
  }

  private void pollAndReschedule() {
    try {
      poll();
    } catch (RuntimeException e) {
      log.error("polling model file {} failed", file, e);
    } finally {
      synchronized (lock) {
        if (!closed) {
          next = scheduler.schedule(this::pollAndReschedule, intervalNanos);
        }
      }
    }
  }

  /** Checks the file once, reloading it if its content changed and has settled. */
  void poll() {
    synchronized (lock) {
      if (closed) {
        return;
      }
      Stamp now;
      try {
        now = stamp(file);
      } catch (NoSuchFileException e) {
        if (!missingReported) {
          log.warn("model file {} is missing; the model in force keeps serving", file);
          missingReported = true;
        }
        pending = null;
        return;
      } catch (IOException e) {
        log.warn("cannot read the attributes of model file {}: {}", file, e.toString());
        return;
      }
      missingReported = false;
      if (now.equals(seen)) {
        pending = null;
        return;
      }
      if (!now.equals(pending)) {
        pending = now;
        return;
      }
      pending = null;
      String hash;
      try {
        hash = sha256(file);
      } catch (IOException e) {
        log.warn("cannot read model file {}: {}", file, e.toString());
        return;
      }
      seen = now;
      if (hash.equals(inForce) || hash.equals(refused)) {
        return;
      }
      try {
        log.info("model file {} changed (sha256 {}); loading it", file, hash);
        target.reload(file);
        inForce = hash;
        refused = null;
      } catch (ModelRefusedException e) {
        refused = hash;
      } catch (RuntimeException e) {
        log.error("reloading model file {} failed; the model in force keeps serving", file, e);
        refused = hash;
      }
    }
  }

  /** Stops polling; a poll already running completes. */
  @Override
  public void close() {
    synchronized (lock) {
      closed = true;
      if (next != null) {
        next.cancel();
        next = null;
      }
    }
  }

  private static Stamp stamp(Path file) throws IOException {
    BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class);
    return new Stamp(a.lastModifiedTime(), a.size(), a.fileKey());
  }

  static String sha256(Path file) throws IOException {
    MessageDigest digest;
    try {
      digest = MessageDigest.getInstance("SHA-256");
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is not available", e);
    }
    byte[] buffer = new byte[1 << 16];
    try (InputStream in = Files.newInputStream(file)) {
      for (int n; (n = in.read(buffer)) > 0; ) {
        digest.update(buffer, 0, n);
      }
    }
    return HexFormat.of().formatHex(digest.digest());
  }

  /** What identifies a version of the file without reading it. */
  private record Stamp(FileTime modified, long size, Object key) {}
}
