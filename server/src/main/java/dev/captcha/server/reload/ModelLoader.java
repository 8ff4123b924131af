package dev.captcha.server.reload;

import java.nio.file.Path;

/**
 * Loads and validates a model file; implementations are thread-safe.
 *
 * @param <I> the prepared input of one request
 * @param <O> the output for one request
 */
@FunctionalInterface
public interface ModelLoader<I, O> {

  /**
   * Loads {@code file}.
   *
   * @throws Exception when the file cannot be read or its metadata or graph is invalid; the message
   *     says why
   */
  ServedModel<I, O> load(Path file) throws Exception;
}
