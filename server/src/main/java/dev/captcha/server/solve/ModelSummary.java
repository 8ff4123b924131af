package dev.captcha.server.solve;

import dev.captcha.model.ModelMetadata;
import dev.captcha.server.batch.BatcherSettings;
import java.util.Objects;

/**
 * What one served model is and how it is batched, for descriptions such as GetModelInfo; immutable.
 *
 * @param metadata the model file's validated metadata (of the model in force, after a hot reload)
 * @param executionProvider the execution provider running it, for example "CPU"
 * @param settings the batching settings of its batcher
 */
public record ModelSummary(
    ModelMetadata metadata, String executionProvider, BatcherSettings settings) {
  public ModelSummary {
    Objects.requireNonNull(metadata, "metadata");
    Objects.requireNonNull(executionProvider, "executionProvider");
    Objects.requireNonNull(settings, "settings");
  }
}
