package dev.captcha.server.solve;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.model.ColorMode;
import dev.captcha.model.InputSpec;
import dev.captcha.model.Prediction;
import dev.captcha.model.Preprocessor;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.batch.NanoClock;
import dev.captcha.server.batch.RejectedException;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.image.ImageLimits;
import dev.captcha.server.testsupport.Images;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * The registry of served models under real batchers and threads: routing by name, the default
 * model, unknown names, and models added, replaced and removed while requests run.
 */
class SolverRegistryTest {
  private static final InputSpec INPUT =
      new InputSpec(1, 64, 128, ColorMode.MIN_RGB, 1 / 255f, 0, 1);
  private static final long DEADLINE = TimeUnit.SECONDS.toNanos(300);
  private static final byte[] IMAGE = Images.white();

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService finisher = Executors.newSingleThreadExecutor();
  private final List<FakeSlot> created = new CopyOnWriteArrayList<>();

  @AfterEach
  void stop() {
    for (FakeSlot s : created) {
      s.gate.countDown();
      s.workers.shutdownNow();
    }
    timer.shutdownNow();
    finisher.shutdownNow();
  }

  /** A slot whose model answers {@code text} and can be held inside its batches. */
  private final class FakeSlot {
    final String text;
    final CountDownLatch gate = new CountDownLatch(1);
    final CountDownLatch entered = new CountDownLatch(1);
    final AtomicInteger closed = new AtomicInteger();
    final AtomicInteger batchesAfterClose = new AtomicInteger();
    final ExecutorService workers = Executors.newSingleThreadExecutor();
    final MicroBatcher<float[], Prediction> batcher;
    final ModelSlot slot;
    volatile boolean holding;

    FakeSlot(String name, String text) {
      this.text = text;
      batcher =
          new MicroBatcher<>(
              BatcherSettings.defaults()
                  .withMaxBatchSize(4)
                  .withMaxQueueDelay(Duration.ZERO)
                  .withMaxQueueLength(100_000),
              List.of(
                  inputs -> {
                    if (closed.get() > 0) {
                      batchesAfterClose.incrementAndGet();
                    }
                    entered.countDown();
                    if (holding) {
                      gate.await();
                    }
                    List<Prediction> out = new ArrayList<>();
                    for (int i = 0; i < inputs.size(); i++) {
                      out.add(new Prediction(text, 1f, List.of()));
                    }
                    return out;
                  }),
              NanoClock.SYSTEM,
              DelayScheduler.of(timer),
              workers);
      Solver solver =
          new Solver(
              new ImageDecoder(ImageLimits.DEFAULT),
              new Preprocessor(INPUT),
              batcher,
              Runnable::run);
      slot =
          new ModelSlot(
              name,
              solver,
              () -> new ModelSummary(FakeMetadata.of(text), "FAKE", batcher.settings()),
              () -> {
                closed.incrementAndGet();
                workers.shutdown();
              });
      created.add(this);
    }

    FakeSlot holding() {
      holding = true;
      return this;
    }
  }

  private SolverRegistry registry(String defaultModel) {
    return new SolverRegistry(defaultModel, NanoClock.SYSTEM, finisher, Duration.ofSeconds(30));
  }

  private static CompletableFuture<Solution> send(SolverRegistry r, String model) {
    return r.solve(model, IMAGE, r.nanoTime() + DEADLINE);
  }

  private static String text(CompletableFuture<Solution> f) throws Exception {
    return f.get(300, TimeUnit.SECONDS).prediction().text();
  }

  private static Throwable failure(CompletableFuture<?> f) {
    return assertThrows(CompletionException.class, f::join).getCause();
  }

  /** Waits until the slot has been retired, drained and released. */
  private static void awaitFinished(FakeSlot s) throws InterruptedException {
    for (int i = 0; i < 300_000 && !s.slot.isFinished(); i++) {
      Thread.sleep(1);
    }
    assertTrue(s.slot.isFinished(), "slot " + s.slot.name() + " finished");
  }

  @Test
  void aRequestNamingNoModelGoesToTheDefaultModel() throws Exception {
    SolverRegistry r = registry("b");
    r.put(new FakeSlot("a", "AAAA").slot);
    r.put(new FakeSlot("b", "BBBB").slot);
    assertEquals("BBBB", text(send(r, "")));
    assertEquals("BBBB", text(send(r, null)));
    assertEquals("AAAA", text(send(r, "a")));
    assertEquals("BBBB", text(send(r, "b")));
    assertEquals(List.of("b", "a"), r.names(), "the default first, then by name");
    assertEquals("b", r.resolve(""));
  }

  @Test
  void anUnknownModelIsRefusedNamingTheModelsServed() {
    SolverRegistry r = registry("a");
    r.put(new FakeSlot("a", "AAAA").slot);
    r.put(new FakeSlot("shop-b", "BBBB").slot);
    Throwable t = failure(send(r, "shop-c"));
    UnknownModelException e = assertInstanceOf(UnknownModelException.class, t);
    assertEquals("shop-c", e.model());
    assertTrue(e.getMessage().contains("'shop-c'"), e.getMessage());
    assertTrue(e.getMessage().contains("a, shop-b"), e.getMessage());
    assertThrows(UnknownModelException.class, () -> r.summary("shop-c"));
  }

