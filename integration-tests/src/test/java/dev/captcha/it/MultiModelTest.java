package dev.captcha.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import dev.captcha.client.CaptchaSolverClient;
import dev.captcha.client.ModelDescription;
import dev.captcha.client.UnknownModelException;
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
 * One server started with {@code --model-dir} on a folder holding the two bundled models (float32
 * and int8) under other names: requests choose their model by name, a request naming none goes to
 * the default, an unknown name is NOT_FOUND naming the models served; while a client sends to one
 * model, a file added, replaced and removed in the folder is picked up and no call fails. Skipped
 * without the server jar or the bundled models.
 */
class MultiModelTest {
  @TempDir Path dir;

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

  /** Puts a file into the folder in one step, as a deployment should. */
  private void publish(Path from, Path to) throws Exception {
    Path staged = dir.resolve("staged.tmp");
    Files.copy(from, staged, StandardCopyOption.REPLACE_EXISTING);
    Files.move(staged, to, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
  }

  private static Map<String, ModelDescription> models(ServerProcess server) {
    try (CaptchaSolverClient c =
        CaptchaSolverClient.builder()
            .target(server.target())
            .deadline(Duration.ofSeconds(5))
            .build()) {
      return c.models();
    }
  }

  @Test
  void requestsChooseTheirModelAndTheFolderIsFollowedWithoutAFailedCall() throws Exception {
    assumeTrue(
        Files.isRegularFile(Repository.serverJar()),
        "skipped: no server jar at " + Repository.serverJar() + " (./mvnw -pl server package)");
    Path fp32 = Repository.root().resolve("models/captcha-resnet.onnx");
    Path int8 = Repository.root().resolve("models/captcha-resnet-int8.onnx");
    assumeTrue(
        Files.isRegularFile(fp32) && Files.isRegularFile(int8),
        "skipped: the bundled models are missing under " + Repository.root().resolve("models"));
    Path folder = Files.createDirectories(dir.resolve("models"));
    Files.copy(fp32, folder.resolve("shop-a.onnx"));
    Files.copy(int8, folder.resolve("shop-b.onnx"));
    byte[] probe = Load.captchas(1).get(0);

    try (ServerProcess server =
            ServerProcess.startModelDir(
                "multi", folder, dir, "--default-model", "shop-b", "--watch-interval", "200ms");
        CaptchaSolverClient byDefault =
            CaptchaSolverClient.builder()
                .target(server.target())
                .deadline(Duration.ofSeconds(20))
                .build();
        CaptchaSolverClient shopA =
            CaptchaSolverClient.builder()
                .target(server.target())
                .deadline(Duration.ofSeconds(20))
                .model("shop-a")
                .build();
        CaptchaSolverClient unknown =
            CaptchaSolverClient.builder()
                .target(server.target())
                .deadline(Duration.ofSeconds(20))
                .model("shop-z")
                .build()) {
      assertEquals("int8", server.awaitReady().precision(), "GetModelInfo describes the default");
      Map<String, ModelDescription> served = byDefault.models();
      assertEquals(List.of("shop-b", "shop-a"), List.copyOf(served.keySet()), "default first");
      assertEquals("float32", served.get("shop-a").precision());
      assertEquals("float32", shopA.modelInfo().precision());

      assertEquals("shop-b", byDefault.solve(probe).model());
      assertEquals("shop-a", shopA.solve(probe).model());
      assertEquals(4, shopA.solve(probe).text().length());
      UnknownModelException e =
          assertThrows(UnknownModelException.class, () -> unknown.solve(probe));
      assertTrue(e.getMessage().contains("shop-z"), e.getMessage());
      assertTrue(e.getMessage().contains("shop-b, shop-a"), e.getMessage());
      assertThrows(UnknownModelException.class, unknown::modelInfo);

      Load load = new Load(Load.captchas(16), 4);
      AtomicBoolean stop = new AtomicBoolean();
      CompletableFuture<Integer> sending =
          CompletableFuture.supplyAsync(
              () -> {
                try {
                  return load.run(shopA, 20_000, stop::get);
                } catch (InterruptedException ex) {
                  throw new IllegalStateException(ex);
                }
              });
      try {
        assertTrue(load.awaitAnswered(30, 60_000), "no answers before the changes");

        publish(int8, folder.resolve("shop-c.onnx"));
        assertTrue(
            within(Duration.ofSeconds(60), () -> models(server).containsKey("shop-c")),
            "an added file was not taken into service:\n" + server.logTail());
        try (CaptchaSolverClient shopC =
            CaptchaSolverClient.builder().target(server.target()).model("shop-c").build()) {
          assertEquals("shop-c", shopC.solve(probe).model());
        }

        int before = load.answered();
        publish(int8, folder.resolve("shop-a.onnx")); // shop-a, under load, becomes int8
        assertTrue(
            within(
                Duration.ofSeconds(60),
                () -> "int8".equals(models(server).get("shop-a").precision())),
            "a replaced file was not taken into service:\n" + server.logTail());
        assertTrue(load.awaitAnswered(load.answered() + 30, 60_000), "no answers after replacing");
        assertTrue(load.answered() > before);

        Files.delete(folder.resolve("shop-c.onnx"));
        assertTrue(
            within(Duration.ofSeconds(60), () -> !models(server).containsKey("shop-c")),
            "a removed file was still served:\n" + server.logTail());
      } finally {
        stop.set(true);
      }
      int sent = sending.get(2, TimeUnit.MINUTES);
      assertEquals(List.of(), load.failures(), "calls failed while the folder changed");
      assertEquals(sent, load.answered());
      String metrics = server.metrics();
      assertTrue(
          metrics.contains("captcha_model_requests_total{model=\"shop-a\",outcome=\"answered\"}"),
          "no per-model request count in the metrics");
      assertFalse(
          metrics
              .lines()
              .anyMatch(l -> l.startsWith("captcha_served_model_info") && l.contains("shop-c")),
          "a removed model is still reported");
    }
  }
}
