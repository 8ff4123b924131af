package dev.captcha.loadtest;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.api.v1.Timing;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.concurrent.CompletionException;

/**
 * Sends each request as one {@code POST /v1/solve} to the server's HTTP/JSON port, the image as the
 * body, and reads the JSON answer into the same measurements as a gRPC answer; thread-safe.
 */
final class HttpIssuer implements RequestIssuer {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final HttpClient client;
  private final URI solve;
  private final Workload workload;
  private final Measurements measurements;
  private final Duration deadline;
  private final String authorization;

  /**
   * @param base the server's HTTP address, like {@code http://localhost:8080}
   * @param deadline sent as the request's timeout header and used as the client's timeout, or
   *     {@code null} for none
   * @param token bearer token, or {@code null} for none
   */
  HttpIssuer(
      HttpClient client,
      URI base,
      Workload workload,
      Measurements measurements,
      Duration deadline,
      String token) {
    this.client = client;
    this.solve = base.resolve("/v1/solve");
    this.workload = workload;
    this.measurements = measurements;
    this.deadline = deadline;
    this.authorization = token == null ? null : "Bearer " + token;
  }

  @Override
  public void issue(long intendedNanos, Runnable done) {
    Workload.Item item = workload.next();
    HttpRequest.Builder b =
        HttpRequest.newBuilder(solve)
            .header("Content-Type", "application/octet-stream")
            .POST(HttpRequest.BodyPublishers.ofByteArray(item.request().getImage().toByteArray()));
    if (deadline != null) {
      b.timeout(deadline).header("X-Request-Timeout", deadline.toMillis() + "ms");
    }
    if (authorization != null) {
      b.header("Authorization", authorization);
    }
    client
        .sendAsync(b.build(), HttpResponse.BodyHandlers.ofByteArray())
        .whenComplete(
            (response, failure) -> {
              try {
                if (failure != null) {
                  Throwable cause =
                      failure instanceof CompletionException && failure.getCause() != null
                          ? failure.getCause()
                          : failure;
                  measurements.recordFailure(
                      intendedNanos, "HTTP_" + cause.getClass().getSimpleName());
                } else if (response.statusCode() != 200) {
                  measurements.recordFailure(intendedNanos, "HTTP_" + response.statusCode());
                } else {
                  measurements.recordSuccess(intendedNanos, item.label(), parse(response.body()));
                }
              } catch (Exception e) {
                measurements.recordFailure(intendedNanos, "HTTP_BAD_BODY");
              } finally {
                done.run();
              }
            });
  }

  /** The JSON answer as the gRPC message with the same content (text, confidence, timing). */
  static SolveResponse parse(byte[] body) throws java.io.IOException {
    JsonNode json = JSON.readTree(body);
    JsonNode t = json.path("timing");
    return SolveResponse.newBuilder()
        .setText(json.path("text").asText())
        .setConfidence((float) json.path("confidence").asDouble())
        .setTiming(
            Timing.newBuilder()
                .setQueueTime(millis(t.path("queueMs").asDouble()))
                .setInferenceTime(millis(t.path("inferenceMs").asDouble()))
                .setPreprocessTime(millis(t.path("preprocessMs").asDouble()))
                .setBatchSize(t.path("batchSize").asInt()))
        .build();
  }

  private static com.google.protobuf.Duration millis(double ms) {
    long nanos = Math.round(ms * 1e6);
    return com.google.protobuf.Duration.newBuilder()
        .setSeconds(nanos / 1_000_000_000L)
        .setNanos((int) (nanos % 1_000_000_000L))
        .build();
  }
}
