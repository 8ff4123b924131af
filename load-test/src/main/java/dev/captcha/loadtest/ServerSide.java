package dev.captcha.loadtest;

import java.util.SortedMap;

/**
 * The server's view from the timing fields of successful responses: queue, inference and
 * preprocessing time, and how many requests shared each inference batch; immutable.
 */
record ServerSide(
    LatencySummary queueTime,
    LatencySummary inferenceTime,
    LatencySummary preprocessTime,
    SortedMap<Integer, Long> batchSizes,
    double meanBatchSize) {}
