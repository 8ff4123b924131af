package dev.captcha.server;

import dev.captcha.server.security.TlsSettings;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** The options of {@link TlsSettings}; none set is {@link TlsSettings#plaintext()}. */
final class TlsGroup {

  @Option(
      names = "--tls-cert",
      paramLabel = "<file>",
      description =
          "PEM certificate chain of the server; with --tls-key, the server speaks TLS"
              + " (CAPTCHA_TLS_CERT, default plaintext).")
  Path tlsCert;

  @Option(
      names = "--tls-key",
      paramLabel = "<file>",
      description = "PEM PKCS#8 private key of --tls-cert (CAPTCHA_TLS_KEY).")
  Path tlsKey;

  @Option(
      names = "--tls-client-ca",
      paramLabel = "<file>",
      description =
          "PEM CA certificates; clients must present a certificate signed by one"
              + " (mutual TLS) (CAPTCHA_TLS_CLIENT_CA, default no client certificates).")
  Path tlsClientCa;

  /**
   * The settings these options describe.
   *
   * @throws IllegalArgumentException when the files do not fit together or cannot be read
   */
  TlsSettings settings() {
    return TlsSettings.of(tlsCert, tlsKey, tlsClientCa);
  }
}
