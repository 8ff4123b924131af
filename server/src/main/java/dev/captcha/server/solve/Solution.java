package dev.captcha.server.solve;

import dev.captcha.model.Prediction;

/**
 * A solved captcha and where the server spent time on it; immutable.
 *
 * @param prediction the decoded answer
 * @param preprocessNanos decoding the image and preparing the model input
 * @param queueNanos waiting for a decoding thread, then from arrival at the batcher to the start of
 *     its batch
 * @param inferenceNanos wall time of the whole batch
 * @param batchSize requests in that batch
 */
public record Solution(
    Prediction prediction,
    long preprocessNanos,
    long queueNanos,
    long inferenceNanos,
    int batchSize) {}
