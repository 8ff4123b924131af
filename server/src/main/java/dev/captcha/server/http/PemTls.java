package dev.captcha.server.http;

import dev.captcha.server.security.TlsSettings;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;
import org.eclipse.jetty.util.ssl.SslContextFactory;

/**
 * Turns the server's PEM files ({@link TlsSettings}, the same ones the gRPC port uses) into Jetty's
 * TLS configuration, with in-memory key stores; stateless and thread-safe.
 */
final class PemTls {
  private static final char[] PASSWORD = "in-memory".toCharArray();

  private PemTls() {}

  /**
   * A TLS context for {@code tls}, requiring client certificates when it names a client CA.
   *
   * @throws IOException when a file cannot be read or parsed
   */
  static SslContextFactory.Server contextFactory(TlsSettings tls) throws IOException {
    try {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      List<? extends Certificate> chain = certificates(tls.certChain().orElseThrow());
      keys.setKeyEntry(
          "server",
          privateKey(tls.privateKey().orElseThrow()),
          PASSWORD,
          chain.toArray(Certificate[]::new));
      SslContextFactory.Server factory = new SslContextFactory.Server();
      factory.setKeyStore(keys);
      factory.setKeyStorePassword(new String(PASSWORD));
      if (tls.mutual()) {
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        int i = 0;
        for (Certificate ca : certificates(tls.clientCa().orElseThrow())) {
          trust.setCertificateEntry("ca-" + i++, ca);
        }
        factory.setTrustStore(trust);
        factory.setNeedClientAuth(true);
      }
      return factory;
    } catch (GeneralSecurityException e) {
      throw new IOException("cannot use the TLS files: " + e.getMessage(), e);
    }
  }

  private static List<? extends Certificate> certificates(Path pem)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      List<? extends Certificate> certs =
          List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (certs.isEmpty()) {
        throw new IOException(pem + " holds no certificate");
      }
      return certs;
    }
  }

  /** An unencrypted PKCS#8 key ("BEGIN PRIVATE KEY"), RSA, EC or EdDSA. */
  private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    int begin = text.indexOf("-----BEGIN PRIVATE KEY-----");
    int end = text.indexOf("-----END PRIVATE KEY-----");
    if (begin < 0 || end < begin) {
      throw new IOException(pem + " holds no unencrypted PKCS#8 private key");
    }
    byte[] der =
        Base64.getMimeDecoder()
            .decode(text.substring(begin + "-----BEGIN PRIVATE KEY-----".length(), end));
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    GeneralSecurityException last = null;
    for (String algorithm : List.of("RSA", "EC", "Ed25519", "EdDSA")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }
}
