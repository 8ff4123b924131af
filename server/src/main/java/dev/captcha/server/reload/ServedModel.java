package dev.captcha.server.reload;

import dev.captcha.model.ModelMetadata;
import dev.captcha.server.batch.BatchEngine;

/**
 * A loaded model as hot reload sees it: its validated metadata, a factory of batcher instances and
 * the resources to release. Implementations are thread-safe; {@link HotSwapModel} closes one only
 * after its last batch has finished.
 *
 * @param <I> the prepared input of one request
 * @param <O> the output for one request
 */
public interface ServedModel<I, O> extends AutoCloseable {

  /** The model file's validated metadata. */
  ModelMetadata metadata();

  /** The execution provider running it, for example "CPU" or "CUDA". */
  String executionProvider();

  /** A new instance for one batcher slot, called from one thread at a time. */
  BatchEngine<I, O> newInstance();

  /** Releases the model; no instance is used afterwards. */
  @Override
  void close();
}
