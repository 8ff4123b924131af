package dev.captcha.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.server.ServingStack;
import dev.captcha.server.testsupport.Images;
import dev.captcha.server.testsupport.TestCertificates;
import dev.captcha.server.testsupport.TinyOnnxModel;
import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyStore;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.time.Duration;
import java.util.Map;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManagerFactory;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The HTTP/JSON port under the same TLS files as the gRPC port: server TLS and mutual TLS. */
class HttpTlsTest {
  private static final char[] PASSWORD = "test".toCharArray();

  @TempDir Path dir;

  @Test
  void servesHttpsWithTheGrpcPortsCertificate() throws Exception {
    TestCertificates ca = TestCertificates.newCa(dir, "ca");
    TestCertificates.Issued server = ca.server(dir, "server");
    try (ServingStack stack =
        new ServingStack(
            dir, "--tls-cert", server.cert().toString(), "--tls-key", server.key().toString())) {
      assertTrue(stack.httpBase().startsWith("https://"), stack.httpBase());
      HttpCalls https = new HttpCalls(client(ca, null), stack.httpBase());
      HttpResponse<String> answer = https.post("/v1/solve", "image/png", Images.white(), Map.of());
      assertEquals(200, answer.statusCode(), answer.body());
      assertTrue(answer.body().contains("\"" + TinyOnnxModel.WHITE_TEXT + "\""), answer.body());

      // Plaintext HTTP to the TLS port gets no answer from the API.
      HttpClient plain = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(30)).build();
      String plainBase = stack.httpBase().replace("https://", "http://");
      int status;
      try {
        status =
            plain
                .send(
                    HttpRequest.newBuilder(URI.create(plainBase + "/healthz")).build(),
                    HttpResponse.BodyHandlers.ofString())
                .statusCode();
      } catch (IOException e) {
        status = -1;
      }
      assertTrue(status != 200, "plaintext HTTP answered " + status);
    }
  }

  @Test
  void mutualTlsRefusesAClientWithoutACertificate() throws Exception {
    TestCertificates ca = TestCertificates.newCa(dir, "ca");
    TestCertificates.Issued server = ca.server(dir, "server");
    TestCertificates.Issued client = ca.client(dir, "client");
    try (ServingStack stack =
        new ServingStack(
            dir,
            "--tls-cert",
            server.cert().toString(),
            "--tls-key",
            server.key().toString(),
            "--tls-client-ca",
            ca.caCert().toString())) {
      HttpCalls withCertificate = new HttpCalls(client(ca, client), stack.httpBase());
      HttpResponse<String> answer =
          withCertificate.post("/v1/solve", "image/png", Images.black(), Map.of());
      assertEquals(200, answer.statusCode(), answer.body());
      assertTrue(answer.body().contains("\"" + TinyOnnxModel.BLACK_TEXT + "\""), answer.body());

      HttpClient anonymous = client(ca, null);
      assertThrows(
          IOException.class,
          () ->
              anonymous.send(
                  HttpRequest.newBuilder(URI.create(stack.httpBase() + "/v1/model")).build(),
                  HttpResponse.BodyHandlers.ofString()));
    }
  }

  /** A client trusting {@code ca}, presenting {@code identity} where it is not null. */
  private static HttpClient client(TestCertificates ca, TestCertificates.Issued identity)
      throws Exception {
    KeyStore trust = KeyStore.getInstance("PKCS12");
    trust.load(null, null);
    trust.setCertificateEntry("ca", certificate(ca.caCert()));
    TrustManagerFactory trustManagers =
        TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    trustManagers.init(trust);
    KeyManagerFactory keyManagers = null;
    if (identity != null) {
      KeyStore keys = KeyStore.getInstance("PKCS12");
      keys.load(null, null);
      keys.setKeyEntry(
          "client",
          identity.keyPair().getPrivate(),
          PASSWORD,
          new Certificate[] {identity.certificate()});
      keyManagers = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
      keyManagers.init(keys, PASSWORD);
    }
    SSLContext context = SSLContext.getInstance("TLS");
    context.init(
        keyManagers != null ? keyManagers.getKeyManagers() : null,
        trustManagers.getTrustManagers(),
        null);
    return HttpClient.newBuilder()
        .sslContext(context)
        .connectTimeout(Duration.ofSeconds(30))
        .build();
  }

  private static Certificate certificate(Path pem) throws Exception {
    try (InputStream in = Files.newInputStream(pem)) {
      return CertificateFactory.getInstance("X.509").generateCertificate(in);
    }
  }
}
