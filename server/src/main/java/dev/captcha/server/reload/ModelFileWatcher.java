package dev.captcha.server.reload;

import dev.captcha.server.batch.DelayScheduler;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
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
  private final PollLoop loop;

  private final Object lock = new Object();
  // Guarded by lock.
  private FileStamp seen;
  private FileStamp pending;
  private String inForce;
  private String refused;
  private boolean missingReported;

  /**
   * Creates a watcher of {@code file}, whose present content is taken as the one in force.
   *
   * @throws IOException when the file cannot be read now
   */
  public ModelFileWatcher(Path file, Reloadable target, Duration interval, DelayScheduler scheduler)
      throws IOException {
    this.file = Objects.requireNonNull(file, "file");
    this.target = Objects.requireNonNull(target, "target");
    this.loop = new PollLoop("model file " + file, interval, scheduler, this::poll);
    this.seen = FileStamp.of(file);
    this.inForce = FileStamp.sha256(file);
  }

  /** Starts polling every interval until {@link #close}. */
  public void start() {
    loop.start();
  }

  /** Checks the file once, reloading it if its content changed and has settled. */
  void poll() {
    synchronized (lock) {
      if (loop.isClosed()) {
        return;
      }
      FileStamp now;
      try {
        now = FileStamp.of(file);
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
        hash = FileStamp.sha256(file);
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
    loop.close();
  }
}
