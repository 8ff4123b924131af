package dev.captcha.server.security;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.server.grpc.CaptchaServer;
import dev.captcha.server.grpc.GrpcTransport;
import dev.captcha.server.testsupport.FakeSolver;
import dev.captcha.server.testsupport.TestCertificates;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.TlsChannelCredentials;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TlsSettingsTest {
  private static final SolveRequest REQUEST =
      SolveRequest.newBuilder().setId("1").setImage(ByteString.copyFromUtf8("png")).build();

  @TempDir Path dir;
  private TestCertificates ca;
  private TestCertificates.Issued serverCert;
  private CaptchaServer server;

  @BeforeEach
  void certificates() throws Exception {
    ca = TestCertificates.newCa(dir, "test-ca");
    serverCert = ca.server(dir, "server");
  }

  @AfterEach
  void stop() throws Exception {
    if (server != null) {
      server.shutdownNow();
      server.awaitTermination(Duration.ofSeconds(10));
    }
  }

  private int start(TlsSettings tls) throws Exception {
    server = GrpcTransport.forService(new FakeSolver()).tls(tls).netty(0).start();
    return server.port();
  }

  private static String solve(int port, ChannelCredentials credentials) throws Exception {
    ManagedChannel channel =
        Grpc.newChannelBuilderForAddress("localhost", port, credentials).build();
    try {
      return CaptchaSolverGrpc.newBlockingStub(channel)
          .withDeadlineAfter(5, TimeUnit.MINUTES)
          .solve(REQUEST)
          .getText();
    } finally {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
  }

  @Test
  void servesTls() throws Exception {
    int port = start(TlsSettings.of(serverCert.cert(), serverCert.key(), null));
    ChannelCredentials trusting =
        TlsChannelCredentials.newBuilder().trustManager(ca.caCert().toFile()).build();
    assertEquals("text", solve(port, trusting));
  }

  @Test
  void plaintextClientCannotTalkToTlsServer() throws Exception {
    int port = start(TlsSettings.of(serverCert.cert(), serverCert.key(), null));
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> solve(port, InsecureChannelCredentials.create()));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }

  @Test
  void clientRefusesAServerItDoesNotTrust() throws Exception {
    int port = start(TlsSettings.of(serverCert.cert(), serverCert.key(), null));
    TestCertificates otherCa = TestCertificates.newCa(dir, "other-ca");
    ChannelCredentials trustingOther =
        TlsChannelCredentials.newBuilder().trustManager(otherCa.caCert().toFile()).build();
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> solve(port, trustingOther));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }

  @Test
  void mutualTlsAcceptsAClientWithACertificateFromTheCa() throws Exception {
    int port = start(TlsSettings.of(serverCert.cert(), serverCert.key(), ca.caCert()));
    TestCertificates.Issued client = ca.client(dir, "client");
    ChannelCredentials credentials =
        TlsChannelCredentials.newBuilder()
            .trustManager(ca.caCert().toFile())
            .keyManager(client.cert().toFile(), client.key().toFile())
            .build();
    assertEquals("text", solve(port, credentials));
  }

  @Test
  void mutualTlsRejectsAClientWithoutACertificate() throws Exception {
    int port = start(TlsSettings.of(serverCert.cert(), serverCert.key(), ca.caCert()));
    ChannelCredentials noCert =
        TlsChannelCredentials.newBuilder().trustManager(ca.caCert().toFile()).build();
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> solve(port, noCert));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }

  @Test
  void mutualTlsRejectsAClientCertificateFromAnotherCa() throws Exception {
    int port = start(TlsSettings.of(serverCert.cert(), serverCert.key(), ca.caCert()));
    TestCertificates otherCa = TestCertificates.newCa(dir, "other-ca");
    TestCertificates.Issued stranger = otherCa.client(dir, "stranger");
    ChannelCredentials credentials =
        TlsChannelCredentials.newBuilder()
            .trustManager(ca.caCert().toFile())
            .keyManager(stranger.cert().toFile(), stranger.key().toFile())
            .build();
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> solve(port, credentials));
    assertEquals(Status.Code.UNAVAILABLE, e.getStatus().getCode());
  }

  @Test
  void validatesTheCombinationOfFlags() throws Exception {
    assertFalse(TlsSettings.plaintext().enabled());
    assertThrows(
        IllegalArgumentException.class, () -> TlsSettings.of(serverCert.cert(), null, null));
    assertThrows(IllegalArgumentException.class, () -> TlsSettings.of(null, null, ca.caCert()));
    assertThrows(
        IllegalArgumentException.class,
        () -> TlsSettings.of(serverCert.cert(), dir.resolve("missing.key"), null));
    TlsSettings mutual = TlsSettings.of(serverCert.cert(), serverCert.key(), ca.caCert());
    assertTrue(mutual.enabled());
    assertTrue(mutual.mutual());
    assertEquals("mutual TLS", mutual.describe());
  }
}
