package dev.captcha.loadtest;

import com.fasterxml.jackson.annotation.JsonProperty;
import java.util.List;
import java.util.Map;

/**
 * The results of one run's measured phase; immutable. Every request whose intended start fell in
 * the measured phase is counted once: in {@code ok} or in {@code errorsByCode}.
 *
 * @param load what the run did, as text (mode, rate or concurrency, RPC)
 * @param rateRps offered rate in open loop, else {@code null}
 * @param concurrency requests in flight in closed loop, else {@code null}
 * @param sent requests sent in the measured phase
 * @param ok those answered successfully
 * @param failed those that failed, by any cause (sum of {@code errorsByCode})
 * @param elapsedS from the start of measurement to the last completion
 * @param throughputRps completed requests (ok and failed) per second of {@code elapsedS}
 * @param goodputRps successful requests per second of {@code elapsedS}
 * @param latency latency of successful requests (open loop: from the scheduled send)
 * @param failedLatency latency of failed requests that got an answer
 * @param harnessCpuUsPerRequest CPU time the harness spent per measured request, in microseconds
 *     (all of this process's threads except a no-op server's), or {@code null} when the platform
 *     does not tell
 * @param latencyHistogram the successful latencies as a compressed, base64 HdrHistogram (ns)
 */
record RunResult(
    String load,
    String rpc,
    String mode,
    Double rateRps,
    Integer concurrency,
    String arrivals,
    double warmupS,
    double durationS,
    long sent,
    long ok,
    long failed,
    double elapsedS,
    double throughputRps,
    double goodputRps,
    LatencySummary latency,
    LatencySummary failedLatency,
    Map<String, Long> errorsByCode,
    Accuracy accuracy,
    ServerSide server,
    List<IntervalStats> intervals,
    Double harnessCpuUsPerRequest,
    String latencyHistogram) {

  /** Share of measured requests that failed. */
  @JsonProperty
  public double errorShare() {
    long total = ok + failed;
    return total == 0 ? 0 : (double) failed / total;
  }

  /** A copy with the harness's CPU cost per request set. */
  RunResult withHarnessCpu(double usPerRequest) {
    return new RunResult(
        load,
        rpc,
        mode,
        rateRps,
        concurrency,
        arrivals,
        warmupS,
        durationS,
        sent,
        ok,
        failed,
        elapsedS,
        throughputRps,
        goodputRps,
        latency,
        failedLatency,
        errorsByCode,
        accuracy,
        server,
        intervals,
        usPerRequest,
        latencyHistogram);
  }
}
