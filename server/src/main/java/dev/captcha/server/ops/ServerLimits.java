package dev.captcha.server.ops;

import java.time.Duration;
import java.util.Objects;

/**
 * Transport limits of the gRPC server, validated; immutable and thread-safe. The gRPC adapter
 * ({@code grpc.GrpcTransport}) applies them.
 *
 * @param maxInboundMessageSize largest request message in bytes; larger ones fail with
 *     RESOURCE_EXHAUSTED
 * @param maxConcurrentCallsPerConnection most calls open at once on one connection (HTTP/2 max
 *     concurrent streams); clients queue further calls
 * @param keepAliveTime idle time after which the server pings a client to check it is alive
 * @param keepAliveTimeout how long the server waits for that ping's answer before closing
 * @param permitKeepAliveTime the shortest ping interval a client may use; more frequent pings get
 *     the connection closed
 * @param maxConnectionIdle a connection without calls for this long is closed gracefully
 * @param maxConnectionAge a connection older than this (plus up to 10% random jitter) is asked to
 *     go away, so clients reconnect and load balancers can rebalance
 * @param maxConnectionAgeGrace how long calls may still run on a connection that went away
 * @param streamItemsPerConnection most SolveStream items of one connection (all its streams
 *     together) being processed at once; the server reads no further items until answers go out
 */
public record ServerLimits(
    int maxInboundMessageSize,
    int maxConcurrentCallsPerConnection,
    Duration keepAliveTime,
    Duration keepAliveTimeout,
    Duration permitKeepAliveTime,
    Duration maxConnectionIdle,
    Duration maxConnectionAge,
    Duration maxConnectionAgeGrace,
    int streamItemsPerConnection) {

  /** Validates every field. */
  public ServerLimits {
    requireAtLeast("max inbound message size", maxInboundMessageSize, 1024);
    requireAtLeast("max concurrent calls per connection", maxConcurrentCallsPerConnection, 1);
    requirePositive("keepalive time", keepAliveTime);
    requirePositive("keepalive timeout", keepAliveTimeout);
    requirePositive("permit keepalive time", permitKeepAliveTime);
    requirePositive("max connection idle", maxConnectionIdle);
    requirePositive("max connection age", maxConnectionAge);
    requirePositive("max connection age grace", maxConnectionAgeGrace);
    requireAtLeast("stream items per connection", streamItemsPerConnection, 1);
  }

  /** The defaults of the command line. */
  public static ServerLimits defaults() {
    return new ServerLimits(
        4 * 1024 * 1024,
        256,
        Duration.ofMinutes(1),
        Duration.ofSeconds(20),
        Duration.ofSeconds(10),
        Duration.ofMinutes(10),
        Duration.ofMinutes(30),
        Duration.ofMinutes(1),
        512);
  }

  /** These limits with another maximum request message size. */
  public ServerLimits withMaxInboundMessageSize(int bytes) {
    return new ServerLimits(
        bytes,
        maxConcurrentCallsPerConnection,
        keepAliveTime,
        keepAliveTimeout,
        permitKeepAliveTime,
        maxConnectionIdle,
        maxConnectionAge,
        maxConnectionAgeGrace,
        streamItemsPerConnection);
  }

  private static void requireAtLeast(String name, int value, int min) {
    if (value < min) {
      throw new IllegalArgumentException(name + " must be >= " + min + ", got " + value);
    }
  }

  private static void requirePositive(String name, Duration d) {
    Objects.requireNonNull(d, name);
    if (d.isNegative() || d.isZero()) {
      throw new IllegalArgumentException(name + " must be positive, got " + d);
    }
  }
}
