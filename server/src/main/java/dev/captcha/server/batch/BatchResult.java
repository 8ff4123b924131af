package dev.captcha.server.batch;

/**
 * The output of one request and how it was batched; immutable.
 *
 * @param output the engine's output for the request
 * @param queueNanos from arrival at the batcher to the start of its batch
 * @param inferenceNanos wall time of the whole batch
 * @param batchSize number of requests in the batch
 */
public record BatchResult<O>(O output, long queueNanos, long inferenceNanos, int batchSize) {}
