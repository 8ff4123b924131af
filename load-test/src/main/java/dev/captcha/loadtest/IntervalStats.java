package dev.captcha.loadtest;

/**
 * What happened in one reporting interval, timed from the start of measurement: requests that
 * completed in it, their throughput and latency percentiles in milliseconds; immutable.
 */
record IntervalStats(
    double startS,
    double endS,
    long ok,
    long errors,
    double throughputRps,
    double p50Ms,
    double p90Ms,
    double p99Ms,
    double maxMs,
    double meanBatchSize) {}
