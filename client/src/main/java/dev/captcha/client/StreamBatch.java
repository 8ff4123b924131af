package dev.captcha.client;

import com.google.protobuf.ByteString;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import io.grpc.Status;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.ClientResponseObserver;
import io.grpc.stub.StreamObserver;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.Iterator;
import java.util.Map;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.random.RandomGenerator;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Streams one batch of images through SolveStream with client-side flow control: it sends only
 * while the transport is ready and fewer than {@code maxInFlight} items are sent and not yet
 * released by the consumer, and hands every item exactly one outcome. An item answered with
 * RESOURCE_EXHAUSTED or UNAVAILABLE is sent again after a backoff, and when the stream itself fails
 * because its server went away it is reopened for the unanswered items, both up to the retry
 * settings' attempts. Backoff pauses come from an injected {@link Scheduler} and random source, so
 * tests control them. Its lock guards bookkeeping only: reading an image's bytes, sending,
 * half-closing and cancelling happen outside it, on one thread at a time. Thread-safe; outcomes
 * reach the sink one at a time.
 */
final class StreamBatch implements BatchRun {
  private static final Logger log = LoggerFactory.getLogger(StreamBatch.class);

  /** Runs a task after a pause; thread-safe. */
  @FunctionalInterface
  interface Scheduler {
    /** Pauses on a shared timer thread, then runs the task on the common pool. */
    Scheduler SYSTEM =
        (task, delay) ->
            CompletableFuture.delayedExecutor(delay.toNanos(), TimeUnit.NANOSECONDS).execute(task);

    void schedule(Runnable task, Duration delay);
  }

  /** Receives a batch's outcomes, serially, then exactly one of complete or fail. */
  interface Sink {
    void accept(SolveOutcome outcome);

    void complete(BatchSummary summary);

    void fail(RuntimeException error);
  }

  /**
   * Where a batch takes its items, each with its index in the whole input; several batches that
   * spread one input over several streams share one. Thread-safe.
   */
  interface Source {
    /** The next item, or null at the end of the input. */
    Item next();

    /** An item and its index in the input. */
    record Item(int index, CaptchaImage image) {}

    /** The items of {@code images}, numbered from 0. */
    static Source of(Iterator<CaptchaImage> images) {
      return new Source() {
        private int next;

        @Override
        public synchronized Item next() {
          return images.hasNext() ? new Item(next++, images.next()) : null;
        }
      };
    }
  }

  private final Source inputs;
  private final int maxInFlight;
  private final Function<StreamObserver<SolveResponse>, StreamObserver<SolveRequest>> opener;
  private final ErrorMapper mapper;
  private final Duration deadline;
  private final RetrySettings retry;
  private final Scheduler scheduler;
  private final RandomGenerator random; // guarded by lock

  private final Object lock = new Object();
  // Guarded by lock.
  private Sink sink;
  private Attempt current;
  private final ArrayDeque<Integer> resend = new ArrayDeque<>();
  private final Map<Integer, Integer> itemRetries = new HashMap<>();
  private final java.util.Set<Integer> backingOff = new java.util.HashSet<>();
  private final Map<Integer, CaptchaImage> pending = new HashMap<>();
  private int started;
  private int window;
  private int succeeded;
  private int failed;
  private int restarts;
  private boolean inputExhausted;
  private boolean finished;
  private Attempt cancelling; // an attempt the sender is to cancel
  private String model = ""; // the model items name; set before start

  private final ConcurrentLinkedQueue<Runnable> deliveries = new ConcurrentLinkedQueue<>();
  private final AtomicInteger deliveriesWip = new AtomicInteger();
  // Requests for a pass of the sender; one thread at a time sends (see pump).
  private final AtomicInteger pumpWip = new AtomicInteger();

  StreamBatch(
      Iterator<CaptchaImage> inputs,
      int maxInFlight,
      Function<StreamObserver<SolveResponse>, StreamObserver<SolveRequest>> opener,
      ErrorMapper mapper,
      Duration deadline,
      RetrySettings retry) {
    this(Source.of(inputs), maxInFlight, opener, mapper, deadline, retry);
  }

  /** As above, taking the items from a source that other batches may share. */
  StreamBatch(
      Source inputs,
      int maxInFlight,
      Function<StreamObserver<SolveResponse>, StreamObserver<SolveRequest>> opener,
      ErrorMapper mapper,
      Duration deadline,
      RetrySettings retry) {
    this(
        inputs,
        maxInFlight,
        opener,
        mapper,
        deadline,
        retry,
        Scheduler.SYSTEM,
        new SplittableRandom());
  }

