package dev.captcha.client;

/**
 * Counts of a finished batch; immutable and thread-safe.
 *
 * @param submitted items taken from the input
 * @param succeeded items solved
 * @param failed items that failed (each was handed back with its error)
 * @param streamRestarts times the stream was reopened after the server became unavailable
 */
public record BatchSummary(int submitted, int succeeded, int failed, int streamRestarts) {}
