package dev.captcha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.captcha.client.CaptchaSolverClient;
import dev.captcha.server.testsupport.OnnxWeights;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * One server watching a copy of the bundled model while a client sends: a file with a wrong input
 * shape is refused and the old model keeps serving; a new version with other weights is taken into
 * service and answers differently; no call fails throughout. Skipped without the server jar or the
 * bundled model.
 */
class HotReloadTest {
  @TempDir Path dir;

  /** Replaces the watched file in one step, as a deployment should. */
  private void publish(byte[] model, Path watched) throws Exception {
    Path staged = dir.resolve("staged.onnx");
    Files.write(staged, model);
    Files.move(
        staged, watched, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static boolean within(Duration timeout, BooleanSupplier condition)
      throws InterruptedException {
    long end = System.nanoTime() + timeout.toNanos();
    while (!condition.getAsBoolean()) {
      if (System.nanoTime() > end) {
        return false;
      }
      // Waits on another process; poll it.
      Thread.sleep(100);
    }
    return true;
  }

  @Test
  void aNewModelFileIsTakenIntoServiceUnderLoadWithoutAFailedCall() throws Exception {
    assumeTrue(
        Files.isRegularFile(Repository.serverJar()),
        "skipped: no server jar at " + Repository.serverJar() + " (./mvnw -pl server package)");
    assumeTrue(
        Files.isRegularFile(Repository.bundledModel()),
        "skipped: no bundled model at " + Repository.bundledModel());
    byte[] original = Files.readAllBytes(Repository.bundledModel());
    String v1 = OnnxMetadataEditor.metadata(original).get("captcha.model.version");
    String v2 = v1 + "-reloaded";
    // Other weights (the exporter's output layer negated), so an answer shows which model gave it.
    byte[] next =
        OnnxMetadataEditor.withMetadata(
            OnnxWeights.negated(original, "head_weight", "head_bias"),
            Map.of("captcha.model.version", v2));
    byte[] probe = Load.captchas(1).get(0);
    byte[] wrongShape =
        OnnxMetadataEditor.withMetadata(
            original, Map.of("captcha.model.version", "wrong-shape", "captcha.input.width", "999"));
    Path watched = dir.resolve("model.onnx");
    Files.write(watched, original);

    try (ServerProcess server =
            ServerProcess.start(
                "watcher", watched, dir, "--watch-model", "--watch-interval", "200ms");
        CaptchaSolverClient client =
            CaptchaSolverClient.builder()
                .target(server.target())
                .deadline(Duration.ofSeconds(20))
                .build()) {
      assertEquals(v1, server.awaitReady().version());
      String firstAnswer = client.solve(probe).text();
      Load load = new Load(Load.captchas(16), 6);
      AtomicBoolean stop = new AtomicBoolean();
      CompletableFuture<Integer> sending =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return load.run(client, 20_000, stop::get);
                } catch (InterruptedException e) {
                  throw new IllegalStateException(e);
                }
              });
      try {
        assertTrue(load.awaitAnswered(50, 60_000), "no answers before the swap");

        publish(wrongShape, watched);
        assertTrue(
            within(Duration.ofSeconds(30), () -> server.log().contains("refused")),
            "the wrong model was not refused:\n" + server.logTail());
        assertEquals(v1, server.modelInfo().version(), "the old model must keep serving");
        int beforeSwap = load.answered();

        publish(next, watched);
        assertTrue(
            within(Duration.ofSeconds(60), () -> v2.equals(server.modelInfo().version())),
            "the new model was not taken into service:\n" + server.logTail());
        assertTrue(load.awaitAnswered(load.answered() + 50, 60_000), "no answers after the swap");
        String secondAnswer = client.solve(probe).text();
        assertNotEquals(
            firstAnswer,
            secondAnswer,
            "the same answer after the swap: the new weights are not in use");
        assertTrue(load.answered() > beforeSwap);
      } finally {
        stop.set(true);
      }
      int sent = sending.get(2, TimeUnit.MINUTES);
      assertEquals(List.of(), load.failures(), "calls failed during the swap");
      assertEquals(sent, load.answered());
      assertNotEquals(v1, v2);
      assertTrue(
          server.metrics().contains("version=\"" + v2 + "\""),
          "the metrics do not show the version in force");
    }
  }
}
