package dev.captcha.server.reload;

import dev.captcha.model.ModelMetadata;
import dev.captcha.model.Prediction;
import dev.captcha.server.batch.BatchEngine;
import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.engine.EngineOptions;
import dev.captcha.server.engine.OnnxModel;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * The ONNX model a server serves: always a {@link HotSwapModel}, fed by a {@link ModelFileWatcher}
 * of its file when {@link #watch} was called; a fixed model is one that is never watched. Created
 * and closed by main; thread-safe.
 */
public final class ServingModel implements AutoCloseable {
  private final HotSwapModel<float[], Prediction> model;
  private final Path file;
  private ModelFileWatcher watcher; // guarded by this

  private ServingModel(HotSwapModel<float[], Prediction> model, Path file) {
    this.model = model;
    this.file = file;
  }

  /**
   * Takes {@code initial}, loaded from {@code file}, into service; it is then owned and closed by
   * the result.
   */
  public static ServingModel create(
      OnnxModel initial,
      Path file,
      EngineOptions options,
      int instances,
      int maxBatchSize,
      ReloadListener listener) {
    return new ServingModel(
        new HotSwapModel<>(
            OnnxServedModels.of(initial, maxBatchSize),
            OnnxServedModels.loader(options, maxBatchSize),
            instances,
            maxBatchSize,
            new float[initial.metadata().input().itemSize()],
            listener),
        file);
  }

  /**
   * Watches the file from now on, reloading it when it changes.
   *
   * @param scheduler runs the polls and the reloads (load and warm-up take a while): give it a
   *     thread of its own, not the batcher's timer
   * @throws IOException when the file cannot be read
   */
  public synchronized void watch(Duration interval, DelayScheduler scheduler) throws IOException {
    if (watcher != null) {
      throw new IllegalStateException("already watching " + file);
    }
    watcher = new ModelFileWatcher(file, model, interval, scheduler);
    watcher.start();
  }

  /** One engine per batcher instance, each running on the model in force. */
  public List<BatchEngine<float[], Prediction>> engines() {
    return model.engines();
  }

  /** The metadata of the model in force. */
  public ModelMetadata metadata() {
    return model.metadata();
  }

  /** The execution provider of the model in force. */
  public String executionProvider() {
    return model.executionProvider();
  }

  /** Stops watching and releases the model once its running batches finish. */
  @Override
  public synchronized void close() {
    if (watcher != null) {
      watcher.close();
    }
    model.close();
  }
}
