package dev.captcha.server.batch;

import java.util.List;

/**
 * One model instance as the batcher sees it: runs a batch of inputs and returns one output per
 * input, in order. The batcher calls an instance from one thread at a time, so an implementation
 * may reuse buffers between calls.
 *
 * @param <I> the prepared input of one request
 * @param <O> the output for one request
 */
@FunctionalInterface
public interface BatchEngine<I, O> {

  /**
   * Runs one batch.
   *
   * @param inputs between 1 and the batcher's max batch size inputs
   * @return exactly {@code inputs.size()} outputs, in the order of the inputs
   * @throws Exception when inference fails; every request of the batch then fails with an {@link
   *     InferenceException}
   */
  List<O> infer(List<I> inputs) throws Exception;
}
