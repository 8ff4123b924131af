package dev.captcha.server.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.model.ModelFormatException;
import dev.captcha.model.ModelMetadata;
import dev.captcha.server.batch.BatchEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class HotSwapModelTest {
  private static final Path V2 = Path.of("models/v2.onnx");
  private static final Path BAD = Path.of("models/bad.onnx");

  private final Map<Path, ServedModel<String, String>> files = new HashMap<>();
  private final Map<Path, Exception> failures = new HashMap<>();
  private final List<String> events = Collections.synchronizedList(new ArrayList<>());
  private final ExecutorService threads = Executors.newCachedThreadPool();

  private final ModelLoader<String, String> loader =
      file -> {
        Exception failure = failures.get(file);
        if (failure != null) {
          throw failure;
        }
        ServedModel<String, String> m = files.get(file);
        if (m == null) {
          throw new java.nio.file.NoSuchFileException(file.toString());
        }
        return m;
      };

  private final ReloadListener listener =
      new ReloadListener() {
        @Override
        public void swapped(ModelMetadata metadata, String executionProvider) {
          events.add("swapped " + metadata.version() + " " + executionProvider);
        }

        @Override
        public void refused(Path file, String reason) {
          events.add("refused " + file);
        }
      };

  @AfterEach
  void stopThreads() {
    threads.shutdownNow();
  }

  private HotSwapModel<String, String> hot(FakeModel initial, int instances, int maxBatch) {
    return new HotSwapModel<>(initial, loader, instances, maxBatch, "blank", listener);
  }

  @Test
  void newBatchesRunOnTheNewModelAfterItWasWarmedUpAtEveryBatchSize() throws Exception {
    FakeModel v1 = new FakeModel("1");
    FakeModel v2 = new FakeModel("2");
    files.put(V2, v2);
    HotSwapModel<String, String> hot = hot(v1, 2, 3);
    List<BatchEngine<String, String>> engines = hot.engines();
    assertEquals(List.of("1:a", "1:b"), engines.get(0).infer(List.of("a", "b")));

    hot.reload(V2);

    assertEquals("2", hot.metadata().version());
    assertEquals("FAKE", hot.executionProvider());
    assertEquals(List.of("2:c"), engines.get(0).infer(List.of("c")));
    assertEquals(List.of("2:d"), engines.get(1).infer(List.of("d")));
    // Warm-up: sizes 1..3 on each of the two new instances, before the two batches above.
    assertEquals(List.of(1, 2, 3, 1, 2, 3, 1, 1), v2.batchSizes);
    assertTrue(v1.closed.get(), "the old model is closed once no batch runs on it");
    assertEquals(List.of("swapped 2 FAKE"), events);
    assertEquals(0, v1.misuse.get() + v2.misuse.get());
  }

  @Test
  void aBatchInFlightFinishesOnTheOldModelWhichClosesOnlyAfterIt() throws Exception {
    FakeModel v1 = new FakeModel("1");
    FakeModel v2 = new FakeModel("2");
    files.put(V2, v2);
    HotSwapModel<String, String> hot = hot(v1, 2, 2);
    v1.holdBatches(1);
    Future<List<String>> inFlight = threads.submit(() -> hot.engines().get(0).infer(List.of("x")));
    assertTrue(v1.entered.await(10, TimeUnit.SECONDS));

    hot.reload(V2);

    assertEquals(List.of("2:y"), hot.engines().get(1).infer(List.of("y")));
    assertFalse(v1.closed.get(), "closed while a batch was still running on it");
    v1.open();
    assertEquals(List.of("1:x"), inFlight.get(10, TimeUnit.SECONDS));
    assertTrue(v1.closed.get());
    assertEquals(List.of("2:z"), hot.engines().get(0).infer(List.of("z")));
    assertEquals(0, v1.misuse.get() + v2.misuse.get());
  }

  @Test
  void aFileThatCannotBeLoadedIsRefusedAndTheOldModelKeepsServing() throws Exception {
    FakeModel v1 = new FakeModel("1");
    failures.put(
        BAD, new ModelFormatException("model file lacks required metadata captcha.charset"));
    HotSwapModel<String, String> hot = hot(v1, 1, 2);

    ModelRefusedException e = assertThrows(ModelRefusedException.class, () -> hot.reload(BAD));

    assertTrue(e.getMessage().contains("captcha.charset"), e.getMessage());
    assertTrue(e.getMessage().contains(BAD.toString()), e.getMessage());
    assertEquals("1", hot.metadata().version());
    assertEquals(List.of("1:a"), hot.engines().get(0).infer(List.of("a")));
    assertFalse(v1.closed.get());
    assertEquals(List.of("refused " + BAD), events);
  }

  @Test
  void aModelWithAnotherInputShapeIsRefusedAndClosed() throws Exception {
    FakeModel v1 = new FakeModel("1");
    FakeModel wide = new FakeModel("2", 160);
    files.put(BAD, wide);
    HotSwapModel<String, String> hot = hot(v1, 1, 2);

    ModelRefusedException e = assertThrows(ModelRefusedException.class, () -> hot.reload(BAD));

    assertTrue(e.getMessage().contains("1x64x160"), e.getMessage());
    assertTrue(e.getMessage().contains("1x64x128"), e.getMessage());
    assertTrue(wide.closed.get(), "the refused model is released");
    assertTrue(wide.batchSizes.isEmpty(), "a refused model is never run");
    assertEquals(List.of("1:a"), hot.engines().get(0).infer(List.of("a")));
    assertEquals("1", hot.metadata().version());
  }

  @Test
  void aModelFailingItsWarmUpIsRefusedAndTheOldOneKeepsServing() throws Exception {
    FakeModel v1 = new FakeModel("1");
    FakeModel broken = new FakeModel("2");
    broken.failWith = new IllegalStateException("kernel missing");
    files.put(BAD, broken);
    HotSwapModel<String, String> hot = hot(v1, 2, 4);

    ModelRefusedException e = assertThrows(ModelRefusedException.class, () -> hot.reload(BAD));

    assertTrue(
        e.getMessage().contains("warm-up at batch size 1 failed: kernel missing"), e.getMessage());
    assertTrue(broken.closed.get());
    assertEquals(List.of("1:a"), hot.engines().get(1).infer(List.of("a")));
  }

  @Test
  void aSwapUnderConcurrentLoadFailsNoBatch() throws Exception {
    FakeModel v1 = new FakeModel("1");
    List<FakeModel> next = new ArrayList<>();
    for (int v = 2; v <= 6; v++) {
      FakeModel m = new FakeModel(Integer.toString(v));
      next.add(m);
      files.put(Path.of("models/v" + v + ".onnx"), m);
    }
    int instances = 3;
    HotSwapModel<String, String> hot = hot(v1, instances, 4);
    int batchesPerInstance = 2_000;
    List<CompletableFuture<List<String>>> workers = new ArrayList<>();
    for (int i = 0; i < instances; i++) {
      BatchEngine<String, String> engine = hot.engines().get(i);
      int index = i;
      workers.add(
          CompletableFuture.supplyAsync(
              () -> {
                List<String> versions = new ArrayList<>();
                for (int b = 0; b < batchesPerInstance; b++) {
                  String in = index + "-" + b;
                  List<String> out;
                  try {
                    out = engine.infer(List.of(in, in));
                  } catch (Exception e) {
                    throw new IllegalStateException(e);
                  }
                  String version = out.get(0).substring(0, out.get(0).indexOf(':'));
                  if (!out.equals(List.of(version + ":" + in, version + ":" + in))) {
                    throw new IllegalStateException("wrong answer " + out + " for " + in);
                  }
                  versions.add(version);
                }
                return versions;
              },
              threads));
    }
    for (int v = 2; v <= 6; v++) {
      hot.reload(Path.of("models/v" + v + ".onnx"));
    }
    for (CompletableFuture<List<String>> w : workers) {
      List<String> versions = w.get(60, TimeUnit.SECONDS);
      assertEquals(batchesPerInstance, versions.size());
      for (int i = 1; i < versions.size(); i++) {
        assertTrue(
            Integer.parseInt(versions.get(i)) >= Integer.parseInt(versions.get(i - 1)),
            "an instance went back to an older model: "
                + versions.get(i - 1)
                + " then "
                + versions.get(i));
      }
    }
    assertEquals("6", hot.metadata().version());
    assertTrue(v1.closed.get());
    for (int i = 0; i < 4; i++) {
      assertTrue(next.get(i).closed.get(), "model " + next.get(i).version + " left open");
    }
    assertFalse(next.get(4).closed.get());
    int misuse = v1.misuse.get();
    for (FakeModel m : next) {
      misuse += m.misuse.get();
    }
    assertEquals(0, misuse, "a model was used after close, closed twice or run concurrently");

    hot.close();
    assertTrue(next.get(4).closed.get());
    assertThrows(ModelRefusedException.class, () -> hot.reload(V2));
  }
}
