package dev.captcha.client.cli;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * Where and how the CLI connects, validated from the global options.
 *
 * @param targets one or more server targets
 * @param deadline the deadline of each call
 * @param maxAttempts attempts per call, the first included
 * @param tls whether to use TLS
 * @param tlsCa CA certificates to trust (null: the system's)
 * @param tlsCert client certificate for mTLS (null: none)
 * @param tlsKey client private key for mTLS (null: none)
 * @param tlsAuthority the host name to verify in the server certificate (null: the target's)
 * @param token the bearer token (null: none)
 * @param model the model requests name (empty: the server's default)
 */
record ConnectionSettings(
    List<String> targets,
    Duration deadline,
    int maxAttempts,
    boolean tls,
    Path tlsCa,
    Path tlsCert,
    Path tlsKey,
    String tlsAuthority,
    String token,
    String model) {

  ConnectionSettings {
    targets = List.copyOf(targets);
    java.util.Objects.requireNonNull(model, "model");
  }

  /** The targets for messages. */
  String describeTargets() {
    return String.join(", ", targets);
  }
}
