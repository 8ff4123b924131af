package dev.captcha.server;

import dev.captcha.model.ModelFormatException;
import dev.captcha.model.ModelMetadata;
import dev.captcha.model.Prediction;
import dev.captcha.model.Preprocessor;
import dev.captcha.server.batch.BatchEngine;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.batch.NanoClock;
import dev.captcha.server.batch.OutcomeListener;
import dev.captcha.server.engine.EngineException;
import dev.captcha.server.engine.EngineOptions;
import dev.captcha.server.engine.OnnxModel;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.metrics.MeteredEngine;
import dev.captcha.server.metrics.ServerMetrics;
import dev.captcha.server.reload.ReloadListener;
import dev.captcha.server.reload.ServingModel;
import dev.captcha.server.solve.ModelSlot;
import dev.captcha.server.solve.ModelSummary;
import dev.captcha.server.solve.Solver;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Opens a model file as a served model: loads and validates it, gives it its own engine instances,
 * worker threads and micro-batcher (warmed up at every batch size), and a solver sharing the
 * server's image decoding; the result is a {@link ModelSlot} for the registry. Immutable and
 * thread-safe.
 */
final class ModelSlots {
  private static final Logger log = LoggerFactory.getLogger(ModelSlots.class);

  private final BatcherSettings settings;
  private final Map<String, Integer> instancesByModel;
  private final EngineOptions engineOptions;
  private final ImageDecoder decoder;
  private final ThreadPoolExecutor preprocess;
  private final DelayScheduler batchTimer;
  private final ServerMetrics metrics;
  private final String defaultModel;

  /**
   * @param instancesByModel model instances of the models named in it; the others have {@code
   *     settings.instances()}
   * @param defaultModel the model also reported by the metric {@code captcha_model_info}
   */
  ModelSlots(
      BatcherSettings settings,
      Map<String, Integer> instancesByModel,
      EngineOptions engineOptions,
      ImageDecoder decoder,
      ThreadPoolExecutor preprocess,
      DelayScheduler batchTimer,
      ServerMetrics metrics,
      String defaultModel) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.instancesByModel = Map.copyOf(instancesByModel);
    this.engineOptions = Objects.requireNonNull(engineOptions, "engineOptions");
    this.decoder = Objects.requireNonNull(decoder, "decoder");
    this.preprocess = Objects.requireNonNull(preprocess, "preprocess");
    this.batchTimer = Objects.requireNonNull(batchTimer, "batchTimer");
    this.metrics = Objects.requireNonNull(metrics, "metrics");
    this.defaultModel = Objects.requireNonNull(defaultModel, "defaultModel");
  }

  /** The batching settings of the model {@code name}. */
  BatcherSettings settingsOf(String name) {
    Integer instances = instancesByModel.get(name);
    return instances == null ? settings : settings.withInstances(instances);
  }

  /** A model taken into service, with the hot-swappable model behind it. */
  record Opened(ModelSlot slot, ServingModel served) {}

  /**
   * Loads {@code file} as the model {@code name} and readies it for service.
   *
   * @throws ModelFormatException when its metadata is missing or invalid
   * @throws EngineException when ONNX Runtime cannot load or run it
   * @throws Exception when the warm-up fails
   */
  Opened open(String name, Path file) throws Exception {
    BatcherSettings s = settingsOf(name);
    long start = System.nanoTime();
    OnnxModel onnx = OnnxModel.load(file, engineOptions);
    ServingModel served =
        ServingModel.create(
            onnx,
            file,
            engineOptions,
            s.instances(),
            s.maxBatchSize(),
            new ReloadListener() {
              @Override
              public void swapped(ModelMetadata m, String provider) {
                publish(name, m, provider);
              }
            });
    ExecutorService workers =
        Executors.newFixedThreadPool(s.instances(), daemonThreads("batch-worker-" + name));
    try {
      // Warm-up batches stay out of the batch metrics, also for a model added while serving.
      AtomicBoolean warm = new AtomicBoolean();
      List<BatchEngine<float[], Prediction>> engines = new ArrayList<>();
      for (BatchEngine<float[], Prediction> e : served.engines()) {
        BatchEngine<float[], Prediction> metered =
            new MeteredEngine<>(e, metrics, NanoClock.SYSTEM);
        engines.add(inputs -> warm.get() ? metered.infer(inputs) : e.infer(inputs));
      }
      OutcomeListener outcomes = metrics.outcomes(name);
      MicroBatcher<float[], Prediction> batcher =
          new MicroBatcher<>(s, engines, NanoClock.SYSTEM, batchTimer, workers, outcomes);
      batcher.warmUp(new float[onnx.metadata().input().itemSize()]);
      warm.set(true);
      Solver solver =
          new Solver(
              decoder, new Preprocessor(onnx.metadata().input()), batcher, preprocess, outcomes);
      ModelSlot slot =
          new ModelSlot(
              name,
              solver,
              () -> new ModelSummary(served.metadata(), served.executionProvider(), s),
              () -> {
                workers.shutdown();
                served.close();
                metrics.removeServedModel(name);
              });
      publish(name, onnx.metadata(), onnx.executionProvider());
      log.info(
          "model {} ({} {}) from {} on {}: {} instance(s), warmed up at batch sizes 1..{} in {} ms;"
              + " batch cost ~{} us + {} us per image",
          name,
          onnx.metadata().name(),
          onnx.metadata().version(),
          file,
          onnx.executionProvider(),
          s.instances(),
          s.maxBatchSize(),
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start),
          Math.round(batcher.estimatedBatchNanos(0) / 1e3),
          Math.round((batcher.estimatedBatchNanos(1) - batcher.estimatedBatchNanos(0)) / 1e3));
      return new Opened(slot, served);
    } catch (Exception | Error e) {
      workers.shutdownNow();
      served.close();
      throw e;
    }
  }

  private void publish(String name, ModelMetadata m, String provider) {
    metrics.setServedModel(name, m.name(), m.version(), provider);
    if (name.equals(defaultModel)) {
      metrics.setModelInfo(m.name(), m.version(), provider);
    }
  }

  static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
