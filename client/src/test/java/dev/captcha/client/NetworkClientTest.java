package dev.captcha.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.Grpc;
import io.grpc.InsecureServerCredentials;
import io.grpc.Server;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.testing.TlsTesting;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The client's own channel over real sockets on loopback: round-robin, failover, DNS targets, TLS.
 */
class NetworkClientTest {
  private final List<Server> servers = new ArrayList<>();

  @AfterEach
  void stop() throws Exception {
    for (Server s : servers) {
      s.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    }
  }

  private Server serve(FakeSolver fake, ServerCredentials credentials) throws Exception {
    Server s =
        Grpc.newServerBuilderForPort(0, credentials).addService(fake.definition()).build().start();
    servers.add(s);
    return s;
  }

  private static byte[] img(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void severalTargetsAreBalancedRoundRobinAndADeadReplicaIsRetriedElsewhere() throws Exception {
    FakeSolver f1 = new FakeSolver();
    FakeSolver f2 = new FakeSolver();
    Server s1 = serve(f1, InsecureServerCredentials.create());
    Server s2 = serve(f2, InsecureServerCredentials.create());
    try (CaptchaSolverClient client =
        CaptchaSolverClient.builder()
            .deadline(Duration.ofMinutes(5))
            .target("127.0.0.1:" + s1.getPort())
            .target("127.0.0.1:" + s2.getPort())
            .build()) {
      client.modelInfo(); // connects
      for (int i = 0; i < 40; i++) {
        assertEquals("r" + i, client.solve(img("r" + i)).text());
      }
      assertEquals(40, f1.solveCalls.get() + f2.solveCalls.get());
      assertTrue(
          f1.solveCalls.get() >= 10 && f2.solveCalls.get() >= 10,
          "both replicas get a share: " + f1.solveCalls + " and " + f2.solveCalls);

      s1.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
      int before = f2.solveCalls.get();
      for (int i = 0; i < 20; i++) {
        assertEquals("k" + i, client.solve(img("k" + i)).text());
      }
      assertEquals(before + 20, f2.solveCalls.get());

      List<CaptchaImage> batch =
          IntStream.range(0, 25).mapToObj(i -> CaptchaImage.of("b" + i, img("b" + i))).toList();
      assertEquals(25, client.solveAll(batch, BatchOptions.inOrder(), o -> o.result()).succeeded());
    }
  }

  @Test
  void aDnsTargetUsesTheResolvedAddresses() throws Exception {
    FakeSolver f = new FakeSolver();
    Server s = serve(f, InsecureServerCredentials.create());
    try (CaptchaSolverClient client =
        CaptchaSolverClient.builder()
            .deadline(Duration.ofMinutes(5))
            .target("dns:///localhost:" + s.getPort())
            .build()) {
      assertEquals("dns1", client.solve(img("dns1")).text());
    }
  }

  private static Path copy(String cert, Path dir) throws Exception {
    try (InputStream in = TlsTesting.loadCert(cert)) {
      Path p = dir.resolve(cert);
      Files.copy(in, p);
      return p;
    }
  }

  @Test
  void mutualTlsWithBearerToken(@TempDir Path dir) throws Exception {
    Path ca = copy("ca.pem", dir);
    Path serverCert = copy("server1.pem", dir);
    Path serverKey = copy("server1.key", dir);
    Path clientCert = copy("client.pem", dir);
    Path clientKey = copy("client.key", dir);
    FakeSolver f = new FakeSolver().requireToken("tls-token");
    Server s =
        serve(
            f,
            TlsServerCredentials.newBuilder()
                .keyManager(serverCert.toFile(), serverKey.toFile())
                .trustManager(ca.toFile())
                .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE)
                .build());
    String target = "localhost:" + s.getPort();
    try (CaptchaSolverClient client =
        CaptchaSolverClient.builder()
            .target(target)
            .deadline(Duration.ofMinutes(5))
            .trustCa(ca)
            .clientCertificate(clientCert, clientKey)
            .overrideAuthority("foo.test.google.fr")
            .bearerToken("tls-token")
            .build()) {
      assertEquals("safe", client.solve(img("safe")).text());
    }
    try (CaptchaSolverClient noCert =
        CaptchaSolverClient.builder()
            .target(target)
            .trustCa(ca)
            .overrideAuthority("foo.test.google.fr")
            .bearerToken("tls-token")
            .retry(RetrySettings.none())
            .build()) {
      assertThrows(UnavailableException.class, () -> noCert.solve(img("safe")));
    }
    try (CaptchaSolverClient plain =
        CaptchaSolverClient.builder().target(target).retry(RetrySettings.none()).build()) {
      assertThrows(UnavailableException.class, () -> plain.solve(img("safe")));
    }
  }
}
