package dev.captcha.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.server.testsupport.ManualClock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class MicroBatcherTest {
  private static final long MS = 1_000_000L;

  private final ManualClock time = new ManualClock();
  private final ManualExecutor workers = new ManualExecutor();
  private final List<FakeEngine> engines = new ArrayList<>();

  private MicroBatcher<String, String> batcher(BatcherSettings settings) {
    for (int i = 0; i < settings.instances(); i++) {
      engines.add(new FakeEngine(time));
    }
    return new MicroBatcher<>(settings, engines, time, time, workers);
  }

  /** Fixed mode: waits for a full batch up to the delay. */
  private static BatcherSettings settings(int maxBatch, long delayMs) {
    return BatcherSettings.defaults()
        .withMode(BatchingMode.FIXED)
        .withMaxBatchSize(maxBatch)
        .withMaxQueueDelay(Duration.ofMillis(delayMs));
  }

  private static Throwable failure(CompletableFuture<?> f) {
    assertTrue(f.isCompletedExceptionally(), "expected a failed future");
    CompletionException e = assertThrows(CompletionException.class, f::join);
    return e.getCause();
  }

  @Test
  void fullBatchIsDispatchedAtOnceAndAnsweredInOrder() {
    MicroBatcher<String, String> b = batcher(settings(4, 10));
    List<CompletableFuture<BatchResult<String>>> fs = new ArrayList<>();
    for (String s : List.of("a", "b", "c")) {
      fs.add(b.add(s));
    }
    assertEquals(0, workers.pending(), "three of four must wait");
    fs.add(b.add("d"));
    assertEquals(1, workers.pending(), "the fourth fills the batch");
    workers.runAll();
    assertEquals(List.of(4), engines.get(0).sizes());
    List<String> texts = fs.stream().map(f -> f.join().output()).toList();
    assertEquals(List.of("A", "B", "C", "D"), texts);
    assertEquals(4, fs.get(0).join().batchSize());
  }

  @Test
  void partialBatchWaitsTheDelayCountedFromTheOldestArrival() {
    MicroBatcher<String, String> b = batcher(settings(8, 10));
    CompletableFuture<BatchResult<String>> first = b.add("a");
    time.advance(9 * MS);
    CompletableFuture<BatchResult<String>> second = b.add("b");
    assertEquals(0, workers.pending());
    time.advance(MS);
    assertEquals(1, workers.pending(), "due 10 ms after the first arrival, not the second");
    workers.runAll();
    assertEquals(List.of(2), engines.get(0).sizes());
    assertEquals(10 * MS, first.join().queueNanos());
    assertEquals(MS, second.join().queueNanos());
  }

  @Test
  void waitCountsFromArrivalNotFromWhenAnInstanceFreesUp() {
    MicroBatcher<String, String> b = batcher(settings(2, 10));
    b.add("a");
    b.add("b");
    assertEquals(1, workers.pending(), "the only instance is busy now");
    CompletableFuture<BatchResult<String>> late = b.add("c");
    time.advance(30 * MS);
    assertEquals(1, workers.pending(), "no second batch while the instance is busy");
    workers.runNext();
    assertEquals(
        1, workers.pending(), "overdue request dispatched as soon as the instance is free");
    workers.runNext();
    assertEquals(List.of(2, 1), engines.get(0).sizes());
    assertEquals(30 * MS, late.join().queueNanos());
  }

  @Test
  void preferredBatchSizeIsDispatchedWithoutWaiting() {
    MicroBatcher<String, String> b =
        batcher(settings(8, 10).withPreferredBatchSizes(List.of(4, 2)));
    b.add("a");
    assertEquals(0, workers.pending());
    b.add("b");
    assertEquals(1, workers.pending(), "2 is preferred");
    for (String s : List.of("c", "d", "e", "f", "g")) {
      b.add(s);
    }
    workers.runNext();
    assertEquals(1, workers.pending(), "the freed instance takes the largest preferred size");
    workers.runNext();
    assertEquals(0, workers.pending(), "one request left, below every preferred size");
    time.advance(10 * MS);
    workers.runAll();
    assertEquals(List.of(2, 4, 1), engines.get(0).sizes());
  }

  @Test
  void instancesRunBatchesInParallel() {
    MicroBatcher<String, String> b = batcher(settings(2, 10).withInstances(2));
    for (String s : List.of("a", "b", "c", "d", "e")) {
      b.add(s);
    }
    assertEquals(2, workers.pending(), "one batch per instance, the fifth waits");
    assertEquals(1, b.queueLength());
    workers.runAll();
    assertEquals(List.of(List.of("a", "b")), engines.get(0).batches);
    assertEquals(List.of(List.of("c", "d")), engines.get(1).batches);
    time.advance(10 * MS);
    workers.runAll();
    assertEquals(5, engines.get(0).seen().size() + engines.get(1).seen().size());
  }

  @Test
  void fullQueueRejectsAtOnceWithARetryHint() {
    MicroBatcher<String, String> b = batcher(settings(1, 10).withMaxQueueLength(2));
    CompletableFuture<BatchResult<String>> running = b.add("a");
    b.add("b");
    b.add("c");
    CompletableFuture<BatchResult<String>> rejected = b.add("d");
    RejectedException e = assertInstanceOf(RejectedException.class, failure(rejected));
    assertEquals(RejectedException.Reason.QUEUE_FULL, e.reason());
    assertTrue(e.retryAfterNanos() > 0);
    workers.runAll();
    assertEquals("A", running.join().output());
    assertEquals(List.of("a", "b", "c"), engines.get(0).seen(), "the rejected one never ran");
  }

  /** Records each outcome as a word, in order. */
  private static final class Outcomes implements OutcomeListener {
    final List<String> seen = new ArrayList<>();

    @Override
    public synchronized void admitted() {
      seen.add("admitted");
    }

    @Override
    public synchronized void rejected(RejectedException.Reason reason) {
      seen.add("rejected " + reason);
    }

    @Override
    public synchronized void expired() {
      seen.add("expired");
    }

    @Override
    public synchronized void failed() {
      seen.add("failed");
    }

    @Override
    public synchronized void answered(long queueNanos) {
      seen.add("answered " + queueNanos / MS + " ms");
    }
  }

  @Test
  void theListenerHearsEachOutcomeOnceWhereItHappens() throws Exception {
    Outcomes outcomes = new Outcomes();
    engines.add(new FakeEngine(time));
    MicroBatcher<String, String> b =
        new MicroBatcher<>(
            settings(1, 10).withMaxQueueLength(2), engines, time, time, workers, outcomes);
    b.add("a"); // dispatched at once; the worker has not run it yet
    CompletableFuture<BatchResult<String>> expiring = b.add("x", time.nanoTime() + 5 * MS);
    b.add("y");
    b.add("full"); // x and y fill the queue
    b.add("late", time.nanoTime()); // its deadline has passed already
    b.add("gone").cancel(false); // refused as well: the queue is still full
    assertEquals(
        List.of(
            "admitted",
            "admitted",
            "admitted",
            "rejected QUEUE_FULL",
            "expired",
            "rejected QUEUE_FULL"),
        outcomes.seen);
    outcomes.seen.clear();
    time.advance(6 * MS);
    workers.runAll();
    assertInstanceOf(DeadlineExpiredException.class, failure(expiring));
    assertEquals(
        List.of("answered 6 ms", "answered 6 ms", "expired"),
        outcomes.seen.stream().sorted().toList(),
        "a and y waited 6 ms for their batches; x expired in the queue");

    outcomes.seen.clear();
    engines.get(0).failWith = new IllegalStateException("device lost");
    b.add("z");
    workers.runAll();
    b.close(Duration.ofSeconds(1));
    b.add("after");
    assertEquals(List.of("admitted", "failed", "rejected SHUTTING_DOWN"), outcomes.seen);
  }

  @Test
  void refusalIfFullTellsAheadOfTimeWhetherAnAddWouldBeRefused() {
    MicroBatcher<String, String> b = batcher(settings(1, 10).withMaxQueueLength(1));
    b.add("a");
    assertNull(b.refusalIfFull(), "room in the queue");
    CompletableFuture<BatchResult<String>> waiting = b.add("b");
    RejectedException e = b.refusalIfFull();
    assertEquals(RejectedException.Reason.QUEUE_FULL, e.reason());
    assertTrue(e.retryAfterNanos() > 0);
    waiting.cancel(false);
    assertNull(b.refusalIfFull(), "a cancelled request makes room");
    workers.runAll();
    assertEquals(List.of("a"), engines.get(0).seen());
  }

  @Test
  void fullQueueMakesRoomByDroppingCancelledRequests() {
    MicroBatcher<String, String> b = batcher(settings(1, 10).withMaxQueueLength(1));
    b.add("a");
    b.add("b").cancel(false);
    CompletableFuture<BatchResult<String>> c = b.add("c");
    assertFalse(c.isDone());
    workers.runAll();
    assertEquals("C", c.join().output());
    assertEquals(List.of("a", "c"), engines.get(0).seen());
  }

  @Test
  void expiredRequestIsDroppedBeforeInference() {
    MicroBatcher<String, String> b = batcher(settings(1, 10));
    b.add("busy");
    CompletableFuture<BatchResult<String>> expiring = b.add("x", time.nanoTime() + 5 * MS);
    CompletableFuture<BatchResult<String>> patient = b.add("y");
    time.advance(6 * MS);
    workers.runAll();
    assertInstanceOf(DeadlineExpiredException.class, failure(expiring));
    assertEquals("Y", patient.join().output());
    assertEquals(List.of("busy", "y"), engines.get(0).seen());
  }

  @Test
  void requestWhoseDeadlineAlreadyPassedIsNotQueued() {
    MicroBatcher<String, String> b = batcher(settings(1, 10));
    CompletableFuture<BatchResult<String>> f = b.add("x", time.nanoTime());
    assertInstanceOf(DeadlineExpiredException.class, failure(f));
    assertEquals(0, b.queueLength());
    assertEquals(0, workers.pending());
  }

  @Test
  void cancelledRequestIsDroppedBeforeInference() {
    MicroBatcher<String, String> b = batcher(settings(4, 10));
    CompletableFuture<BatchResult<String>> gone = b.add("a");
    CompletableFuture<BatchResult<String>> kept = b.add("b");
    gone.cancel(false);
    time.advance(10 * MS);
    workers.runAll();
    assertEquals(List.of("b"), engines.get(0).seen());
    assertEquals(1, kept.join().batchSize());
    assertTrue(gone.isCancelled());
  }

  @Test
  void engineFailureCompletesEveryRequestOnceAndServingContinues() {
    MicroBatcher<String, String> b = batcher(settings(2, 10));
    engines.get(0).failWith = new IllegalStateException("device lost");
    AtomicInteger completions = new AtomicInteger();
    CompletableFuture<BatchResult<String>> f1 = b.add("a");
    CompletableFuture<BatchResult<String>> f2 = b.add("b");
    f1.whenComplete((r, t) -> completions.incrementAndGet());
    f2.whenComplete((r, t) -> completions.incrementAndGet());
    workers.runAll();
    InferenceException e = assertInstanceOf(InferenceException.class, failure(f1));
    assertTrue(e.getMessage().contains("device lost"), e.getMessage());
    assertSame(e, failure(f2));
    assertEquals(2, completions.get());

    engines.get(0).failWith = null;
    CompletableFuture<BatchResult<String>> f3 = b.add("c");
    b.add("d");
    workers.runAll();
    assertEquals("C", f3.join().output());
    assertEquals(2, completions.get(), "no second completion of the failed requests");
  }

  @Test
  void wrongNumberOfOutputsIsAnInferenceFailure() {
    MicroBatcher<String, String> b = batcher(settings(2, 10));
    engines.get(0).wrongCount = true;
    CompletableFuture<BatchResult<String>> f = b.add("a");
    b.add("b");
    workers.runAll();
    assertInstanceOf(InferenceException.class, failure(f));
  }

  @Test
  void executorRejectionFailsTheBatchAndFreesTheInstance() {
    List<FakeEngine> es = List.of(new FakeEngine(time));
    AtomicInteger calls = new AtomicInteger();
    MicroBatcher<String, String> b =
        new MicroBatcher<>(
            settings(1, 10),
            es,
            time,
            time,
            r -> {
              if (calls.getAndIncrement() == 0) {
                throw new java.util.concurrent.RejectedExecutionException("pool closed");
              }
              r.run();
            });
    assertInstanceOf(InferenceException.class, failure(b.add("a")));
    assertEquals("B", b.add("b").join().output());
  }

  @Test
  void shutdownDispatchesWhatIsQueuedAndRefusesNewRequests() {
    MicroBatcher<String, String> b = batcher(settings(8, 1000));
    CompletableFuture<BatchResult<String>> f1 = b.add("a");
    CompletableFuture<BatchResult<String>> f2 = b.add("b");
    CompletableFuture<Void> drained = b.shutdown();
    assertEquals(1, workers.pending(), "queued requests go at once, without waiting to fill");
    RejectedException e = assertInstanceOf(RejectedException.class, failure(b.add("c")));
    assertEquals(RejectedException.Reason.SHUTTING_DOWN, e.reason());
    assertFalse(drained.isDone());
    workers.runAll();
    assertTrue(drained.isDone());
    assertEquals("A", f1.join().output());
    assertEquals("B", f2.join().output());
  }

  @Test
  void abandoningAfterTheDrainTimeoutAnswersEveryAcceptedRequest() {
    MicroBatcher<String, String> b = batcher(settings(1, 10));
    CompletableFuture<BatchResult<String>> running = b.add("a");
    CompletableFuture<BatchResult<String>> queued = b.add("b");
    b.shutdown();
    b.abandonAll();
    assertInstanceOf(RejectedException.class, failure(running));
    assertInstanceOf(RejectedException.class, failure(queued));
    workers.runAll();
    assertTrue(running.isCompletedExceptionally(), "a late engine result is ignored");
  }

  @Test
  void emptyBatcherShutsDownImmediately() {
    MicroBatcher<String, String> b = batcher(settings(4, 10));
    assertTrue(b.shutdown().isDone());
  }

  private MicroBatcher<String, String> warmed(BatcherSettings s, long fixedNanos, long perItemNanos)
      throws Exception {
    MicroBatcher<String, String> b = batcher(s);
    for (FakeEngine e : engines) {
      e.fixedNanos = fixedNanos;
      e.perItemNanos = perItemNanos;
    }
    b.warmUp("z");
    // From here on batches take no fake time, so queue times read exactly; the batcher knows the
    // cost from warm-up.
    for (FakeEngine e : engines) {
      e.batches.clear();
      e.fixedNanos = 0;
      e.perItemNanos = 0;
    }
    return b;
  }

  @Test
  void warmUpRunsEveryBatchSizeAndLearnsTheCost() throws Exception {
    MicroBatcher<String, String> b = batcher(BatcherSettings.defaults().withMaxBatchSize(64));
    FakeEngine engine = engines.get(0);
    engine.fixedNanos = 2 * MS;
    engine.perItemNanos = MS / 2;
    b.warmUp("z");
    assertEquals(64, engine.batches.size(), "every batch size warmed up");
    assertEquals(2 * MS + 5 * MS, b.estimatedBatchNanos(10), 1000);
  }

  @Test
  void defaultModeIsWorkConserving() {
    assertEquals(BatchingMode.WORK_CONSERVING, BatcherSettings.defaults().mode());
  }

  @Test
  void withALinearCostALoneRequestNeverWaitsAndBatchesFormWhileBusy() throws Exception {
    // Dispatch is observed through the batch threads, so batches are not run inline.
    MicroBatcher<String, String> b =
        warmed(BatcherSettings.defaults().withMaxBatchSize(32).withInlineDispatch(false), 0, MS);
    for (int i = 0; i < 20; i++) {
      CompletableFuture<BatchResult<String>> f = b.add("r" + i);
      assertEquals(1, workers.pending(), "dispatched at once, arrival " + i);
      workers.runAll();
      assertEquals(0, f.join().queueNanos());
      time.advance(MS / 4);
    }
    // Arrivals while the instance is busy are taken together as soon as it is free.
    CompletableFuture<BatchResult<String>> first = b.add("a");
    List<CompletableFuture<BatchResult<String>>> rest = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      time.advance(MS / 10);
      rest.add(b.add("b" + i));
    }
    assertEquals(1, workers.pending());
    workers.runAll();
    assertEquals(1, first.join().batchSize());
    for (CompletableFuture<BatchResult<String>> f : rest) {
      assertEquals(5, f.join().batchSize());
    }
    assertEquals(0, time.pendingTasks(), "no timer: nothing ever held back");
  }

  @Test
  void withALinearCostAnIdleSecondInstanceTakesTheNextRequestAtOnce() throws Exception {
    MicroBatcher<String, String> b =
        warmed(
            BatcherSettings.defaults()
                .withMaxBatchSize(64)
                .withInstances(2)
                .withInlineDispatch(false),
            0,
            MS);
    b.add("a");
    for (int i = 0; i < 3; i++) {
      time.advance(MS / 2);
    }
    b.add("b");
    assertEquals(2, workers.pending(), "both instances busy, nobody waits");
  }

  @Test
  void onACpuNoArrivalRateMakesAnIdleInstanceWait() throws Exception {
    // cost(n) = 50 us + 1.5 ms * n: a fuller batch saves next to nothing. Requests 10 us apart
    // would bring five companions within the launch cost, but waiting for them is not worth it.
    BatcherSettings s =
        BatcherSettings.defaults().withMaxBatchSize(32).withInstances(2).withInlineDispatch(false);
    MicroBatcher<String, String> b = warmed(s, MS / 20, 3 * MS / 2);
    b.add("r0");
    time.advance(MS / 100);
    b.add("r1");
    assertEquals(2, workers.pending(), "the second instance took r1 at once");
    assertEquals(0, time.pendingTasks(), "no timer: nothing held back");
  }

  @Test
  void inlineDispatchRunsALoneRequestOnTheCallingThreadOnlyWhereBatchingDoesNotPay()
      throws Exception {
    BatcherSettings s =
        BatcherSettings.defaults().withMaxBatchSize(32).withInstances(2).withInlineDispatch(true);
    MicroBatcher<String, String> cpu = warmed(s, MS / 20, 3 * MS / 2);
    CompletableFuture<BatchResult<String>> answered = cpu.add("r0");
    assertTrue(answered.isDone(), "answered before add returned");
    assertEquals("R0", answered.join().output());
    assertEquals(0, workers.pending(), "no batch thread involved");
    assertEquals(1, engines.get(0).batches.size() + engines.get(1).batches.size());

    CompletableFuture<BatchResult<String>> behindOthers =
        cpu.add("r1", cpu.deadlineAfter(Duration.ofSeconds(1)), false);
    assertFalse(behindOthers.isDone(), "a caller with work waiting hands the batch over");
    assertEquals(1, workers.pending());
    workers.runAll();
    assertEquals("R1", behindOthers.join().output());

    engines.clear();
    MicroBatcher<String, String> accelerator = warmed(s, 10 * MS, MS / 10);
    CompletableFuture<BatchResult<String>> handedOver = accelerator.add("r0");
    assertFalse(handedOver.isDone(), "batching pays: the batch goes to a batch thread");
    assertEquals(1, workers.pending());
    workers.runAll();
    assertEquals("R0", handedOver.join().output());
  }

  /** Latency-budget mode, 20 ms, max batch 32, batches always on the workers. */
  private static BatcherSettings budget20ms() {
    return BatcherSettings.defaults()
        .withMaxBatchSize(32)
        .withMode(BatchingMode.LATENCY_BUDGET)
        .withLatencyBudget(Duration.ofMillis(20))
        .withInlineDispatch(false);
  }

  @Test
  void latencyBudgetModeOnACpuKeepsTwoBatchesWithinTheBudget() throws Exception {
    // cost(n) = 50 us + 1.5 ms * n, budget 20 ms: batches of at most 6 (9.05 ms <= 10 ms).
    BatcherSettings s = budget20ms();
    MicroBatcher<String, String> cpu = warmed(s, MS / 20, 3 * MS / 2);
    cpu.add("busy");
    List<CompletableFuture<BatchResult<String>>> queued = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      queued.add(cpu.add("q" + i));
    }
    workers.runAll();
    for (CompletableFuture<BatchResult<String>> f : queued) {
      assertTrue(f.join().batchSize() <= 6, "batch of " + f.join().batchSize());
    }

    // Where batching pays, the batch is not capped: 20 queued requests go in one batch.
    engines.clear();
    MicroBatcher<String, String> accelerator = warmed(s, 10 * MS, MS / 10);
    accelerator.add("busy");
    List<CompletableFuture<BatchResult<String>>> more = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      more.add(accelerator.add("q" + i));
    }
    workers.runAll();
    time.advance(20 * MS); // past any hold for companions
    workers.runAll();
    assertTrue(more.get(19).isDone());
    assertEquals(20, more.get(19).join().batchSize());
  }

  @Test
  void latencyBudgetModeOnACpuLiftsTheCapForRequestsThatWouldMissTheBudgetInACappedBatch()
      throws Exception {
    // cost(n) = 50 us + 1.5 ms * n, budget 20 ms: cap 6, whose batch costs 9.05 ms.
    BatcherSettings s = budget20ms();
    MicroBatcher<String, String> cpu = warmed(s, MS / 20, 3 * MS / 2);
    CompletableFuture<BatchResult<String>> busy = cpu.add("busy");
    List<CompletableFuture<BatchResult<String>>> queued = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      queued.add(cpu.add("q" + i));
    }
    // The busy batch ends when the oldest queued request has waited 10 ms: a batch of 6 ends at
    // 19.05 ms, within its budget, so the cap holds.
    time.advance(10 * MS);
    workers.runNext();
    assertTrue(busy.isDone());
    assertEquals(1, workers.pending());
    // Four more arrive at 11 ms. The batch of 6 ends at 12 ms: the 14 left from time 0 would end
    // at 21.05 ms in a batch of 6, past their budget, so the next batch takes all of them, and
    // only them; the four newer ones, still able to meet theirs, follow in a batch of their own.
    time.advance(MS);
    for (int i = 0; i < 4; i++) {
      queued.add(cpu.add("late" + i));
    }
    time.advance(MS);
    workers.runAll();
    assertEquals(List.of(1, 6, 14, 4), engines.get(0).sizes());
    assertEquals(List.of("late0", "late1", "late2", "late3"), engines.get(0).batches.get(3));
    for (CompletableFuture<BatchResult<String>> f : queued) {
      assertTrue(f.isDone());
    }

    // In work-conserving mode nothing is capped: the same backlog goes in one batch.
    engines.clear();
    MicroBatcher<String, String> plain = warmed(s.withMode(BatchingMode.WORK_CONSERVING), 0, MS);
    plain.add("busy");
    for (int i = 0; i < 20; i++) {
      plain.add("q" + i);
    }
    workers.runAll();
    assertEquals(List.of(1, 20), engines.get(0).sizes());
  }

  @Test
  void latencyBudgetModeOnACpuNeverCapsBelowTheBatchThatKeepsUpWithTheArrivals() throws Exception {
    // cost(n) = 0.9 ms + 1 ms * n (a CPU: the fixed cost is below one item's), budget 20 ms: cap
    // 9 while lightly loaded (9.9 ms fits in half the budget).
    BatcherSettings s = budget20ms().withMaxQueueLength(10_000);
    MicroBatcher<String, String> cpu = warmed(s, 9 * MS / 10, MS);
    assertEquals(9, cpu.batchCap(), "lightly loaded");
    // 790 requests a second for 6 s, the instance busy throughout (its first batch never runs). A
    // batch of n serves n / (0.9 +
    // n) requests per ms; with the instance at most 85% busy the arrivals need 0.79 / 0.85 = 0.929
    // per ms, which 12 serve (0.930) and 11 do not (0.924): batches of 9 could not keep up.
    long interval = 1_000_000_000L / 790;
    for (int i = 0; i < 6 * 790; i++) {
      time.advance(interval);
      cpu.add("r" + i);
    }
    assertEquals(12, cpu.batchCap(), "sustained 790/s");
    // Once the arrivals stop, the sustained rate decays and the cap returns to half the budget.
    time.advance(10_000 * MS);
    assertEquals(9, cpu.batchCap(), "10 s after the last arrival");

    // A burst is not a sustained rate: 30 requests at once leave the cap at 9.
    engines.clear();
    MicroBatcher<String, String> burst = warmed(s, 9 * MS / 10, MS);
    for (int i = 0; i < 30; i++) {
      burst.add("b" + i);
    }
    assertEquals(9, burst.batchCap(), "after a burst of 30");
  }

  @Test
  void acceleratorUnderLoadHoldsForAFullerBatchButNeverPastTheBudget() throws Exception {
    // cost(n) = 10 ms + 0.1 ms * n; requests every 0.5 ms: about 20 arrive per launch cost.
    BatcherSettings s =
        BatcherSettings.defaults()
            .withMaxBatchSize(64)
            .withInstances(2)
            .withMode(BatchingMode.LATENCY_BUDGET)
            .withLatencyBudget(Duration.ofMillis(20));
    MicroBatcher<String, String> b = warmed(s, 10 * MS, MS / 10);
    List<CompletableFuture<BatchResult<String>>> fs = new ArrayList<>();
    fs.add(b.add("r0"));
    assertEquals(1, workers.pending(), "the first request finds no known load and goes at once");
    int dispatchedAt = -1;
    for (int i = 1; i < 40 && dispatchedAt < 0; i++) {
      time.advance(MS / 2);
      fs.add(b.add("r" + i));
      if (workers.pending() == 2) {
        dispatchedAt = i;
      }
    }
    assertTrue(dispatchedAt > 1, "the idle instance held back for companions");
    workers.runAll();
    BatchResult<String> held = fs.get(1).join();
    assertTrue(held.batchSize() > 1, "held for a fuller batch: " + held.batchSize());
    double finish = held.queueNanos() + 10 * MS + held.batchSize() * MS / 10.0;
    assertTrue(finish <= 20 * MS, "the oldest held request finished within the budget: " + finish);
  }

  @Test
  void workConservingModeHoldsNoLongerThanTheMaxQueueDelay() throws Exception {
    BatcherSettings s =
        BatcherSettings.defaults()
            .withMaxBatchSize(64)
            .withInstances(2)
            .withMaxQueueDelay(Duration.ofMillis(2));
    MicroBatcher<String, String> b = warmed(s, 10 * MS, MS / 10);
    b.add("r0");
    time.advance(MS / 2);
    CompletableFuture<BatchResult<String>> held = b.add("r1");
    assertEquals(1, workers.pending(), "held");
    time.advance(2 * MS);
    assertEquals(2, workers.pending(), "released 2 ms after its arrival");
    workers.runAll();
    assertEquals(2 * MS, held.join().queueNanos());
  }

  @Test
  void everyAcceptedRequestIsCompletedExactlyOnceUnderRandomLoad() throws Exception {
    for (BatchingMode mode : BatchingMode.values()) {
      for (long fixed : new long[] {0, 5 * MS}) {
        engines.clear();
        checkExactlyOnce(mode, fixed, new java.util.SplittableRandom(fixed + mode.ordinal()));
      }
    }
  }

  private void checkExactlyOnce(BatchingMode mode, long fixed, java.util.SplittableRandom rnd)
      throws Exception {
    AtomicInteger admitted = new AtomicInteger();
    AtomicInteger outcomes = new AtomicInteger();
    OutcomeListener counting =
        new OutcomeListener() {
          @Override
          public void admitted() {
            admitted.incrementAndGet();
          }

          @Override
          public void expired() {
            outcomes.incrementAndGet();
          }

          @Override
          public void failed() {
            outcomes.incrementAndGet();
          }

          @Override
          public void answered(long queueNanos) {
            outcomes.incrementAndGet();
          }
        };
    BatcherSettings s =
        BatcherSettings.defaults()
            .withMode(mode)
            .withMaxBatchSize(16)
            .withInstances(2)
            .withMaxQueueLength(64)
            .withLatencyBudget(Duration.ofMillis(30));
    for (int i = 0; i < 2; i++) {
      FakeEngine e = new FakeEngine(time);
      e.fixedNanos = fixed;
      e.perItemNanos = MS / 2;
      engines.add(e);
    }
    MicroBatcher<String, String> b = new MicroBatcher<>(s, engines, time, time, workers, counting);
    b.warmUp("z");
    List<CompletableFuture<BatchResult<String>>> fs = new ArrayList<>();
    List<AtomicInteger> completions = new ArrayList<>();
    int cancelled = 0;
    for (int i = 0; i < 2000; i++) {
      time.advance((long) (-Math.log(1 - rnd.nextDouble()) * MS / 2));
      long deadline = time.nanoTime() + (rnd.nextInt(10) == 0 ? MS : 100 * MS);
      CompletableFuture<BatchResult<String>> f = b.add("r" + i, deadline);
      AtomicInteger count = new AtomicInteger();
      f.whenComplete((r, e) -> count.incrementAndGet());
      if (!f.isDone() && rnd.nextInt(50) == 0) {
        f.cancel(false);
        cancelled++;
      }
      engines.get(rnd.nextInt(2)).failWith =
          rnd.nextInt(40) == 0 ? new IllegalStateException("boom") : null;
      fs.add(f);
      completions.add(count);
      while (workers.pending() > 0 && rnd.nextBoolean()) {
        workers.runNext();
      }
    }
    CompletableFuture<Void> drained = b.shutdown();
    workers.runAll();
    time.advance(200 * MS);
    workers.runAll();
    assertTrue(drained.isDone(), mode + ": drained");
    for (int i = 0; i < fs.size(); i++) {
      assertTrue(fs.get(i).isDone(), mode + ": request " + i + " completed");
      assertEquals(1, completions.get(i).get(), mode + ": request " + i + " completed once");
    }
    int refused =
        (int)
            fs.stream()
                .filter(
                    f ->
                        f.isCompletedExceptionally()
                            && !f.isCancelled()
                            && failure(f) instanceof RejectedException)
                .count();
    assertEquals(fs.size() - refused, admitted.get(), mode + ": every request admitted or refused");
    assertEquals(admitted.get(), outcomes.get() + cancelled, mode + ": one outcome each");
  }

  @Test
  void settingsAreValidated() {
    BatcherSettings d = BatcherSettings.defaults();
    assertThrows(IllegalArgumentException.class, () -> d.withMaxBatchSize(0));
    assertThrows(
        IllegalArgumentException.class,
        () -> d.withMaxBatchSize(4).withPreferredBatchSizes(List.of(8)));
    assertThrows(IllegalArgumentException.class, () -> d.withInstances(0));
    assertThrows(IllegalArgumentException.class, () -> d.withMaxQueueLength(0));
    assertThrows(IllegalArgumentException.class, () -> d.withDefaultTimeout(Duration.ZERO));
    assertThrows(IllegalArgumentException.class, () -> d.withMaxQueueDelay(Duration.ofMillis(-1)));
    assertEquals(List.of(2, 4), d.withPreferredBatchSizes(List.of(4, 2, 4)).preferredBatchSizes());
    assertEquals(BatchingMode.LATENCY_BUDGET, BatchingMode.parse("latency-budget"));
    assertEquals(BatchingMode.WORK_CONSERVING, BatchingMode.parse("work-conserving"));
    assertThrows(IllegalArgumentException.class, () -> BatchingMode.parse("eager"));
  }

  @Test
  void engineCountMustMatchInstances() {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new MicroBatcher<>(
                settings(1, 1).withInstances(2),
                List.of(new FakeEngine(time)),
                time,
                time,
                workers));
  }
}
