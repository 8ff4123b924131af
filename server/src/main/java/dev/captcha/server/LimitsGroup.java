package dev.captcha.server;

import dev.captcha.server.image.ImageLimits;
import dev.captcha.server.ops.ServerLimits;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * The options of {@link ServerLimits} and {@link ImageLimits}; defaults from {@link
 * ServerLimits#defaults()} and {@link ImageLimits#DEFAULT}.
 */
final class LimitsGroup {
  private static final ServerLimits DEFAULTS = ServerLimits.defaults();

  @Option(
      names = "--max-image-bytes",
      description =
          "Largest encoded image accepted (CAPTCHA_MAX_IMAGE_BYTES,"
              + " default ${DEFAULT-VALUE}).")
  int maxImageBytes = ImageLimits.DEFAULT.maxBytes();

  @Option(
      names = "--max-message-bytes",
      description =
          "Largest request message; larger ones get RESOURCE_EXHAUSTED; 0 means"
              + " --max-image-bytes plus 64 KiB (CAPTCHA_MAX_MESSAGE_BYTES, default ${DEFAULT-VALUE}).")
  int maxMessageBytes = 0;

  @Option(
      names = "--max-calls-per-connection",
      description =
          "Most calls open at once on one connection; clients queue the rest"
              + " (CAPTCHA_MAX_CALLS_PER_CONNECTION, default ${DEFAULT-VALUE}).")
  int maxCallsPerConnection = DEFAULTS.maxConcurrentCallsPerConnection();

  @Option(
      names = "--stream-items-per-connection",
      description =
          "Most SolveStream items of one connection, all its streams together, read and"
              + " not yet answered (CAPTCHA_STREAM_ITEMS_PER_CONNECTION, default ${DEFAULT-VALUE}).")
  int streamItemsPerConnection = DEFAULTS.streamItemsPerConnection();

  @Option(
      names = "--keepalive-time",
      description =
          "Idle time after which the server pings a client (CAPTCHA_KEEPALIVE_TIME,"
              + " default ${DEFAULT-VALUE}).")
  Duration keepAliveTime = DEFAULTS.keepAliveTime();

  @Option(
      names = "--keepalive-timeout",
      description =
          "How long a ping may go unanswered before the connection is closed"
              + " (CAPTCHA_KEEPALIVE_TIMEOUT, default ${DEFAULT-VALUE}).")
  Duration keepAliveTimeout = DEFAULTS.keepAliveTimeout();

  @Option(
      names = "--permit-keepalive-time",
      description =
          "Shortest ping interval allowed to clients; faster pingers are disconnected"
              + " (CAPTCHA_PERMIT_KEEPALIVE_TIME, default ${DEFAULT-VALUE}).")
  Duration permitKeepAliveTime = DEFAULTS.permitKeepAliveTime();

  @Option(
      names = "--max-connection-idle",
      description =
          "A connection without calls for this long is closed"
              + " (CAPTCHA_MAX_CONNECTION_IDLE, default ${DEFAULT-VALUE}).")
  Duration maxConnectionIdle = DEFAULTS.maxConnectionIdle();

  @Option(
      names = "--max-connection-age",
      description =
          "Connections older than this (plus up to 10%% jitter) are asked to reconnect,"
              + " so load balancers can rebalance (CAPTCHA_MAX_CONNECTION_AGE,"
              + " default ${DEFAULT-VALUE}).")
  Duration maxConnectionAge = DEFAULTS.maxConnectionAge();

  @Option(
      names = "--max-connection-age-grace",
      description =
          "How long calls may go on after a connection was asked to reconnect"
              + " (CAPTCHA_MAX_CONNECTION_AGE_GRACE, default ${DEFAULT-VALUE}).")
  Duration maxConnectionAgeGrace = DEFAULTS.maxConnectionAgeGrace();

  /**
   * The transport limits these options describe; the message limit leaves room for the image plus
   * the message framing unless set.
   *
   * @throws IllegalArgumentException naming the invalid option
   */
  ServerLimits serverLimits() {
    return new ServerLimits(
        maxMessageBytes > 0 ? maxMessageBytes : maxImageBytes + 64 * 1024,
        maxCallsPerConnection,
        keepAliveTime,
        keepAliveTimeout,
        permitKeepAliveTime,
        maxConnectionIdle,
        maxConnectionAge,
        maxConnectionAgeGrace,
        streamItemsPerConnection);
  }

  /** The image limits: the byte limit of the options, the other limits' defaults. */
  ImageLimits imageLimits() {
    return new ImageLimits(
        maxImageBytes, ImageLimits.DEFAULT.maxSide(), ImageLimits.DEFAULT.maxPixels());
  }
}
