package dev.captcha.server.batch;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Dynamic micro-batcher: groups requests into batches for a set of engine instances. Thread-safe;
 * {@link #add} may be called from any thread.
 *
 * <p>In the work-conserving modes (the default and latency-budget) an instance that is free takes
 * what is queued at once, up to the max batch size, so batches form while instances are busy. It
 * holds back for a fuller batch only where the measured batch cost says that raises throughput:
 * when more requests are expected to arrive within one batch's fixed launch cost than are queued
 * (an accelerator, where a batch of n costs much less than n batches of one; never on a CPU, where
 * the cost grows in proportion to the batch). A hold ends when enough requests are queued, or at
 * the latest after the max queue delay (latency-budget mode: the budget less the batch's cost),
 * counted from the oldest request's arrival. On a CPU, latency-budget mode also caps the batch at
 * the largest whose estimated cost fits in half the budget, except that the queued requests that
 * would miss the budget even in such a batch go together in one batch (up to the max batch size),
 * so that a backlog drains rather than lingers in small batches. In fixed mode an instance waits
 * for a full (or preferred-size) batch until the oldest request has waited the max queue delay.
 * Where batching does not pay and {@link BatcherSettings#inlineDispatch()} is set, a batch that a
 * new request starts on an idle instance, with nothing else queued, runs on the thread that added
 * the request, saving a thread hand-off; batches started otherwise (by a finished batch or a timer,
 * or under load) run on the workers, where the next batch forms while the answers go out.
 *
 * <p>Every accepted request is completed exactly once: with its output, or exceptionally with a
 * {@link DeadlineExpiredException} (dropped before inference), an {@link InferenceException} (the
 * engine failed) or a {@link RejectedException} (the batcher was closed before it could run). A
 * request whose future was cancelled by the caller is dropped before inference. An {@link
 * OutcomeListener} hears each outcome where it happens.
 *
 * @param <I> the prepared input of one request
 * @param <O> the output for one request
 */
public final class MicroBatcher<I, O> {
  private static final Logger log = LoggerFactory.getLogger(MicroBatcher.class);

  /** Arrivals remembered for the arrival-rate estimate. */
  private static final int ARRIVAL_WINDOW = 32;

  /** Time constant of the sustained arrival-rate estimate. */
  private static final long RATE_TIME_CONSTANT_NANOS = 1_000_000_000L;

  /**
   * Highest utilisation of an instance that the latency-budget cap may leave: the cap never goes
   * below the batch size whose throughput serves the sustained arrival rate at this utilisation.
   */
  private static final double KEEP_UP_UTILISATION = 0.85;

  private final BatcherSettings settings;
  private final List<BatchEngine<I, O>> engines;
  private final NanoClock clock;
  private final DelayScheduler scheduler;
  private final Executor workers;
  private final OutcomeListener listener;
  private final long maxQueueDelayNanos;
  private final long latencyBudgetNanos;

  private final Object lock = new Object();
  // Guarded by lock.
  private final ArrayDeque<Pending<I, O>> queue = new ArrayDeque<>();
  private final ArrayDeque<Integer> idle = new ArrayDeque<>();
  private final Set<List<Pending<I, O>>> running =
      Collections.newSetFromMap(new IdentityHashMap<>());
  private final BatchCostModel costModel;
  private final long[] arrivals = new long[ARRIVAL_WINDOW];
  private int arrivalCount;
  private int arrivalNext;
  // Exponentially decayed count of arrivals (time constant RATE_TIME_CONSTANT_NANOS) and when it
  // was last brought up to date: the sustained arrival rate, steadier than the recent-arrivals
  // window, which follows every burst.
  private double decayedArrivals;
  private long decayedAt;
  private boolean closing;
  private int completing;
  private DelayScheduler.Cancellable timer;
  private long timerDueNanos;

  private final CompletableFuture<Void> drained = new CompletableFuture<>();

  /**
   * Creates a batcher; it owns none of its collaborators.
   *
   * @param engines one engine per instance; their number must equal {@code settings.instances()}
   * @param clock the time source for arrival, deadlines and batch cost
   * @param scheduler wakes the batcher when the oldest request's delay runs out
   * @param workers runs batches; needs a thread per instance for full parallelism
   */
  public MicroBatcher(
      BatcherSettings settings,
      List<? extends BatchEngine<I, O>> engines,
      NanoClock clock,
      DelayScheduler scheduler,
      Executor workers) {
    this(settings, engines, clock, scheduler, workers, OutcomeListener.NONE);
  }

  /**
   * As above, telling {@code listener} what becomes of each request.
   *
   * @param listener hears each request's outcome (admitted, rejected, expired, failed, answered)
   */
  public MicroBatcher(
      BatcherSettings settings,
      List<? extends BatchEngine<I, O>> engines,
      NanoClock clock,
      DelayScheduler scheduler,
      Executor workers,
      OutcomeListener listener) {
    this.settings = Objects.requireNonNull(settings, "settings");
    this.engines = List.copyOf(engines);
    if (this.engines.size() != settings.instances()) {
      throw new IllegalArgumentException(
          "got " + this.engines.size() + " engines for " + settings.instances() + " instances");
    }
    this.clock = Objects.requireNonNull(clock, "clock");
    this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
    this.workers = Objects.requireNonNull(workers, "workers");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.maxQueueDelayNanos = settings.maxQueueDelay().toNanos();
    this.latencyBudgetNanos = settings.latencyBudget().toNanos();
    this.costModel = new BatchCostModel(settings.maxBatchSize());
    this.decayedAt = clock.nanoTime();
    for (int i = 0; i < this.engines.size(); i++) {
      idle.add(i);
    }
  }

  public BatcherSettings settings() {
    return settings;
  }

  /** The batcher's clock, so callers can compute deadlines in its time base. */
  public NanoClock clock() {
    return clock;
  }

  /** A deadline {@code timeout} from now in this batcher's clock. */
  public long deadlineAfter(Duration timeout) {
    return saturatedAdd(clock.nanoTime(), timeout.toNanos());
  }

  /**
   * Runs every batch size from 1 to max on every instance once, before serving, and seeds the batch
   * cost estimate with the timings. Must be called before the first {@link #add}.
   *
   * @param blank an input to repeat, for example an all-zero image
   */
  public void warmUp(I blank) throws Exception {
    for (BatchEngine<I, O> engine : engines) {
      for (int size = 1; size <= settings.maxBatchSize(); size++) {
        long start = clock.nanoTime();
        List<O> out = engine.infer(Collections.nCopies(size, blank));
        long nanos = clock.nanoTime() - start;
        if (out == null || out.size() != size) {
          throw new IllegalStateException("engine returned a wrong number of outputs in warm-up");
        }
        synchronized (lock) {
          costModel.record(size, nanos);
        }
      }
    }
  }

  /** Submits with the default timeout of the settings. */
  public CompletableFuture<BatchResult<O>> add(I input) {
    return add(input, deadlineAfter(settings.defaultTimeout()));
  }

  /**
   * Submits one request. Never waits for other requests: a full queue or a closing batcher fails
   * the returned future at once with a {@link RejectedException}. With {@link
   * BatcherSettings#inlineDispatch()} on an engine where batching does not pay, a request that
   * finds an instance idle is run on the calling thread, and the call returns once it is answered.
   *
   * @param deadlineNanos absolute deadline in this batcher's clock; a request still queued then is
   *     not computed
   * @return completes with the output; cancel it to withdraw the request
   */
  public CompletableFuture<BatchResult<O>> add(I input, long deadlineNanos) {
    return add(input, deadlineNanos, true);
  }

  /**
   * As {@link #add(Object, long)}, saying whether the calling thread may run the request's batch: a
   * caller with more work waiting behind this request passes false, so that the work is not held up
   * by an inference and batches can form from it.
   */
  public CompletableFuture<BatchResult<O>> add(I input, long deadlineNanos, boolean mayRunHere) {
    Objects.requireNonNull(input, "input");
    long now = clock.nanoTime();
    CompletableFuture<BatchResult<O>> future = new CompletableFuture<>();
    if (deadlineNanos - now <= 0) {
      listener.expired();
      future.completeExceptionally(
          new DeadlineExpiredException("deadline passed before the request was queued"));
      return future;
    }
    Actions actions = new Actions();
    RejectedException refusal;
    synchronized (lock) {
      if (closing) {
        refusal =
            new RejectedException(
                RejectedException.Reason.SHUTTING_DOWN, "server is shutting down", 0);
      } else {
        refusal = queueFullLocked(now, actions);
        if (refusal == null) {
          queue.add(new Pending<>(input, now, deadlineNanos, future));
          recordArrivalLocked(now);
          dispatchLocked(now, actions);
          actions.inline =
              mayRunHere
                  && settings.inlineDispatch()
                  && queue.isEmpty()
                  && costModel.ready()
                  && !costModel.batchingPays();
        }
      }
    }
    if (refusal != null) {
      listener.rejected(refusal.reason());
      future.completeExceptionally(refusal);
    } else {
      listener.admitted();
    }
    actions.run();
    return future;
  }

  /**
   * The refusal a request arriving now would get because the queue is full, or null while there is
   * room; expired requests are cleared out first. Lets a caller refuse before it spends work
   * preparing an input that {@link #add} would refuse anyway; {@link #add} checks again. The caller
   * that refuses tells its listener.
   */
  public RejectedException refusalIfFull() {
    long now = clock.nanoTime();
    Actions actions = new Actions();
    RejectedException full;
    synchronized (lock) {
      full = closing ? null : queueFullLocked(now, actions);
    }
    actions.run();
    return full;
  }

  private RejectedException queueFullLocked(long now, Actions actions) {
    if (queue.size() >= settings.maxQueueLength()) {
      purgeLocked(now, actions);
    }
    if (queue.size() < settings.maxQueueLength()) {
      return null;
    }
    long retry = Math.max(expectedWaitNanosLocked(), 1_000_000L);
    return new RejectedException(
        RejectedException.Reason.QUEUE_FULL,
        "queue full ("
            + queue.size()
            + " requests waiting); retry after about "
            + TimeUnit.NANOSECONDS.toMillis(retry)
            + " ms",
        retry);
  }

  /** Number of requests waiting in the queue (cancelled ones may still be counted). */
  public int queueLength() {
    synchronized (lock) {
      return queue.size();
    }
  }

  /** The estimated wall time of a batch of the given size, in nanoseconds; 0 while unknown. */
  public double estimatedBatchNanos(int batchSize) {
    synchronized (lock) {
      return costModel.ready() ? costModel.estimateNanos(batchSize) : 0;
    }
  }

  /** The most requests a batch starting now may take (see {@link #batchCapLocked}). */
  int batchCap() {
    synchronized (lock) {
      return batchCapLocked(clock.nanoTime());
    }
  }

  /** The estimated arrival rate in requests per second, from the most recent arrivals. */
  public double arrivalsPerSecond() {
    synchronized (lock) {
      return arrivalRateLocked(clock.nanoTime()) * 1e9;
    }
  }

  /**
   * Stops accepting requests and dispatches what is queued without waiting for batches to fill.
   *
   * @return completes when every accepted request has been completed
   */
  public CompletableFuture<Void> shutdown() {
    Actions actions = new Actions();
    synchronized (lock) {
      if (!closing) {
        closing = true;
        if (timer != null) {
          timer.cancel();
          timer = null;
        }
      }
      dispatchLocked(clock.nanoTime(), actions);
      checkDrainedLocked();
    }
    actions.run();
    return drained;
  }

  /**
   * Shuts down and waits up to {@code timeout} for the accepted requests to finish; those still
   * unfinished then are failed with a {@link RejectedException}, so none is left unanswered.
   *
   * @return true if everything accepted was answered normally within the timeout
   */
  public boolean close(Duration timeout) throws InterruptedException {
    CompletableFuture<Void> done = shutdown();
    try {
      done.get(timeout.toNanos(), TimeUnit.NANOSECONDS);
      return true;
    } catch (TimeoutException e) {
      abandonAll();
      return false;
    } catch (ExecutionException e) {
      throw new IllegalStateException(e);
    }
  }

  /** Fails every request still queued or running; their later results are ignored. */
  void abandonAll() {
    List<Pending<I, O>> left = new ArrayList<>();
    synchronized (lock) {
      left.addAll(queue);
      queue.clear();
      for (List<Pending<I, O>> batch : running) {
        left.addAll(batch);
      }
      drained.complete(null);
    }
    RejectedException gone =
        new RejectedException(
            RejectedException.Reason.SHUTTING_DOWN,
            "server shut down before the request could be answered",
            0);
    int failed = 0;
    for (Pending<I, O> p : left) {
      if (p.future.completeExceptionally(gone)) {
        listener.rejected(gone.reason());
        failed++;
      }
    }
    if (failed > 0) {
      log.warn("drain timeout: failed {} unfinished requests", failed);
    }
  }

  private void onTimer(long due) {
    Actions actions = new Actions();
    synchronized (lock) {
      if (timer != null && timerDueNanos == due) {
        timer = null;
      }
      dispatchLocked(clock.nanoTime(), actions);
    }
    actions.run();
  }

  private void dispatchLocked(long now, Actions actions) {
    long wakeAt = 0;
    boolean wake = false;
    while (!idle.isEmpty()) {
      dropDeadHeadLocked(now, actions);
      Pending<I, O> head = queue.peekFirst();
      if (head == null) {
        break;
      }
      int max = batchCapLocked(now);
      int queued = queue.size();
      int size;
      long holdUntil =
          closing || queued >= max
              ? now
              : settings.mode() == BatchingMode.FIXED
                  ? saturatedAdd(head.arrivalNanos, maxQueueDelayNanos)
                  : holdUntilLocked(now, head, queued);
      if (holdUntil - now <= 0) {
        size = Math.min(queued, capOrDrainLocked(now, max));
      } else {
        size = largestPreferredAtMost(queued);
        if (size == 0) {
          wake = true;
          wakeAt = holdUntil;
          break;
        }
      }
      List<Pending<I, O>> batch = takeLocked(size, now, actions);
      if (batch.isEmpty()) {
        continue;
      }
      int instance = idle.poll();
      running.add(batch);
      actions.launches.add(new Launch<>(instance, batch));
    }
    if (wake) {
      rescheduleLocked(now, wakeAt);
    }
  }

  /**
   * Until when an idle instance should hold back the queued requests for a fuller batch, or {@code
   * now} to dispatch at once. It holds only while more requests are expected to arrive within one
   * batch's fixed launch cost than are queued, because only then does a fuller batch serve more
   * requests per unit of time; the arrivals are shared among the idle instances. It never holds
   * where batching does not pay (a CPU): there a fuller batch saves too little to be worth any
   * wait, and a hold would only delay a lone request.
   */
  private long holdUntilLocked(long now, Pending<I, O> head, int queued) {
    if (!costModel.ready() || !costModel.batchingPays()) {
      return now;
    }
    double fixed = costModel.fixedNanos();
    double expected = arrivalRateLocked(now) / idle.size() * fixed;
    if (expected < queued + 1) {
      return now;
    }
    int target = (int) Math.min(batchCapLocked(now), Math.ceil(expected));
    long cost = (long) costModel.estimateNanos(target);
    long until =
        settings.mode() == BatchingMode.LATENCY_BUDGET
            ? saturatedAdd(head.arrivalNanos, latencyBudgetNanos - cost)
            : saturatedAdd(head.arrivalNanos, Math.min(maxQueueDelayNanos, (long) fixed));
    long byDeadline = head.deadlineNanos - cost;
    return byDeadline - until < 0 ? byDeadline : until;
  }

  /**
   * The largest batch to send: the max batch size, and in latency-budget mode on an engine where
   * batching does not pay (a CPU) no more than the largest batch whose estimated cost fits in half
   * the budget. A request that arrives just after a batch starts waits for that batch and then runs
   * in the next one, so two batch costs must fit in the budget; where a batch of n costs about n
   * single images, smaller batches cost little throughput. Little is not nothing: each batch pays
   * the fixed cost again, so the cap never goes below the smallest batch whose throughput serves
   * the sustained arrival rate with an instance at most {@link #KEEP_UP_UTILISATION} busy; near
   * saturation a smaller cap would build a queue that no budget survives. Where batching pays, a
   * smaller batch would cost throughput, so the cap stays the max batch size.
   */
  private int batchCapLocked(long now) {
    int max = settings.maxBatchSize();
    if (settings.mode() != BatchingMode.LATENCY_BUDGET
        || !costModel.ready()
        || costModel.batchingPays()) {
      return max;
    }
    double perItem = costModel.perItemNanos();
    if (perItem <= 0) {
      return max;
    }
    double fits = Math.floor((latencyBudgetNanos / 2.0 - costModel.fixedNanos()) / perItem);
    int cap = (int) Math.max(1, Math.min(max, fits));
    return Math.max(cap, keepUpBatchLocked(now, perItem));
  }

  /**
   * The smallest batch size n whose throughput {@code n / (fixed + n * perItem)} per instance
   * serves the sustained arrival rate at {@link #KEEP_UP_UTILISATION}, at most the max batch size.
   */
  private int keepUpBatchLocked(long now, double perItem) {
    double perInstance = sustainedRateLocked(now) / engines.size() / KEEP_UP_UTILISATION;
    double spare = 1 - perInstance * perItem;
    if (spare <= 0) {
      return settings.maxBatchSize();
    }
    double n = Math.ceil(perInstance * costModel.fixedNanos() / spare);
    return (int) Math.max(1, Math.min(settings.maxBatchSize(), n));
  }

  /**
   * The batch cap for a batch that starts now: {@code cap}, or where the latency-budget mode caps
   * batches below the max batch size, at least every queued request that would miss its budget even
   * in a batch of {@code cap} (up to the max batch size). Such a backlog is lost to the budget
   * either way; split into capped batches it would drain slowly (each batch paying its fixed cost
   * and the server's hand-offs again) and hold up the requests behind it, which can still make it.
   */
  private int capOrDrainLocked(long now, int cap) {
    int max = settings.maxBatchSize();
    if (cap >= max) {
      // Only latency-budget mode on a CPU caps batches (batchCapLocked).
      return cap;
    }
    // Requests that arrived before this instant miss the budget even in a batch of cap.
    long lostBefore = now + (long) costModel.estimateNanos(cap) - latencyBudgetNanos;
    int lost = 0;
    for (Pending<I, O> p : queue) {
      if (lost >= max || p.arrivalNanos - lostBefore >= 0) {
        break;
      }
      lost++;
    }
    return Math.max(cap, lost);
  }

  private void recordArrivalLocked(long now) {
    decayedArrivals = sustainedCountLocked(now) + 1;
    decayedAt = now;
    arrivals[arrivalNext] = now;
    arrivalNext = (arrivalNext + 1) % ARRIVAL_WINDOW;
    if (arrivalCount < ARRIVAL_WINDOW) {
      arrivalCount++;
    }
  }

  private double sustainedCountLocked(long now) {
    return decayedArrivals * Math.exp(-(double) (now - decayedAt) / RATE_TIME_CONSTANT_NANOS);
  }

  /**
   * Arrivals per nanosecond, exponentially weighted with a time constant of {@link
   * #RATE_TIME_CONSTANT_NANOS}: the rate sustained over about the last second.
   */
  private double sustainedRateLocked(long now) {
    return sustainedCountLocked(now) / RATE_TIME_CONSTANT_NANOS;
  }

  /** Arrivals per nanosecond over the remembered arrivals, decaying while none come. */
  private double arrivalRateLocked(long now) {
    if (arrivalCount < 2) {
      return 0;
    }
    long oldest = arrivals[(arrivalNext - arrivalCount + ARRIVAL_WINDOW) % ARRIVAL_WINDOW];
    long span = Math.max(now - oldest, 1_000L);
    return (arrivalCount - 1) / (double) span;
  }

  private void rescheduleLocked(long now, long due) {
    if (closing) {
      return;
    }
    if (timer != null) {
      if (timerDueNanos - due <= 0) {
        return;
      }
      timer.cancel();
    }
    timerDueNanos = due;
    long delay = Math.max(due - now, 0);
    timer = scheduler.schedule(() -> onTimer(due), delay);
  }

  private int largestPreferredAtMost(int queued) {
    List<Integer> preferred = settings.preferredBatchSizes();
    for (int i = preferred.size() - 1; i >= 0; i--) {
      if (preferred.get(i) <= queued) {
        return preferred.get(i);
      }
    }
    return 0;
  }

  private long expectedWaitNanosLocked() {
    if (!costModel.ready()) {
      return maxQueueDelayNanos;
    }
    int cap = settings.maxBatchSize();
    long batchesAhead = (queue.size() + cap - 1) / cap;
    return (long) (batchesAhead * costModel.estimateNanos(cap) / engines.size());
  }

  private void dropDeadHeadLocked(long now, Actions actions) {
    Pending<I, O> head;
    while ((head = queue.peekFirst()) != null && head.isDead(now)) {
      queue.pollFirst();
      actions.expire(head);
    }
  }

  private void purgeLocked(long now, Actions actions) {
    for (Iterator<Pending<I, O>> it = queue.iterator(); it.hasNext(); ) {
      Pending<I, O> p = it.next();
      if (p.isDead(now)) {
        it.remove();
        actions.expire(p);
      }
    }
  }

  private List<Pending<I, O>> takeLocked(int size, long now, Actions actions) {
    List<Pending<I, O>> batch = new ArrayList<>(size);
    while (batch.size() < size && !queue.isEmpty()) {
      Pending<I, O> p = queue.pollFirst();
      if (p.isDead(now)) {
        actions.expire(p);
      } else {
        batch.add(p);
      }
    }
    return batch;
  }

  private void launch(int instance, List<Pending<I, O>> batch) {
    try {
      workers.execute(() -> runBatch(instance, batch));
    } catch (RejectedExecutionException e) {
      long now = clock.nanoTime();
      finish(
          instance, batch, null, new InferenceException("no worker to run the batch", e), now, now);
    }
  }

  private void runBatch(int instance, List<Pending<I, O>> batch) {
    List<I> inputs = new ArrayList<>(batch.size());
    for (Pending<I, O> p : batch) {
      inputs.add(p.input);
    }
    long start = clock.nanoTime();
    List<O> outputs = null;
    InferenceException failure = null;
    try {
      outputs = engines.get(instance).infer(inputs);
      if (outputs == null || outputs.size() != inputs.size()) {
        failure =
            new InferenceException(
                "engine returned "
                    + (outputs == null ? "no" : outputs.size())
                    + " outputs for a batch of "
                    + inputs.size(),
                null);
      }
    } catch (Exception | Error e) {
      failure = new InferenceException("inference failed: " + describe(e), e);
    }
    long end = clock.nanoTime();
    if (failure != null) {
      log.warn("batch of {} failed on instance {}", batch.size(), instance, failure);
    }
    finish(instance, batch, outputs, failure, start, end);
  }

  private void finish(
      int instance,
      List<Pending<I, O>> batch,
      List<O> outputs,
      InferenceException failure,
      long start,
      long end) {
    // Free the instance and start the next batch first, so answering this batch's callers
    // overlaps the next inference.
    Actions actions = new Actions();
    synchronized (lock) {
      running.remove(batch);
      completing++;
      idle.push(instance);
      if (failure == null) {
        costModel.record(batch.size(), end - start);
      }
      dispatchLocked(clock.nanoTime(), actions);
    }
    actions.run();
    int n = batch.size();
    try {
      for (int i = 0; i < n; i++) {
        Pending<I, O> p = batch.get(i);
        if (failure != null) {
          if (p.future.completeExceptionally(failure)) {
            listener.failed();
          }
        } else {
          long queueNanos = start - p.arrivalNanos;
          if (p.future.complete(new BatchResult<>(outputs.get(i), queueNanos, end - start, n))) {
            listener.answered(queueNanos);
          }
        }
      }
    } finally {
      synchronized (lock) {
        completing--;
        checkDrainedLocked();
      }
    }
  }

  private void checkDrainedLocked() {
    if (closing && queue.isEmpty() && running.isEmpty() && completing == 0) {
      drained.complete(null);
    }
  }

  private static String describe(Throwable t) {
    String m = t.getMessage();
    return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
  }

  private static long saturatedAdd(long a, long b) {
    long r = a + b;
    return ((a ^ r) & (b ^ r)) < 0 ? Long.MAX_VALUE : r;
  }

  /** A batch assigned to an instance, to be run once the lock is released. */
  private record Launch<I, O>(int instance, List<Pending<I, O>> batch) {}

  /** Work decided under the lock and carried out after releasing it. */
  private final class Actions {
    final List<Launch<I, O>> launches = new ArrayList<>(2);
    List<Pending<I, O>> expired;
    // Run the first batch on this thread rather than handing it to a batch thread.
    boolean inline;

    void expire(Pending<I, O> p) {
      if (expired == null) {
        expired = new ArrayList<>();
      }
      expired.add(p);
    }

    void run() {
      if (expired != null) {
        for (Pending<I, O> p : expired) {
          if (p.future.completeExceptionally(
              new DeadlineExpiredException("deadline passed while queued; not computed"))) {
            listener.expired();
          }
        }
      }
      int first = inline && !launches.isEmpty() ? 1 : 0;
      for (int i = first; i < launches.size(); i++) {
        launch(launches.get(i).instance(), launches.get(i).batch());
      }
      if (first == 1) {
        runBatch(launches.get(0).instance(), launches.get(0).batch());
      }
    }
  }

  private static final class Pending<I, O> {
    final I input;
    final long arrivalNanos;
    final long deadlineNanos;
    final CompletableFuture<BatchResult<O>> future;

    Pending(I input, long arrivalNanos, long deadlineNanos, CompletableFuture<BatchResult<O>> f) {
      this.input = input;
      this.arrivalNanos = arrivalNanos;
      this.deadlineNanos = deadlineNanos;
      this.future = f;
    }

    /** Cancelled or completed by the caller, or past its deadline. */
    boolean isDead(long now) {
      return future.isDone() || deadlineNanos - now <= 0;
    }
  }
}
