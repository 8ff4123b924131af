package dev.captcha.server.http;

import dev.captcha.cli.PemFiles;
import dev.captcha.server.security.TlsSettings;
import java.io.IOException;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Turns the server's PEM files ({@link TlsSettings}, the same ones the gRPC port uses) into Jetty's
 * TLS configuration, with in-memory key stores; stateless and thread-safe.
 */
final class PemTls {

  private PemTls() {}

  /**
   * A TLS context for {@code tls}, requiring client certificates when it names a client CA.
   *
   * @throws IOException when a file cannot be read
   * @throws IllegalArgumentException when a file holds no usable certificate or key
   */
  static SslContextFactory.Server contextFactory(TlsSettings tls) throws IOException {
    SslContextFactory.Server factory = new SslContextFactory.Server();
    factory.setKeyStore(
        PemFiles.keyStore(
            "server",
            PemFiles.privateKey(tls.privateKey().orElseThrow()),
            PemFiles.certificates(tls.certChain().orElseThrow())));
    factory.setKeyStorePassword(new String(PemFiles.inMemoryPassword()));
    if (tls.mutual()) {
      factory.setTrustStore(
          PemFiles.trustStore(PemFiles.certificates(tls.clientCa().orElseThrow())));
      factory.setNeedClientAuth(true);
    }
    return factory;
  }
}
