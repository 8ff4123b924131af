package dev.captcha.server.http;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.google.protobuf.Duration;
import dev.captcha.api.v1.BatchingSettings;
import dev.captcha.api.v1.ModelInfo;
import dev.captcha.model.Candidate;
import dev.captcha.model.Prediction;
import dev.captcha.server.metrics.ServerMetrics;
import dev.captcha.server.solve.Solution;
import java.util.List;

/**
 * The JSON bodies of the HTTP adapter, the same content as the gRPC messages with durations in
 * milliseconds (openapi.json describes them); stateless and thread-safe.
 */
final class JsonBodies {
  static final ObjectMapper MAPPER = new ObjectMapper();

  private JsonBodies() {}

  /** A solved image: text, confidence, per-position candidates and timing. */
  static ObjectNode solution(Solution s) {
    ObjectNode o = MAPPER.createObjectNode();
    Prediction p = s.prediction();
    o.put("text", p.text());
    o.put("confidence", p.confidence());
    ArrayNode positions = o.putArray("positions");
    for (List<Candidate> position : p.positions()) {
      ArrayNode candidates = positions.addObject().putArray("candidates");
      for (Candidate c : position) {
        candidates.addObject().put("character", c.character()).put("probability", c.probability());
      }
    }
    ObjectNode timing = o.putObject("timing");
    timing.put("preprocessMs", millis(s.preprocessNanos()));
    timing.put("queueMs", millis(s.queueNanos()));
    timing.put("inferenceMs", millis(s.inferenceNanos()));
    timing.put("batchSize", s.batchSize());
    return o;
  }

  /** An error body: {@code {"error": {"status", "code", "message"[, "retryAfterMs"]}}}. */
  static ObjectNode error(HttpFailure f) {
    ObjectNode o = MAPPER.createObjectNode();
    o.set("error", errorDetail(f));
    return o;
  }

  static ObjectNode errorDetail(HttpFailure f) {
    ObjectNode e = MAPPER.createObjectNode();
    e.put("status", f.status());
    e.put("code", f.code());
    e.put("message", f.message());
    if (f.retryAfterMillis() > 0) {
      e.put("retryAfterMs", f.retryAfterMillis());
    }
    return e;
  }

  /** The served model and the batching settings in force, as GetModelInfo reports them. */
  static ObjectNode model(ModelInfo m) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("name", m.getName());
    o.put("version", m.getVersion());
    o.put("charset", m.getCharset());
    o.put("captchaLength", m.getCaptchaLength());
    o.putObject("inputShape")
        .put("channels", m.getInputShape().getChannels())
        .put("height", m.getInputShape().getHeight())
        .put("width", m.getInputShape().getWidth());
    if (m.getValidationAccuracy() > 0) {
      o.put("validationAccuracy", m.getValidationAccuracy());
    }
    o.put("executionProvider", m.getExecutionProvider());
    o.put("decoder", m.getDecoder());
    o.put("precision", m.getPrecision());
    BatchingSettings b = m.getBatching();
    ObjectNode batching = o.putObject("batching");
    batching.put("maxBatchSize", b.getMaxBatchSize());
    batching.put("maxQueueDelayMs", millis(b.getMaxQueueDelay()));
    ArrayNode preferred = batching.putArray("preferredBatchSizes");
    b.getPreferredBatchSizesList().forEach(preferred::add);
    batching.put("instances", b.getInstances());
    batching.put("maxQueueLength", b.getMaxQueueLength());
    batching.put("defaultTimeoutMs", millis(b.getDefaultTimeout()));
    batching.put("mode", b.getMode());
    batching.put("latencyBudgetMs", millis(b.getLatencyBudget()));
    ObjectNode metadata = o.putObject("metadata");
    m.getMetadataMap().entrySet().stream()
        .sorted(java.util.Map.Entry.comparingByKey())
        .forEach(e -> metadata.put(e.getKey(), e.getValue()));
    return o;
  }

  /** The running totals of the batch-size and server-time histograms. */
  static ObjectNode totals(ServerMetrics.Totals t, int queueDepth) {
    ObjectNode o = MAPPER.createObjectNode();
    o.set("batchSize", histogram(t.batchSize()));
    o.set("serverTimeSeconds", histogram(t.serverTime()));
    o.put("queueDepth", queueDepth);
    return o;
  }

  private static JsonNode histogram(ServerMetrics.HistogramTotals h) {
    ObjectNode o = MAPPER.createObjectNode();
    o.put("count", h.count());
    o.put("sum", h.sum());
    ArrayNode buckets = o.putArray("buckets");
    for (int i = 0; i < h.counts().length; i++) {
      ObjectNode b = buckets.addObject();
      if (Double.isInfinite(h.upperBounds()[i])) {
        b.putNull("le");
      } else {
        b.put("le", h.upperBounds()[i]);
      }
      b.put("count", h.counts()[i]);
    }
    return o;
  }

  private static double millis(long nanos) {
    return Math.max(0, nanos) / 1e6;
  }

  private static double millis(Duration d) {
    return d.getSeconds() * 1e3 + d.getNanos() / 1e6;
  }
}
