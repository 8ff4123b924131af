package dev.captcha.client.cli;

import dev.captcha.client.CaptchaSolverClient;
import dev.captcha.client.RetrySettings;
import java.time.Duration;

/** Makes the client a command uses; the real one connects to the targets, tests pass their own. */
@FunctionalInterface
interface ClientFactory {
  CaptchaSolverClient create(ConnectionSettings settings);

  /** Connects to the settings' targets over the network. */
  static ClientFactory network() {
    return s -> {
      CaptchaSolverClient.Builder b =
          CaptchaSolverClient.builder()
              .targets(s.targets())
              .deadline(s.deadline())
              .retry(retry(s.maxAttempts()));
      if (s.tls()) {
        b.tls();
      }
      if (s.tlsCa() != null) {
        b.trustCa(s.tlsCa());
      }
      if (s.tlsCert() != null) {
        b.clientCertificate(s.tlsCert(), s.tlsKey());
      }
      if (s.tlsAuthority() != null) {
        b.overrideAuthority(s.tlsAuthority());
      }
      if (s.token() != null) {
        b.bearerToken(s.token());
      }
      return b.build();
    };
  }

  static RetrySettings retry(int maxAttempts) {
    RetrySettings d = RetrySettings.defaults();
    return new RetrySettings(
        maxAttempts, d.initialBackoff(), d.maxBackoff(), d.backoffMultiplier());
  }

  /** For messages. */
  static String format(Duration d) {
    long ms = d.toMillis();
    return ms % 1000 == 0 ? (ms / 1000) + "s" : ms + "ms";
  }
}
