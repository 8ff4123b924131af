package dev.captcha.server.grpc;

import dev.captcha.api.v1.BatchingSettings;
import dev.captcha.api.v1.Candidate;
import dev.captcha.api.v1.InputShape;
import dev.captcha.api.v1.ModelInfo;
import dev.captcha.api.v1.PositionCandidates;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.api.v1.Timing;
import dev.captcha.model.ModelMetadata;
import dev.captcha.model.Prediction;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.solve.Solution;
import java.time.Duration;
import java.util.List;

/** Conversions between the server's types and the API messages; stateless and thread-safe. */
public final class Protos {
  private Protos() {}

  /** Describes the served model and the batching settings in force. */
  public static ModelInfo modelInfo(ModelMetadata m, BatcherSettings s, String executionProvider) {
    ModelInfo.Builder b =
        ModelInfo.newBuilder()
            .setName(m.name())
            .setVersion(m.version())
            .setCharset(m.charset())
            .setCaptchaLength(m.length())
            .setInputShape(
                InputShape.newBuilder()
                    .setChannels(m.input().channels())
                    .setHeight(m.input().height())
                    .setWidth(m.input().width()))
            .setBatching(
                BatchingSettings.newBuilder()
                    .setMaxBatchSize(s.maxBatchSize())
                    .setMaxQueueDelay(duration(s.maxQueueDelay()))
                    .addAllPreferredBatchSizes(s.preferredBatchSizes())
                    .setInstances(s.instances())
                    .setMaxQueueLength(s.maxQueueLength())
                    .setDefaultTimeout(duration(s.defaultTimeout()))
                    .setMode(s.mode().label())
                    .setLatencyBudget(duration(s.latencyBudget())))
            .setExecutionProvider(executionProvider)
            .setDecoder(m.decoder())
            .setPrecision(m.precision())
            .putAllMetadata(m.all());
    if (!Float.isNaN(m.validationAccuracy())) {
      b.setValidationAccuracy(m.validationAccuracy());
    }
    return b.build();
  }

  static SolveResponse response(String id, Solution s) {
    Prediction p = s.prediction();
    SolveResponse.Builder b =
        SolveResponse.newBuilder().setId(id).setText(p.text()).setConfidence(p.confidence());
    for (List<dev.captcha.model.Candidate> position : p.positions()) {
      PositionCandidates.Builder pc = PositionCandidates.newBuilder();
      for (dev.captcha.model.Candidate c : position) {
        pc.addCandidates(
            Candidate.newBuilder().setCharacter(c.character()).setProbability(c.probability()));
      }
      b.addPositions(pc);
    }
    b.setTiming(
        Timing.newBuilder()
            .setQueueTime(nanos(s.queueNanos()))
            .setInferenceTime(nanos(s.inferenceNanos()))
            .setPreprocessTime(nanos(s.preprocessNanos()))
            .setBatchSize(s.batchSize()));
    return b.build();
  }

  static com.google.protobuf.Duration duration(Duration d) {
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(d.getSeconds())
        .setNanos(d.getNano())
        .build();
  }

  static com.google.protobuf.Duration nanos(long nanos) {
    return duration(Duration.ofNanos(Math.max(0, nanos)));
  }
}