  @Test
  void theDefaultModelRemovedMakesRequestsNamingNoneUnknown() throws Exception {
    SolverRegistry r = registry("a");
    FakeSlot a = new FakeSlot("a", "AAAA");
    r.put(a.slot);
    r.put(new FakeSlot("b", "BBBB").slot);
    assertTrue(r.remove("a"));
    Throwable t = failure(send(r, ""));
    assertTrue(t.getMessage().contains("unknown model 'a'"), t.getMessage());
    assertTrue(t.getMessage().contains("serves b"), t.getMessage());
    assertEquals("BBBB", text(send(r, "b")));
    awaitFinished(a);
    assertFalse(r.remove("a"));
  }

  @Test
  void aReplacedModelAnswersWhatItHoldsThenIsReleased() throws Exception {
    SolverRegistry r = registry("a");
    FakeSlot old = new FakeSlot("a", "OLD1").holding();
    r.put(old.slot);
    List<CompletableFuture<Solution>> held = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      held.add(send(r, "a"));
    }
    old.entered.await(60, TimeUnit.SECONDS); // one batch is inside the model, the rest queued

    FakeSlot next = new FakeSlot("a", "NEW2");
    r.put(next.slot);
    assertEquals("NEW2", text(send(r, "a")), "new requests go to the new model at once");
    assertEquals("NEW2", text(send(r, "")));
    for (CompletableFuture<Solution> f : held) {
      assertFalse(f.isDone(), "held requests wait for the old model");
    }
    assertEquals(0, old.closed.get(), "the old model is not released under its requests");

    old.gate.countDown();
    for (CompletableFuture<Solution> f : held) {
      assertEquals("OLD1", text(f), "a request is answered by the model it was routed to");
    }
    awaitFinished(old);
    assertEquals(1, old.closed.get(), "released once");
    assertEquals(0, old.batchesAfterClose.get());
    assertEquals(0, next.closed.get());
  }

  @Test
  void aRemovedModelAnswersWhatItHoldsAndNewRequestsAreUnknown() throws Exception {
    SolverRegistry r = registry("a");
    r.put(new FakeSlot("a", "AAAA").slot);
    FakeSlot b = new FakeSlot("b", "BBBB").holding();
    r.put(b.slot);
    List<CompletableFuture<Solution>> held = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      held.add(send(r, "b"));
    }
    b.entered.await(60, TimeUnit.SECONDS);
    assertTrue(r.remove("b"));
    assertInstanceOf(UnknownModelException.class, failure(send(r, "b")));
    assertEquals(List.of("a"), r.names());
    b.gate.countDown();
    for (CompletableFuture<Solution> f : held) {
      assertEquals("BBBB", text(f));
    }
    awaitFinished(b);
    assertEquals(1, b.closed.get());
  }

  @Test
  void noRequestIsLostWhileModelsAreAddedReplacedAndRemoved() throws Exception {
    SolverRegistry r = registry("a");
    r.put(new FakeSlot("a", "A-0").slot);
    r.put(new FakeSlot("b", "B-0").slot);
    int clients = 3;
    int perClient = 500;
    ExecutorService senders = Executors.newFixedThreadPool(clients);
    try {
      List<CompletableFuture<List<CompletableFuture<Solution>>>> sent = new ArrayList<>();
      for (int c = 0; c < clients; c++) {
        String model = c % 2 == 0 ? "a" : "";
        sent.add(
            CompletableFuture.supplyAsync(
                () -> {
                  List<CompletableFuture<Solution>> fs = new ArrayList<>();
                  for (int i = 0; i < perClient; i++) {
                    fs.add(send(r, model));
                  }
                  return fs;
                },
                senders));
      }
      // Meanwhile: replace a and b over and over, add and remove c.
      for (int v = 1; v <= 20; v++) {
        r.put(new FakeSlot("a", "A-" + v).slot);
        r.put(new FakeSlot("b", "B-" + v).slot);
        r.put(new FakeSlot("c", "C-" + v).slot);
        assertTrue(r.remove("c"));
      }
      int answered = 0;
      for (CompletableFuture<List<CompletableFuture<Solution>>> s : sent) {
        for (CompletableFuture<Solution> f : s.get(300, TimeUnit.SECONDS)) {
          String text;
          try {
            text = text(f);
          } catch (ExecutionException e) {
            throw new AssertionError("a request failed while models changed", e.getCause());
          }
          assertTrue(text.startsWith("A-"), text);
          answered++;
        }
      }
      assertEquals(clients * perClient, answered);
    } finally {
      senders.shutdownNow();
    }
    for (FakeSlot s : created) {
      if (r.slot(s.slot.name()) != s.slot) {
        awaitFinished(s);
        assertEquals(1, s.closed.get(), "every retired model released exactly once");
      } else {
        assertEquals(0, s.closed.get(), "models in service stay open");
      }
      assertEquals(0, s.batchesAfterClose.get());
    }
  }

  @Test
  void closeAnswersWhatWasAcceptedThenRefusesAndReleasesEveryModel() throws Exception {
    SolverRegistry r = registry("a");
    FakeSlot a = new FakeSlot("a", "AAAA");
    FakeSlot b = new FakeSlot("b", "BBBB");
    r.put(a.slot);
    r.put(b.slot);
    CompletableFuture<Solution> first = send(r, "b");
    assertTrue(r.close(Duration.ofSeconds(30)));
    assertEquals("BBBB", text(first));
    RejectedException e = assertInstanceOf(RejectedException.class, failure(send(r, "a")));
    assertEquals(RejectedException.Reason.SHUTTING_DOWN, e.reason());
    assertThrows(IllegalStateException.class, () -> r.put(new FakeSlot("c", "CCCC").slot));
    awaitFinished(a);
    awaitFinished(b);
  }
}
