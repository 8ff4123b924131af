package dev.captcha.client;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;

/**
 * How calls are retried when the server is unavailable or overloaded; immutable and thread-safe.
 *
 * <p>Unary calls are retried by gRPC itself through the channel's service config ({@link
 * #toServiceConfig}), on UNAVAILABLE, RESOURCE_EXHAUSTED and UNKNOWN, with exponential backoff and
 * jitter; with several replicas the retry goes to the next one round-robin. UNKNOWN is there
 * because grpc-java reports a connection that dies while a call is being written (a replica killed
 * under load) as UNKNOWN "channel closed" rather than UNAVAILABLE; the server never answers UNKNOWN
 * itself (each failure it knows has its own code), and solving is idempotent, so sending the image
 * again is safe. A batch stream that fails with UNAVAILABLE is reopened (on another replica) for
 * the items not yet answered, up to the same number of attempts.
 *
 * @param maxAttempts attempts in total, the first one included (1 means no retries; at most 10)
 * @param initialBackoff the upper bound of the first randomised pause
 * @param maxBackoff the largest pause
 * @param backoffMultiplier growth of the pause bound per attempt (at least 1)
 */
public record RetrySettings(
    int maxAttempts, Duration initialBackoff, Duration maxBackoff, double backoffMultiplier) {

  /** The fully qualified name of the service the policy applies to. */
  static final String SERVICE = "captcha.v1.CaptchaSolver";

  /** Validates. */
  public RetrySettings {
    if (maxAttempts < 1 || maxAttempts > 10) {
      throw new IllegalArgumentException("maxAttempts must be 1..10, got " + maxAttempts);
    }
    Objects.requireNonNull(initialBackoff, "initialBackoff");
    Objects.requireNonNull(maxBackoff, "maxBackoff");
    if (initialBackoff.toMillis() < 1 || maxBackoff.compareTo(initialBackoff) < 0) {
      throw new IllegalArgumentException(
          "backoffs must satisfy 1ms <= initialBackoff <= maxBackoff, got "
              + initialBackoff
              + " and "
              + maxBackoff);
    }
    if (!(backoffMultiplier >= 1.0) || backoffMultiplier > 100) {
      throw new IllegalArgumentException(
          "backoffMultiplier must be in [1, 100], got " + backoffMultiplier);
    }
  }

  /** Four attempts, pauses from 100 ms doubling up to 2 s. */
  public static RetrySettings defaults() {
    return new RetrySettings(4, Duration.ofMillis(100), Duration.ofSeconds(2), 2.0);
  }

  /** No retries. */
  public static RetrySettings none() {
    return new RetrySettings(1, Duration.ofMillis(100), Duration.ofMillis(100), 1.0);
  }

  /** The bound of the pause before retry number {@code retry} (from 1). */
  Duration backoffBound(int retry) {
    double ms = initialBackoff.toMillis() * Math.pow(backoffMultiplier, Math.max(0, retry - 1));
    return Duration.ofMillis((long) Math.min(ms, maxBackoff.toMillis()));
  }

  /**
   * A gRPC service config (the JSON structure as Java maps and lists) with this retry policy for
   * every method of the solver service, and the given load-balancing policy (for example {@code
   * "round_robin"}), for {@code ManagedChannelBuilder.defaultServiceConfig}; remember {@code
   * enableRetry()} on the builder too.
   */
  public Map<String, Object> toServiceConfig(String loadBalancingPolicy) {
    Map<String, Object> method = new LinkedHashMap<>();
    method.put("name", List.of(Map.of("service", SERVICE)));
    if (maxAttempts > 1) {
      Map<String, Object> policy = new LinkedHashMap<>();
      policy.put("maxAttempts", (double) maxAttempts);
      policy.put("initialBackoff", seconds(initialBackoff));
      policy.put("maxBackoff", seconds(maxBackoff));
      policy.put("backoffMultiplier", backoffMultiplier);
      policy.put("retryableStatusCodes", List.of("UNAVAILABLE", "RESOURCE_EXHAUSTED", "UNKNOWN"));
      method.put("retryPolicy", policy);
    }
    Map<String, Object> config = new LinkedHashMap<>();
    config.put("loadBalancingConfig", List.of(Map.of(loadBalancingPolicy, Map.of())));
    config.put("methodConfig", List.of(method));
    return config;
  }

  private static String seconds(Duration d) {
    return String.format(Locale.ROOT, "%.3fs", d.toNanos() / 1e9);
  }
}
