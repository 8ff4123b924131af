package dev.captcha.server.engine;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OnnxValue;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.captcha.model.HeadsDecoder;
import dev.captcha.model.InputSpec;
import dev.captcha.model.ModelMetadata;
import dev.captcha.model.Prediction;
import dev.captcha.server.batch.BatchEngine;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * One model instance for the batcher: packs a batch into a reused direct buffer, runs the shared
 * session and decodes the logits. Not thread-safe: the batcher calls it from one thread at a time.
 */
final class OnnxInstance implements BatchEngine<float[], Prediction> {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final String inputName;
  private final String outputName;
  private final Set<String> outputs;
  private final HeadsDecoder decoder;
  private final InputSpec spec;
  private final int itemSize;
  private final int maxBatchSize;
  private final FloatBuffer input;
  private final float[] logits;

  OnnxInstance(
      OrtEnvironment env,
      OrtSession session,
      ModelMetadata metadata,
      HeadsDecoder decoder,
      int maxBatchSize) {
    this.env = env;
    this.session = session;
    this.inputName = metadata.inputName();
    this.outputName = metadata.outputName();
    this.outputs = Set.of(outputName);
    this.decoder = decoder;
    this.spec = metadata.input();
    this.itemSize = spec.itemSize();
    this.maxBatchSize = maxBatchSize;
    this.input =
        ByteBuffer.allocateDirect(maxBatchSize * itemSize * Float.BYTES)
            .order(ByteOrder.nativeOrder())
            .asFloatBuffer();
    this.logits = new float[maxBatchSize * decoder.itemSize()];
  }

  @Override
  public List<Prediction> infer(List<float[]> items) throws OrtException {
    int n = items.size();
    if (n < 1 || n > maxBatchSize) {
      throw new IllegalArgumentException("batch of " + n + " outside 1.." + maxBatchSize);
    }
    input.clear();
    for (float[] item : items) {
      if (item.length != itemSize) {
        throw new IllegalArgumentException(
            "input of " + item.length + " floats, expected " + itemSize);
      }
      input.put(item);
    }
    input.flip();
    long[] shape = {n, spec.channels(), spec.height(), spec.width()};
    int outSize = n * decoder.itemSize();
    try (OnnxTensor tensor = OnnxTensor.createTensor(env, input, shape);
        OrtSession.Result result = session.run(Map.of(inputName, tensor), outputs)) {
      Optional<OnnxValue> value = result.get(outputName);
      if (value.isEmpty() || !(value.get() instanceof OnnxTensor out)) {
        throw new IllegalStateException("model produced no tensor '" + outputName + "'");
      }
      FloatBuffer fb = out.getFloatBuffer();
      if (fb == null || fb.remaining() != outSize) {
        throw new IllegalStateException(
            "model output has "
                + (fb == null ? 0 : fb.remaining())
                + " floats, expected "
                + outSize);
      }
      fb.get(logits, 0, outSize);
    }
    List<Prediction> predictions = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      predictions.add(decoder.decode(logits, i * decoder.itemSize()));
    }
    return predictions;
  }
}
