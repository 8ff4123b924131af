package dev.captcha.server.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.server.batch.BatchResult;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.batch.NanoClock;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** Swaps models under the real batcher while several threads submit requests. */
class HotSwapUnderBatcherTest {

  @Test
  void noAcceptedRequestFailsWhileModelsAreSwapped() throws Exception {
    int instances = 2;
    int versions = 4;
    List<FakeModel> models = new ArrayList<>();
    for (int v = 1; v <= versions; v++) {
      models.add(new FakeModel(Integer.toString(v)));
    }
    ModelLoader<String, String> loader =
        file -> models.get(Integer.parseInt(file.getFileName().toString()) - 1);
    HotSwapModel<String, String> hot =
        new HotSwapModel<>(models.get(0), loader, instances, 8, "blank", ReloadListener.NONE);
    BatcherSettings settings =
        BatcherSettings.defaults()
            .withMaxBatchSize(8)
            .withMaxQueueDelay(Duration.ofMillis(1))
            .withInstances(instances)
            .withMaxQueueLength(100_000);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    ExecutorService workers = Executors.newFixedThreadPool(instances);
    ExecutorService clients = Executors.newFixedThreadPool(3);
    try {
      MicroBatcher<String, String> batcher =
          new MicroBatcher<>(
              settings, hot.engines(), NanoClock.SYSTEM, DelayScheduler.of(timer), workers);
      int perClient = 3_000;
      List<CompletableFuture<List<CompletableFuture<BatchResult<String>>>>> senders =
          new ArrayList<>();
      for (int c = 0; c < 3; c++) {
        int client = c;
        senders.add(
            CompletableFuture.supplyAsync(
                () -> {
                  List<CompletableFuture<BatchResult<String>>> sent = new ArrayList<>();
                  for (int i = 0; i < perClient; i++) {
                    sent.add(batcher.add(client + "-" + i));
                  }
                  return sent;
                },
                clients));
      }
      for (int v = 2; v <= versions; v++) {
        hot.reload(Path.of(Integer.toString(v)));
      }
      Set<String> seenVersions = new HashSet<>();
      int answered = 0;
      for (int c = 0; c < 3; c++) {
        List<CompletableFuture<BatchResult<String>>> sent =
            senders.get(c).get(60, TimeUnit.SECONDS);
        for (int i = 0; i < perClient; i++) {
          String out = sent.get(i).get(60, TimeUnit.SECONDS).output();
          String version = out.substring(0, out.indexOf(':'));
          assertEquals(version + ":" + c + "-" + i, out);
          seenVersions.add(version);
          answered++;
        }
      }
      assertEquals(3 * perClient, answered);
      assertTrue(seenVersions.size() >= 1 && seenVersions.size() <= versions, "" + seenVersions);
      assertEquals(Integer.toString(versions), hot.metadata().version());
      assertTrue(batcher.close(Duration.ofSeconds(30)));
      hot.close();
      for (FakeModel m : models) {
        assertTrue(m.closed.get(), "model " + m.version + " left open");
        assertEquals(0, m.misuse.get(), "model " + m.version + " misused");
      }
    } finally {
      clients.shutdownNow();
      workers.shutdownNow();
      timer.shutdownNow();
    }
  }
}