  /**
   * As above, with the pauses between retries taken on {@code scheduler} and drawn from {@code
   * random} (used under the batch's lock only).
   */
  StreamBatch(
      Iterator<CaptchaImage> inputs,
      int maxInFlight,
      Function<StreamObserver<SolveResponse>, StreamObserver<SolveRequest>> opener,
      ErrorMapper mapper,
      Duration deadline,
      RetrySettings retry,
      Scheduler scheduler,
      RandomGenerator random) {
    this(Source.of(inputs), maxInFlight, opener, mapper, deadline, retry, scheduler, random);
  }

  /** The general form of the constructors above. */
  StreamBatch(
      Source inputs,
      int maxInFlight,
      Function<StreamObserver<SolveResponse>, StreamObserver<SolveRequest>> opener,
      ErrorMapper mapper,
      Duration deadline,
      RetrySettings retry,
      Scheduler scheduler,
      RandomGenerator random) {
    this.inputs = inputs;
    this.maxInFlight = maxInFlight;
    this.opener = opener;
    this.mapper = mapper;
    this.deadline = deadline;
    this.retry = retry;
    this.scheduler = scheduler;
    this.random = random;
  }

  /** Names the model every item is solved with (empty: the server's default); call before start. */
  StreamBatch model(String name) {
    synchronized (lock) {
      this.model = Objects.requireNonNull(name, "name");
    }
    return this;
  }

  /** Starts streaming; outcomes go to {@code sink}. */
  @Override
  public void start(Sink sink) {
    synchronized (lock) {
      if (this.sink != null) {
        throw new IllegalStateException("already started");
      }
      this.sink = sink;
    }
    openAttempt();
  }

  /** The consumer has taken {@code n} outcomes: their window slots free up. */
  void release(int n) {
    synchronized (lock) {
      window -= n;
    }
    pump();
  }

  @Override
  public void released(SolveOutcome outcome) {
    release(1);
  }

  /** Stops the batch: cancels the stream and fails the sink with {@code reason}. */
  @Override
  public void abort(RuntimeException reason) {
    synchronized (lock) {
      if (finished) {
        return;
      }
      abortLocked(reason, reason.getMessage());
    }
    pump();
    deliver();
  }

  private void openAttempt() {
    Attempt attempt = new Attempt();
    synchronized (lock) {
      if (finished) {
        return;
      }
      current = attempt;
    }
    try {
      opener.apply(attempt);
    } catch (RuntimeException e) {
      abort(mapper.fromThrowable(e, deadline));
    }
  }

  /**
   * Sends what the window and the transport allow, and carries out a pending half-close or cancel.
   * Any thread may ask; one thread at a time does the work, going round again for the requests that
   * came meanwhile, so the stream's methods are never called concurrently and never under the lock.
   */
  private void pump() {
    if (pumpWip.getAndIncrement() != 0) {
      return;
    }
    do {
      while (sendOne()) {
        // the next item
      }
    } while (pumpWip.decrementAndGet() != 0);
    deliver();
  }

  /** One step of the sender; false when there is nothing to do now. */
  private boolean sendOne() {
    Attempt attempt;
    int index = -1;
    CaptchaImage image = null;
    boolean halfClose = false;
    synchronized (lock) {
      attempt = cancelling;
      if (attempt != null) {
        cancelling = null;
      }
    }
    if (attempt != null) {
      attempt.requests.cancel(attempt.cancelMessage, attempt.cancelCause);
      return true;
    }
    synchronized (lock) {
      attempt = current;
      if (attempt == null || attempt.requests == null || attempt.halfClosed) {
        return false;
      }
      if (finished) {
        if (!attempt.halfClosePending) {
          return false;
        }
        attempt.halfClosed = true;
        halfClose = true;
      } else {
        if (!attempt.requests.isReady()) {
          return false;
        }
        if (!resend.isEmpty()) {
          index = resend.poll();
          image = pending.get(index);
        } else if (!inputExhausted && window < maxInFlight) {
          Source.Item item;
          try {
            item = inputs.next();
            if (item == null) {
              inputExhausted = true;
              // The client half-closes only once every item has its outcome
              // (checkCompleteLocked), so items refused as overloaded can still be sent again.
              checkCompleteLocked();
              return true;
            }
          } catch (RuntimeException e) {
            abortLocked(e, "batch aborted: " + e);
            return true;
          }
          image = item.image();
          if (image == null) {
            abortLocked(
                new IllegalArgumentException("null image at index " + item.index()),
                "batch aborted: null image");
            return true;
          }
          index = item.index();
          started++;
          window++;
          pending.put(index, image);
        } else {
          return false;
        }
        attempt.sent.add(index);
      }
    }
    if (halfClose) {
      attempt.requests.onCompleted();
      return false;
    }
    byte[] bytes;
    try {
      bytes = image.read();
    } catch (IOException | RuntimeException e) {
      unsend(
          attempt,
          index,
          SolveOutcome.failure(
              index,
              image,
              new InvalidImageException("CLIENT", "cannot read " + image.id() + ": " + e, e)));
      return true;
    }
    if (bytes.length == 0) {
      unsend(
          attempt,
          index,
          SolveOutcome.failure(
              index,
              image,
              new InvalidImageException(
                  "CLIENT", "image " + image.id() + " is empty (0 bytes)", null)));
      return true;
    }
    attempt.requests.onNext(
        SolveRequest.newBuilder()
            .setId(Integer.toString(index))
            .setModel(model)
            .setImage(ByteString.copyFrom(bytes))
            .build());
    return true;
  }

