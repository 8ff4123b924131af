package dev.captcha.server.reload;

import dev.captcha.model.ModelMetadata;
import dev.captcha.model.Prediction;
import dev.captcha.server.batch.BatchEngine;
import dev.captcha.server.engine.EngineOptions;
import dev.captcha.server.engine.OnnxModel;
import java.util.Objects;

/** Adapts {@link OnnxModel} to hot reload; stateless. */
public final class OnnxServedModels {
  private OnnxServedModels() {}

  /** Wraps a loaded model; closing the result closes it. */
  public static ServedModel<float[], Prediction> of(OnnxModel model, int maxBatchSize) {
    Objects.requireNonNull(model, "model");
    return new ServedModel<>() {
      @Override
      public ModelMetadata metadata() {
        return model.metadata();
      }

      @Override
      public String executionProvider() {
        return model.executionProvider();
      }

      @Override
      public BatchEngine<float[], Prediction> newInstance() {
        return model.newInstance(maxBatchSize);
      }

      @Override
      public void close() {
        model.close();
      }
    };
  }

  /** Loads files with {@link OnnxModel#load}, which validates metadata and graph. */
  public static ModelLoader<float[], Prediction> loader(EngineOptions options, int maxBatchSize) {
    Objects.requireNonNull(options, "options");
    return file -> of(OnnxModel.load(file, options), maxBatchSize);
  }
}
