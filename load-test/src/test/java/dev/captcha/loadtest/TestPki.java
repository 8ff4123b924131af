package dev.captcha.loadtest;

import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.X509CertificateHolder;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

/** A throw-away certificate authority with a server and a client certificate, as PEM files. */
final class TestPki {

  final Path caCert;
  final Path serverCert;
  final Path serverKey;
  final Path clientCert;
  final Path clientKey;

  TestPki(Path dir) throws Exception {
    KeyPair ca = keyPair();
    X509CertificateHolder caHolder = sign(ca, "CN=test-ca", ca, "CN=test-ca", true, false);
    caCert = pem(dir.resolve("ca.pem"), "CERTIFICATE", caHolder.getEncoded());
    KeyPair server = keyPair();
    serverCert =
        pem(
            dir.resolve("server.pem"),
            "CERTIFICATE",
            sign(server, "CN=localhost", ca, "CN=test-ca", false, true).getEncoded());
    serverKey = pem(dir.resolve("server.key"), "PRIVATE KEY", server.getPrivate().getEncoded());
    KeyPair client = keyPair();
    clientCert =
        pem(
            dir.resolve("client.pem"),
            "CERTIFICATE",
            sign(client, "CN=load-test", ca, "CN=test-ca", false, false).getEncoded());
    clientKey = pem(dir.resolve("client.key"), "PRIVATE KEY", client.getPrivate().getEncoded());
  }

  private static KeyPair keyPair() throws Exception {
    KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
    g.initialize(new ECGenParameterSpec("secp256r1"));
    return g.generateKeyPair();
  }

  private static X509CertificateHolder sign(
      KeyPair subject,
      String subjectName,
      KeyPair issuer,
      String issuerName,
      boolean isCa,
      boolean localhostNames)
      throws Exception {
    Instant now = Instant.now();
    JcaX509v3CertificateBuilder b =
        new JcaX509v3CertificateBuilder(
            new X500Name(issuerName),
            BigInteger.valueOf(now.toEpochMilli()),
            Date.from(now.minus(Duration.ofHours(1))),
            Date.from(now.plus(Duration.ofDays(1))),
            new X500Name(subjectName),
            subject.getPublic());
    b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
    if (localhostNames) {
      b.addExtension(
          Extension.subjectAlternativeName,
          false,
          new GeneralNames(
              new GeneralName[] {
                new GeneralName(GeneralName.dNSName, "localhost"),
                new GeneralName(GeneralName.iPAddress, "127.0.0.1")
              }));
    }
    return b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(issuer.getPrivate()));
  }

  private static Path pem(Path file, String type, byte[] der) throws Exception {
    String body =
        Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII)).encodeToString(der);
    Files.writeString(
        file,
        "-----BEGIN " + type + "-----\n" + body + "\n-----END " + type + "-----\n",
        StandardCharsets.US_ASCII);
    return file;
  }
}
