package dev.captcha.server.reload;

import dev.captcha.model.ModelMetadata;
import java.nio.file.Path;

/**
 * Told when a model is swapped in or a file is refused, for example to update metrics; called on
 * the reloading thread, so implementations must be thread-safe and quick.
 */
public interface ReloadListener {

  /** A listener that does nothing. */
  ReloadListener NONE = new ReloadListener() {};

  /** A new model now takes every new batch. */
  default void swapped(ModelMetadata metadata, String executionProvider) {}

  /** {@code file} was refused for {@code reason}; the model in force keeps serving. */
  default void refused(Path file, String reason) {}
}
