package dev.captcha.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PemFilesTest {

  @TempDir Path dir;

  private static KeyPair ec() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509Certificate selfSigned(KeyPair keys, String name) throws Exception {
    Instant now = Instant.now();
    X500Name subject = new X500Name("CN=" + name);
    return new JcaX509CertificateConverter()
        .getCertificate(
            new JcaX509v3CertificateBuilder(
                    subject,
                    BigInteger.ONE,
                    Date.from(now.minus(Duration.ofHours(1))),
                    Date.from(now.plus(Duration.ofDays(1))),
                    subject,
                    keys.getPublic())
                .build(new JcaContentSignerBuilder("SHA256withECDSA").build(keys.getPrivate())));
  }

  private static String pem(String type, byte[] der) {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }

  private Path write(String name, String text) throws IOException {
    return Files.writeString(dir.resolve(name), text, StandardCharsets.US_ASCII);
  }

  @Test
  void readsEveryCertificateOfAChainInOrder() throws Exception {
    X509Certificate a = selfSigned(ec(), "a");
    X509Certificate b = selfSigned(ec(), "b");
    Path file =
        write("chain.pem", pem("CERTIFICATE", a.getEncoded()) + pem("CERTIFICATE", b.getEncoded()));
    List<Certificate> certs = PemFiles.certificates(file);
    assertEquals(List.of(a, b), certs);
  }

  @Test
  void readsPkcs8KeysOfEachAlgorithm() throws Exception {
    for (String algorithm : List.of("RSA", "EC", "Ed25519")) {
      KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
      if (algorithm.equals("RSA")) {
        g.initialize(2048);
      }
      PrivateKey key = g.generateKeyPair().getPrivate();
      Path file = write(algorithm + ".pem", "comment\n" + pem("PRIVATE KEY", key.getEncoded()));
      PrivateKey read = PemFiles.privateKey(file);
      assertArrayEquals(key.getEncoded(), read.getEncoded(), algorithm);
    }
  }

  @Test
  void refusesFilesWithoutWhatTheyShouldHoldByName() throws Exception {
    Path text = write("notes.pem", "not a certificate\n");
    IllegalArgumentException noCert =
        assertThrows(IllegalArgumentException.class, () -> PemFiles.certificates(text));
    assertTrue(noCert.getMessage().startsWith(text.toString()), noCert.getMessage());

    Path broken = write("broken.pem", pem("CERTIFICATE", new byte[] {1, 2, 3, 4}));
    IllegalArgumentException bad =
        assertThrows(IllegalArgumentException.class, () -> PemFiles.certificates(broken));
    assertTrue(bad.getMessage().contains("broken certificate"), bad.getMessage());

    IllegalArgumentException noKey =
        assertThrows(IllegalArgumentException.class, () -> PemFiles.privateKey(text));
    assertEquals(text + " holds no unencrypted PKCS#8 private key", noKey.getMessage());

    Path rsaOld = write("rsa.pem", pem("RSA PRIVATE KEY", new byte[] {1, 2, 3}));
    assertThrows(IllegalArgumentException.class, () -> PemFiles.privateKey(rsaOld));

    Path junk = write("junk.pem", pem("PRIVATE KEY", new byte[] {9, 9, 9, 9}));
    IllegalArgumentException damaged =
        assertThrows(IllegalArgumentException.class, () -> PemFiles.privateKey(junk));
    assertTrue(damaged.getMessage().contains("not RSA, EC or EdDSA"), damaged.getMessage());
  }

  @Test
  void aMissingFileIsAnIoError() {
    Path missing = dir.resolve("missing.pem");
    assertThrows(NoSuchFileException.class, () -> PemFiles.certificates(missing));
    assertThrows(NoSuchFileException.class, () -> PemFiles.privateKey(missing));
  }

  @Test
  void storesHoldTheEntriesTheyWereGiven() throws Exception {
    KeyPair keys = ec();
    X509Certificate cert = selfSigned(keys, "server");
    KeyStore store = PemFiles.keyStore("server", keys.getPrivate(), List.of(cert));
    assertEquals(keys.getPrivate(), store.getKey("server", PemFiles.inMemoryPassword()));
    assertEquals(cert, store.getCertificate("server"));

    X509Certificate other = selfSigned(ec(), "other");
    KeyStore trust = PemFiles.trustStore(List.of(cert, other));
    assertEquals(2, trust.size());
    assertEquals(other, trust.getCertificate("ca-1"));

    IllegalArgumentException alone =
        assertThrows(
            IllegalArgumentException.class,
            () -> PemFiles.keyStore("server", keys.getPrivate(), List.of()));
    assertEquals("the private key comes without its certificate", alone.getMessage());
  }
}
