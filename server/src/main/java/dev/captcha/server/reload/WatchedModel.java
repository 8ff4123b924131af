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
 * The ONNX model of a server started with a watched model file: a {@link HotSwapModel} fed by a
 * {@link ModelFileWatcher} of that file. Created and closed by main; thread-safe.
 */
public final class WatchedModel implements AutoCloseable {
  private final HotSwapModel<float[], Prediction> model;
  private final ModelFileWatcher watcher;

  private WatchedModel(HotSwapModel<float[], Prediction> model, ModelFileWatcher watcher) {
    this.model = model;
    this.watcher = watcher;
  }

  /**
   * Takes {@code initial}, loaded from {@code file}, into service; it is then owned and closed by
   * the result. Polling starts with {@link #start}.
   *
   * @param scheduler runs the polls and the reloads (load and warm-up take a while): give it a
   *     thread of its own, not the batcher's timer
   * @throws IOException when {@code file} cannot be read
   */
  public static WatchedModel create(
      OnnxModel initial,
      Path file,
      EngineOptions options,
      int instances,
      int maxBatchSize,
      Duration interval,
      DelayScheduler scheduler,
      ReloadListener listener)
      throws IOException {
    HotSwapModel<float[], Prediction> model =
        new HotSwapModel<>(
            OnnxServedModels.of(initial, maxBatchSize),
            OnnxServedModels.loader(options, maxBatchSize),
            instances,
            maxBatchSize,
            new float[initial.metadata().input().itemSize()],
            listener);
    try {
      return new WatchedModel(model, new ModelFileWatcher(file, model, interval, scheduler));
    } catch (IOException | RuntimeException e) {
      model.close();
      throw e;
    }
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

  /** Starts watching the file; call it once the server serves. */
  public void start() {
    watcher.start();
  }

  /** Stops watching and releases the model once its running batches finish. */
  @Override
  public void close() {
    watcher.close();
    model.close();
  }
}
