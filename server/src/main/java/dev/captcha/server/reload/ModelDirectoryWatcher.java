package dev.captcha.server.reload;

import dev.captcha.server.batch.DelayScheduler;
import java.io.IOException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Polls a folder of models (named as {@link ModelDirectory} says) and tells a {@link Target} of
 * each change: a new model file, a model file whose content changed, a model file that was removed.
 * A new or changed file is acted on once it has stayed the same for one poll interval (so a file
 * being copied in is not read half written), and a changed one only if its SHA-256 differs from the
 * content in force. A refused file is not retried until it changes again. Of two files giving the
 * same name, the one first in alphabetical order counts and the other is ignored with a warning.
 * Thread-safe; polls run one at a time on the scheduler.
 */
public final class ModelDirectoryWatcher implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(ModelDirectoryWatcher.class);

  /** What the watcher drives; called on the polling thread, one call at a time. */
  public interface Target {

    /**
     * Takes {@code file} into service as the model {@code name}, replacing the model of that name
     * if there is one.
     *
     * @throws Exception when the file is refused; what served before keeps serving
     */
    void load(String name, Path file) throws Exception;

    /** Takes the model {@code name} out of service: its file was removed. */
    void unload(String name);
  }

  private final Path dir;
  private final Target target;
  private final PollLoop loop;

  private final Object lock = new Object();
  // Guarded by lock.
  private final Map<String, Known> inForce = new HashMap<>();
  private final Map<String, FileStamp> pending = new HashMap<>();
  private final Map<String, FileStamp> refused = new HashMap<>();
  private final Set<String> duplicatesReported = new HashSet<>();

  /**
   * A watcher of {@code dir} whose models in force are {@code initial} (name to file), as loaded at
   * start-up.
   *
   * @throws IOException when one of those files cannot be read now
   */
  public ModelDirectoryWatcher(
      Path dir,
      Map<String, Path> initial,
      Target target,
      Duration interval,
      DelayScheduler scheduler)
      throws IOException {
    this.dir = Objects.requireNonNull(dir, "dir");
    this.target = Objects.requireNonNull(target, "target");
    this.loop = new PollLoop("model folder " + dir, interval, scheduler, this::poll);
    for (Map.Entry<String, Path> e : initial.entrySet()) {
      Path file = e.getValue();
      inForce.put(e.getKey(), new Known(file, FileStamp.of(file), FileStamp.sha256(file)));
    }
  }

  /** Starts polling every interval until {@link #close}. */
  public void start() {
    loop.start();
  }

  /** Looks at the folder once and acts on the changes that have settled. */
  void poll() {
    synchronized (lock) {
      if (loop.isClosed()) {
        return;
      }
      Map<String, Path> present;
      try {
        present = present();
      } catch (IOException e) {
        log.warn("cannot list model folder {}: {}", dir, e.toString());
        return;
      }
      for (String name : List.copyOf(inForce.keySet())) {
        if (!present.containsKey(name)) {
          inForce.remove(name);
          log.info("model file of {} removed from {}; taking the model out of service", name, dir);
          try {
            target.unload(name);
          } catch (RuntimeException e) {
            log.error("taking model {} out of service failed", name, e);
          }
        }
      }
      pending.keySet().retainAll(present.keySet());
      refused.keySet().retainAll(present.keySet());
      for (Map.Entry<String, Path> e : present.entrySet()) {
        consider(e.getKey(), e.getValue());
      }
    }
  }

  private void consider(String name, Path file) {
    FileStamp now;
    try {
      now = FileStamp.of(file);
    } catch (NoSuchFileException e) {
      return; // removed since the listing: the next poll sees it gone
    } catch (IOException e) {
      log.warn("cannot read the attributes of model file {}: {}", file, e.toString());
      return;
    }
    Known known = inForce.get(name);
    if (known != null && known.file.equals(file) && known.stamp.equals(now)) {
      pending.remove(name);
      return;
    }
    if (now.equals(refused.get(name))) {
      return;
    }
    if (!now.equals(pending.get(name))) {
      pending.put(name, now);
      return;
    }
    pending.remove(name);
    String hash;
    try {
      hash = FileStamp.sha256(file);
    } catch (IOException e) {
      log.warn("cannot read model file {}: {}", file, e.toString());
      return;
    }
    if (known != null && hash.equals(known.sha256)) {
      inForce.put(name, new Known(file, now, hash));
      return;
    }
    try {
      log.info(
          "model file {} {} (sha256 {}); loading it as model {}",
          file,
          known == null ? "appeared" : "changed",
          hash,
          name);
      target.load(name, file);
      inForce.put(name, new Known(file, now, hash));
      refused.remove(name);
    } catch (Exception ex) {
      log.warn(
          "model file {} refused{}: {}",
          file,
          known == null ? "" : "; the model in force keeps serving",
          ex.getMessage());
      refused.put(name, now);
    }
  }

  /**
   * The model files present, by name; of two files giving one name, the file in force counts, or
   * else the first in file-name order.
   */
  private Map<String, Path> present() throws IOException {
    Map<String, Path> byName = new LinkedHashMap<>();
    for (Path file : ModelDirectory.modelFiles(dir)) {
      String name = ModelDirectory.modelName(file);
      Path first = byName.get(name);
      if (first == null) {
        byName.put(name, file);
        continue;
      }
      Known known = inForce.get(name);
      Path kept = known != null && known.file.equals(file) ? file : first;
      Path ignored = kept == file ? first : file;
      byName.put(name, kept);
      if (duplicatesReported.add(ignored.getFileName().toString())) {
        log.warn(
            "model file {} ignored: {} already gives the model name '{}'",
            ignored,
            kept.getFileName(),
            name);
      }
    }
    return byName;
  }

  /** The models in force now by name, for tests. */
  Set<String> inForce() {
    synchronized (lock) {
      return Set.copyOf(inForce.keySet());
    }
  }

  /** Stops polling; a poll already running completes. */
  @Override
  public void close() {
    loop.close();
  }

  /** A model file in force. */
  private record Known(Path file, FileStamp stamp, String sha256) {}
}
