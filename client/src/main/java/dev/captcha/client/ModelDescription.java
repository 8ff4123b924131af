package dev.captcha.client;

import dev.captcha.api.v1.BatchingSettings;
import dev.captcha.api.v1.ModelInfo;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * What a server serves and how it batches; immutable and thread-safe.
 *
 * @param name model name from its file's metadata
 * @param version model version
 * @param charset the characters the model can output, in class-index order
 * @param captchaLength characters per captcha
 * @param channels input channels
 * @param height input height in pixels
 * @param width input width in pixels
 * @param validationAccuracy exact whole-sequence validation accuracy recorded at training time
 * @param executionProvider the execution provider running the model (for example "CPU")
 * @param decoder how outputs are decoded ("heads" or "ctc")
 * @param batching the batching settings in force
 * @param metadata every metadata entry of the model file, sorted by key
 */
public record ModelDescription(
    String name,
    String version,
    String charset,
    int captchaLength,
    int channels,
    int height,
    int width,
    float validationAccuracy,
    String executionProvider,
    String decoder,
    Batching batching,
    Map<String, String> metadata) {

  /** Copies the metadata into a sorted, unmodifiable map. */
  public ModelDescription {
    metadata = java.util.Collections.unmodifiableMap(new TreeMap<>(metadata));
  }

  /**
   * The server's micro-batcher settings.
   *
   * @param maxBatchSize largest batch sent to the model
   * @param maxQueueDelay longest wait for a batch to fill
   * @param preferredBatchSizes batch sizes dispatched preferentially
   * @param instances model instances running in parallel
   * @param maxQueueLength requests that may wait before new ones are refused
   * @param defaultTimeout deadline applied to calls that carry none
   * @param mode "fixed" or "latency-budget"
   * @param latencyBudget the end-to-end budget in latency-budget mode
   */
  public record Batching(
      int maxBatchSize,
      Duration maxQueueDelay,
      List<Integer> preferredBatchSizes,
      int instances,
      int maxQueueLength,
      Duration defaultTimeout,
      String mode,
      Duration latencyBudget) {
    /** Copies the list. */
    public Batching {
      preferredBatchSizes = List.copyOf(preferredBatchSizes);
    }
  }

  /**
   * The model's numeric precision, {@code float32} or {@code int8} (its metadata entry
   * captcha.precision, which GetModelInfo also reports as ModelInfo.precision; float32 when the
   * file has none).
   */
  public String precision() {
    String p = metadata.get("captcha.precision");
    return p == null || p.isBlank() ? "float32" : p;
  }

  static ModelDescription fromProto(ModelInfo m) {
    BatchingSettings b = m.getBatching();
    Batching batching =
        new Batching(
            b.getMaxBatchSize(),
            Durations.fromProto(b.getMaxQueueDelay()),
            b.getPreferredBatchSizesList(),
            b.getInstances(),
            b.getMaxQueueLength(),
            Durations.fromProto(b.getDefaultTimeout()),
            b.getMode(),
            Durations.fromProto(b.getLatencyBudget()));
    return new ModelDescription(
        m.getName(),
        m.getVersion(),
        m.getCharset(),
        m.getCaptchaLength(),
        m.getInputShape().getChannels(),
        m.getInputShape().getHeight(),
        m.getInputShape().getWidth(),
        m.getValidationAccuracy(),
        m.getExecutionProvider(),
        m.getDecoder(),
        batching,
        m.getMetadataMap());
  }
}
