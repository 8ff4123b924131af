package dev.captcha.cli;

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
import java.security.cert.CertificateException;
import java.security.cert.CertificateFactory;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.Base64;
import java.util.List;

/**
 * Reads the PEM files that the server's and the load test's TLS options name (certificates, and an
 * unencrypted PKCS#8 private key) into JDK objects, and makes the in-memory key stores they go
 * into; stateless and thread-safe.
 */
public final class PemFiles {

  /** Password of the in-memory key stores; they never leave the process. */
  private static final String IN_MEMORY_PASSWORD = "in-memory";

  private static final String KEY_BEGIN = "-----BEGIN PRIVATE KEY-----";
  private static final String KEY_END = "-----END PRIVATE KEY-----";

  /** Key algorithms a PKCS#8 key is tried as, in turn. */
  private static final List<String> KEY_ALGORITHMS = List.of("RSA", "EC", "Ed25519", "EdDSA");

  private PemFiles() {}

  /**
   * The X.509 certificates of a PEM file, in file order.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when it holds no certificate or a broken one
   */
  public static List<Certificate> certificates(Path pem) throws IOException {
    List<Certificate> certs;
    try (InputStream in = Files.newInputStream(pem)) {
      certs = List.copyOf(CertificateFactory.getInstance("X.509").generateCertificates(in));
    } catch (CertificateException e) {
      throw new IllegalArgumentException(pem + " holds a broken certificate: " + e.getMessage(), e);
    }
    if (certs.isEmpty()) {
      throw new IllegalArgumentException(pem + " holds no certificate");
    }
    return certs;
  }

  /**
   * The unencrypted PKCS#8 private key ({@code BEGIN PRIVATE KEY}) of a PEM file: RSA, EC or EdDSA.
   *
   * @throws IOException when the file cannot be read
   * @throws IllegalArgumentException when it holds no such key, or one of no known algorithm
   */
  public static PrivateKey privateKey(Path pem) throws IOException {
    String text = Files.readString(pem, StandardCharsets.US_ASCII);
    int begin = text.indexOf(KEY_BEGIN);
    int end = text.indexOf(KEY_END);
    if (begin < 0 || end < begin) {
      throw new IllegalArgumentException(pem + " holds no unencrypted PKCS#8 private key");
    }
    byte[] der;
    try {
      der = Base64.getMimeDecoder().decode(text.substring(begin + KEY_BEGIN.length(), end));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException(pem + " holds a private key that is not Base64", e);
    }
    PKCS8EncodedKeySpec spec = new PKCS8EncodedKeySpec(der);
    for (String algorithm : KEY_ALGORITHMS) {
      try {
        return KeyFactory.getInstance(algorithm).generatePrivate(spec);
      } catch (GeneralSecurityException e) {
        // not this algorithm (or the JDK lacks it); try the next
      }
    }
    throw new IllegalArgumentException(
        pem + " holds a private key that is not RSA, EC or EdDSA, or is damaged");
  }

  /** The password of the key stores {@link #keyStore} makes, a fresh copy each call. */
  public static char[] inMemoryPassword() {
    return IN_MEMORY_PASSWORD.toCharArray();
  }

  /** An empty PKCS#12 key store in memory. */
  public static KeyStore emptyKeyStore() {
    try {
      KeyStore store = KeyStore.getInstance("PKCS12");
      store.load(null, null);
      return store;
    } catch (GeneralSecurityException | IOException e) {
      throw new IllegalStateException("the JDK offers no PKCS12 key store", e);
    }
  }

  /** An in-memory key store holding {@code certificates} as trusted entries. */
  public static KeyStore trustStore(List<Certificate> certificates) {
    KeyStore store = emptyKeyStore();
    try {
      for (int i = 0; i < certificates.size(); i++) {
        store.setCertificateEntry("ca-" + i, certificates.get(i));
      }
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("cannot add a certificate to an in-memory store", e);
    }
    return store;
  }

  /**
   * An in-memory key store holding {@code key} with its certificate {@code chain} under {@code
   * alias}, protected by {@link #inMemoryPassword}. Whether the key matches the certificate is left
   * to the TLS handshake.
   *
   * @throws IllegalArgumentException when the chain is empty
   */
  public static KeyStore keyStore(String alias, PrivateKey key, List<Certificate> chain) {
    if (chain.isEmpty()) {
      throw new IllegalArgumentException("the private key comes without its certificate");
    }
    KeyStore store = emptyKeyStore();
    try {
      store.setKeyEntry(alias, key, inMemoryPassword(), chain.toArray(Certificate[]::new));
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("cannot store the key with its certificate: " + e, e);
    }
    return store;
  }
}