  /** An item that could not be read gets its outcome without being sent. */
  private void unsend(Attempt attempt, int index, SolveOutcome outcome) {
    synchronized (lock) {
      attempt.sent.remove(index);
      if (pending.containsKey(index)) {
        finishItem(index, outcome);
      }
      checkCompleteLocked();
    }
  }

  private void onResponse(Attempt attempt, SolveResponse response) {
    synchronized (lock) {
      if (attempt != current || finished) {
        return;
      }
      int index;
      try {
        index = Integer.parseInt(response.getId());
      } catch (NumberFormatException e) {
        index = -1;
      }
      if (!attempt.sent.remove(index)) {
        log.warn("ignoring a stream response with unknown or repeated id '{}'", response.getId());
        return;
      }
      CaptchaImage image = pending.get(index);
      if (response.hasError() && retryable(response.getError().getCode())) {
        int retries = itemRetries.merge(index, 1, Integer::sum);
        if (retries < retry.maxAttempts()) {
          backingOff.add(index);
          long bound = retry.backoffBound(retries).toMillis();
          long pauseMs = bound <= 0 ? 0 : random.nextLong(bound + 1);
          int item = index;
          scheduler.schedule(() -> retryItem(item), Duration.ofMillis(pauseMs));
          return;
        }
      }
      SolveOutcome outcome =
          response.hasError()
              ? SolveOutcome.failure(
                  index, image, mapper.fromItemError(response.getError(), deadline))
              : SolveOutcome.success(index, image, SolveResult.fromProto(response, image.id()));
      finishItem(index, outcome);
      checkCompleteLocked();
    }
    pump();
    deliver();
  }

  /**
   * Whether a stream failed because its server went away: UNAVAILABLE, or the transport's UNKNOWN
   * "channel closed" when the connection dies while the client is writing. Solving is idempotent,
   * so the unanswered items can safely go to another replica.
   */
  static boolean replicaLost(Status status) {
    if (status.getCode() == Status.Code.UNAVAILABLE) {
      return true;
    }
    if (status.getCode() != Status.Code.UNKNOWN) {
      return false;
    }
    for (Throwable t = status.getCause(); t != null; t = t.getCause()) {
      if (t instanceof java.nio.channels.ClosedChannelException) {
        return true;
      }
    }
    return "channel closed".equals(status.getDescription());
  }

  private static boolean retryable(int code) {
    return code == Status.Code.RESOURCE_EXHAUSTED.value()
        || code == Status.Code.UNAVAILABLE.value();
  }

  /** An item refused as overloaded has waited its backoff: send it again. */
  private void retryItem(int index) {
    synchronized (lock) {
      if (!backingOff.remove(index) || finished) {
        return;
      }
      resend.add(index);
    }
    pump();
  }

  private void onError(Attempt attempt, Throwable t) {
    boolean reopen = false;
    long pauseMs = 0;
    synchronized (lock) {
      if (attempt != current || finished) {
        return;
      }
      current = null;
      Status status = Status.fromThrowable(t);
      if (replicaLost(status) && restarts + 1 < retry.maxAttempts()) {
        restarts++;
        TreeSet<Integer> again = new TreeSet<>(attempt.sent);
        again.addAll(resend);
        resend.clear();
        resend.addAll(again);
        reopen = true;
        long bound = retry.backoffBound(restarts).toMillis();
        pauseMs = bound <= 0 ? 0 : random.nextLong(bound + 1);
        log.debug(
            "stream unavailable ({}), reopening for {} items in {} ms",
            status,
            again.size(),
            pauseMs);
      } else {
        failEverythingLocked(attempt, mapper.fromThrowable(t, deadline));
      }
    }
    pump();
    deliver();
    if (reopen) {
      scheduler.schedule(this::openAttempt, Duration.ofMillis(pauseMs));
    }
  }

