package dev.captcha.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.Status;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

/** The harness over mutual TLS with a bearer token, against certificates made at test time. */
@Timeout(120)
class TlsTest {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  @TempDir Path dir;
  private TestPki pki;
  private Server server;
  private Path token;

  @BeforeEach
  void start() throws Exception {
    pki = new TestPki(dir);
    token = Files.writeString(dir.resolve("token"), "t0ken\n");
    ServerInterceptor requireToken =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            if (!"Bearer t0ken".equals(headers.get(AUTHORIZATION))) {
              call.close(Status.UNAUTHENTICATED.withDescription("bad token"), new Metadata());
              return new ServerCall.Listener<>() {};
            }
            return next.startCall(call, headers);
          }
        };
    TlsServerCredentials.Builder creds =
        TlsServerCredentials.newBuilder()
            .keyManager(pki.serverCert.toFile(), pki.serverKey.toFile())
            .trustManager(pki.caCert.toFile())
            .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    server =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0), creds.build())
            .directExecutor()
            .addService(ServerInterceptors.intercept(new NoopSolverService(), requireToken))
            .build()
            .start();
  }

  @AfterEach
  void stop() {
    server.shutdownNow();
  }

  private Channels.Settings settings(boolean clientCert, Path tokenFile) {
    return new Channels.Settings(
        List.of("localhost:" + server.getPort()),
        1,
        pki.caCert,
        clientCert ? pki.clientCert : null,
        clientCert ? pki.clientKey : null,
        false,
        tokenFile,
        null,
        0);
  }

  @Test
  void runsOverMutualTlsWithAToken() throws Exception {
    Workload w =
        new Workload(
            List.of(
                new Workload.Item("noop", dev.captcha.api.v1.SolveRequest.getDefaultInstance())),
            "one");
    LoadConfig config =
        new LoadConfig(
            Rpc.UNARY,
            Duration.ofMillis(500),
            Duration.ofMillis(100),
            Duration.ofSeconds(5),
            1,
            100,
            Arrivals.CONSTANT,
            1,
            Duration.ofMillis(250),
            Duration.ofSeconds(5));
    try (Channels channels = Channels.open(settings(true, token))) {
      assertEquals("noop 0", Harness.describeServer(channels.channels().get(0)));
      RunResult r =
          new LoadRun(config, channels.channels(), w, new SystemTicker(), null)
              .run(LoadPoint.openLoop(100));
      assertEquals(50, r.sent());
      assertEquals(50, r.ok());
      assertEquals(1.0, r.accuracy().exactShare());
    }
  }

  @Test
  void missingClientCertificateOrTokenFailsClearly() throws Exception {
    try (Channels channels = Channels.open(settings(false, token))) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> Harness.describeServer(channels.channels().get(0)));
      assertTrue(e.getMessage().contains("UNAVAILABLE"), e.getMessage());
    }
    Path wrong = Files.writeString(dir.resolve("wrong"), "nope");
    try (Channels channels = Channels.open(settings(true, wrong))) {
      IllegalStateException e =
          assertThrows(
              IllegalStateException.class,
              () -> Harness.describeServer(channels.channels().get(0)));
      assertTrue(e.getMessage().contains("UNAUTHENTICATED"), e.getMessage());
    }
  }
}
