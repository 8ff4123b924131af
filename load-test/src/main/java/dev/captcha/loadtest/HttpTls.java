package dev.captcha.loadtest;

import dev.captcha.cli.PemFiles;
import java.io.IOException;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JDK TLS context of the HTTP/JSON target, from the same PEM files as the gRPC channels (the CA
 * to trust, and a client certificate and PKCS#8 key for mutual TLS); stateless and thread-safe.
 */
final class HttpTls {
  private HttpTls() {}

  /**
   * A context trusting {@code ca} (the system's CAs when null) and presenting {@code cert} with
   * {@code key} when both are given.
   *
   * @throws IllegalArgumentException when only one of {@code cert} and {@code key} is given, or a
   *     file holds no certificate or key
   * @throws IOException when a file cannot be read
   */
  static SSLContext context(Path ca, Path cert, Path key) throws IOException {
    if ((cert == null) != (key == null)) {
      throw new IllegalArgumentException("--tls-cert and --tls-key go together");
    }
    try {
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      trust.init(ca == null ? null : PemFiles.trustStore(PemFiles.certificates(ca)));
      KeyManagerFactory keys = null;
      if (cert != null) {
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(
            PemFiles.keyStore("client", PemFiles.privateKey(key), PemFiles.certificates(cert)),
            PemFiles.inMemoryPassword());
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys != null ? keys.getKeyManagers() : null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use the TLS files: " + e.getMessage(), e);
    }
  }
}