  private void onCompleted(Attempt attempt) {
    synchronized (lock) {
      if (attempt != current || finished) {
        return;
      }
      current = null;
      String why =
          attempt.halfClosed
              ? "the server ended the stream without answering this item"
              : "the server ended the stream before the client had sent every item";
      failEverythingLocked(attempt, new ServerErrorException("OK", why, null));
    }
    pump();
    deliver();
  }

  /** Fails the unanswered items and every input not yet sent with {@code error}. */
  private void failEverythingLocked(Attempt attempt, CaptchaSolverException error) {
    TreeSet<Integer> left = new TreeSet<>(attempt.sent);
    left.addAll(resend);
    left.addAll(backingOff);
    resend.clear();
    backingOff.clear();
    for (int index : left) {
      finishItem(index, SolveOutcome.failure(index, pending.get(index), error));
    }
    try {
      Source.Item item;
      while (!inputExhausted && (item = inputs.next()) != null) {
        CaptchaImage image = item.image();
        int index = item.index();
        started++;
        window++;
        pending.put(index, image);
        finishItem(index, SolveOutcome.failure(index, image, error));
      }
    } catch (RuntimeException e) {
      abortLocked(e, "batch aborted: " + e);
      return;
    }
    inputExhausted = true;
    checkCompleteLocked();
  }

  private void finishItem(int index, SolveOutcome outcome) {
    pending.remove(index);
    if (outcome.succeeded()) {
      succeeded++;
    } else {
      failed++;
    }
    Sink s = sink;
    deliveries.add(() -> s.accept(outcome));
  }

  private void checkCompleteLocked() {
    if (!finished && inputExhausted && pending.isEmpty()) {
      finished = true;
      Attempt attempt = current;
      if (attempt != null && attempt.requests != null && !attempt.halfClosed) {
        attempt.halfClosePending = true; // the sender half-closes, outside the lock
      }
      BatchSummary summary = new BatchSummary(started, succeeded, failed, restarts);
      Sink s = sink;
      deliveries.add(() -> s.complete(summary));
    }
  }

  /** Ends the batch with {@code e}; the sender cancels the stream, outside the lock. */
  private void abortLocked(RuntimeException e, String message) {
    finished = true;
    if (current != null && current.requests != null) {
      current.cancelMessage = message;
      current.cancelCause = e;
      cancelling = current;
    }
    current = null;
    Sink s = sink;
    deliveries.add(() -> s.fail(e));
  }

  /** Runs queued deliveries one at a time, on whichever thread gets here first. */
  private void deliver() {
    if (deliveriesWip.getAndIncrement() != 0) {
      return;
    }
    do {
      Runnable r;
      while ((r = deliveries.poll()) != null) {
        try {
          r.run();
        } catch (RuntimeException e) {
          log.debug("batch consumer failed; aborting the batch", e);
          abortFromConsumer(e);
        }
      }
    } while (deliveriesWip.decrementAndGet() != 0);
  }

  private void abortFromConsumer(RuntimeException e) {
    synchronized (lock) {
      if (finished) {
        return;
      }
      abortLocked(e, "batch aborted: " + e);
    }
    pump();
  }

  /** One SolveStream call; a batch makes a new one when it reopens the stream. */
  private final class Attempt implements ClientResponseObserver<SolveRequest, SolveResponse> {
    private ClientCallStreamObserver<SolveRequest> requests;
    private final TreeSet<Integer> sent = new TreeSet<>();
    private boolean halfClosePending; // guarded by lock
    private boolean halfClosed; // guarded by lock
    private String cancelMessage; // guarded by lock
    private RuntimeException cancelCause; // guarded by lock

    @Override
    public void beforeStart(ClientCallStreamObserver<SolveRequest> requestStream) {
      synchronized (lock) {
        this.requests = requestStream;
      }
      requestStream.setOnReadyHandler(StreamBatch.this::pump);
    }

    @Override
    public void onNext(SolveResponse value) {
      onResponse(this, value);
    }

    @Override
    public void onError(Throwable t) {
      StreamBatch.this.onError(this, t);
    }

    @Override
    public void onCompleted() {
      StreamBatch.this.onCompleted(this);
    }
  }

  /** For tests: items started and not released. */
  int windowInUse() {
    synchronized (lock) {
      return window;
    }
  }
}
