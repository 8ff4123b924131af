package dev.captcha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.captcha.client.CaptchaSolverClient;
import dev.captcha.client.RetrySettings;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three server processes on loopback behind one client balancing round-robin: the load spreads
 * evenly, a replica killed under load costs no request (its calls in flight are retried on the
 * others), and a replica that comes back gets traffic again. Skipped without the server jar or the
 * bundled model.
 */
class MultiReplicaTest {
  private static final int REPLICAS = 3;

  @TempDir static Path logs;
  private static final List<ServerProcess> servers = new ArrayList<>();
  private static List<byte[]> images;

  @BeforeAll
  static void startServers() throws Exception {
    assumeTrue(
        Files.isRegularFile(Repository.serverJar()),
        "skipped: no server jar at " + Repository.serverJar() + " (./mvnw -pl server package)");
    assumeTrue(
        Files.isRegularFile(Repository.bundledModel()),
        "skipped: no bundled model at " + Repository.bundledModel());
    images = Load.captchas(16);
    for (int i = 0; i < REPLICAS; i++) {
      servers.add(ServerProcess.start("replica-" + i, Repository.bundledModel(), logs));
    }
    for (ServerProcess s : servers) {
      s.awaitReady();
    }
  }

  /** A test that failed with a replica down must not take the next test with it. */
  @BeforeEach
  void everyReplicaUp() throws Exception {
    for (ServerProcess s : servers) {
      if (!s.isAlive()) {
        s.restart();
      }
    }
    for (ServerProcess s : servers) {
      s.awaitReady();
    }
  }

  @AfterAll
  static void stopServers() throws InterruptedException {
    for (ServerProcess s : servers) {
      s.close();
    }
  }

  private static CaptchaSolverClient client() {
    return CaptchaSolverClient.builder()
        .targets(servers.stream().map(ServerProcess::target).toList())
        .deadline(Duration.ofSeconds(20))
        .retry(new RetrySettings(5, Duration.ofMillis(50), Duration.ofMillis(500), 2.0))
        .build();
  }

  private static long[] solved() throws Exception {
    long[] counts = new long[REPLICAS];
    for (int i = 0; i < REPLICAS; i++) {
      counts[i] = servers.get(i).solvedOk();
    }
    return counts;
  }

  @Test
  void roundRobinGivesEachReplicaAFairShare() throws Exception {
    int calls = 240;
    try (CaptchaSolverClient client = client()) {
      Load warm = new Load(images, 3);
      warm.run(client, 3 * REPLICAS, () -> false);
      long[] before = solved();
      Load load = new Load(images, 6);
      load.run(client, calls, () -> false);
      long[] after = solved();

      assertEquals(List.of(), load.failures());
      assertEquals(calls, load.answered());
      System.out.printf(
          "calls answered per replica: %d, %d, %d of %d%n",
          after[0] - before[0], after[1] - before[1], after[2] - before[2], calls);
      long total = 0;
      for (int i = 0; i < REPLICAS; i++) {
        long share = after[i] - before[i];
        total += share;
        // Round-robin gives each exactly a third but for the calls in flight at the edges.
        assertTrue(
            share >= calls / REPLICAS - 20 && share <= calls / REPLICAS + 20,
            servers.get(i).name() + " answered " + share + " of " + calls);
      }
      assertEquals(calls, total, "the replicas' counters add up to the calls sent");
    }
  }

  @Test
  void aReplicaKilledUnderLoadCostsNoRequestAndGetsTrafficWhenItReturns() throws Exception {
    ServerProcess victim = servers.get(1);
    int calls = 500;
    try (CaptchaSolverClient client = client()) {
      Load load = new Load(images, 12);
      CompletableFuture<Integer> sending =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return load.run(client, calls, () -> false);
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      assertTrue(load.awaitAnswered(calls / 4, 60_000), "no progress before the kill");
      assertTrue(victim.solvedOk() > 0, "the victim was not serving before the kill");
      victim.kill();
      assertEquals(calls, sending.get(2, TimeUnit.MINUTES));
      assertEquals(List.of(), load.failures(), "calls lost when a replica died");
      assertEquals(calls, load.answered());

      victim.restart();
      victim.awaitReady();
      // The client reconnects with its own backoff; send until the replica is picked again.
      Load again = new Load(images, 6);
      long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
      while (victim.solvedOk() == 0 && System.nanoTime() < deadline) {
        again.run(client, 30, () -> false);
      }
      assertTrue(victim.solvedOk() > 0, "the restarted replica got no traffic");
      assertEquals(List.of(), again.failures());
    }
  }
}
