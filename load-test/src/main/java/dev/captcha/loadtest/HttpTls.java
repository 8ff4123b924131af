package dev.captcha.loadtest;

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
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;

/**
 * The JDK TLS context of the HTTP/JSON target, from the same PEM files as the gRPC channels (the CA
 * to trust, and a client certificate and PKCS#8 key for mutual TLS); stateless and thread-safe.
 */
final class HttpTls {
  private static final char[] PASSWORD = "in-memory".toCharArray();

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
      if (ca == null) {
        trust.init((KeyStore) null);
      } else {
        KeyStore store = emptyStore();
        int i = 0;
        for (Certificate c : certificates(ca)) {
          store.setCertificateEntry("ca-" + i++, c);
        }
        trust.init(store);
      }
      KeyManagerFactory keys = null;
      if (cert != null) {
        KeyStore store = emptyStore();
        store.setKeyEntry(
            "client", privateKey(key), PASSWORD, certificates(cert).toArray(Certificate[]::new));
        keys = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        keys.init(store, PASSWORD);
      }
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys != null ? keys.getKeyManagers() : null, trust.getTrustManagers(), null);
      return context;
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot use the TLS files: " + e.getMessage(), e);
    }
  }

  private static KeyStore emptyStore() throws GeneralSecurityException, IOException {
    KeyStore store = KeyStore.getInstance("PKCS12");
    store.load(null, null);
    return store;
  }

  private static List<? extends Certificate> certificates(Path pem)
      throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      List<? extends Certificate> certs =
          List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
      if (certs.isEmpty()) {
        throw new IllegalArgumentException(pem + " holds no certificate");
      }
      return certs;
    }
  }

  /** An unencrypted PKCS#8 key ("BEGIN PRIVATE KEY"): EC, RSA or EdDSA. */
  private static PrivateKey privateKey(Path pem) throws IOException, GeneralSecurityException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    String begin = "-----BEGIN PRIVATE KEY-----";
    int from = text.indexOf(begin);
    int to = text.indexOf("-----END PRIVATE KEY-----");
    if (from < 0 || to < from) {
      throw new IllegalArgumentException(pem + " holds no unencrypted PKCS#8 private key");
    }
    PKCS8EncodedKeySpec spec =
        new PKCS8EncodedKeySpec(
            Base64.getMimeDecoder().decode(text.substring(from + begin.length(), to)));
    GeneralSecurityException last = null;
    for (String algorithm : List.of("EC", "RSA", "Ed25519")) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        last = e;
      }
    }
    throw last;
  }
}
