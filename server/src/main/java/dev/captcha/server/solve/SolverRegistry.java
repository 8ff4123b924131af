package dev.captcha.server.solve;

import dev.captcha.server.batch.NanoClock;
import dev.captcha.server.batch.RejectedException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The models a server serves, by name, each a {@link ModelSlot} with its own solver and batcher;
 * routes each request to the model it names, or to the default model when it names none. Models may
 * be added, replaced and removed while serving: a request is answered by the slot it was routed to,
 * and a replaced or removed slot is drained and released only after its last request has been
 * answered, so no request in flight fails because of a change. Thread-safe.
 */
public final class SolverRegistry {
  private static final Logger log = LoggerFactory.getLogger(SolverRegistry.class);

  private final String defaultModel;
  private final NanoClock clock;
  private final Executor finisher;
  private final Duration retireDrain;
  private final Map<String, ModelSlot> slots = new ConcurrentHashMap<>();
  private final Object changes = new Object();
  private volatile boolean closed;

  /**
   * An empty registry.
   *
   * @param defaultModel the name of the model that answers requests naming none
   * @param clock the time base of deadlines: the clock of every slot's batcher
   * @param finisher runs the draining and release of retired slots, off the request threads
   * @param retireDrain how long a retired slot's batcher may take to drain before what it still
   *     holds is failed; its requests are normally all answered before it is drained
   */
  public SolverRegistry(
      String defaultModel, NanoClock clock, Executor finisher, Duration retireDrain) {
    this.defaultModel = ModelSlot.requireName(defaultModel);
    this.clock = Objects.requireNonNull(clock, "clock");
    this.finisher = Objects.requireNonNull(finisher, "finisher");
    this.retireDrain = Objects.requireNonNull(retireDrain, "retireDrain");
  }

  /** A registry serving one solver, under {@code name}, as the default model; for tests. */
  public static SolverRegistry single(String name, Solver solver, Supplier<ModelSummary> summary) {
    SolverRegistry registry =
        new SolverRegistry(name, solver.batcher().clock(), Runnable::run, Duration.ofSeconds(30));
    registry.put(new ModelSlot(name, solver, summary, () -> {}));
    return registry;
  }

  /** The name of the model that answers requests naming none. */
  public String defaultModel() {
    return defaultModel;
  }

  /** The name a request's model field stands for: itself, or the default model when empty. */
  public String resolve(String requested) {
    return requested == null || requested.isEmpty() ? defaultModel : requested;
  }

  /** The current time in the batchers' clock, the time base of deadlines. */
  public long nanoTime() {
    return clock.nanoTime();
  }

  /** The names served now: the default first (when served), then in alphabetical order. */
  public List<String> names() {
    List<String> names = new ArrayList<>(slots.keySet());
    names.sort(
        (a, b) -> {
          if (a.equals(b)) {
            return 0;
          }
          if (a.equals(defaultModel)) {
            return -1;
          }
          if (b.equals(defaultModel)) {
            return 1;
          }
          return a.compareTo(b);
        });
    return names;
  }

  /** Whether {@code name} is served now. */
  public boolean contains(String name) {
    return slots.containsKey(name);
  }

  /**
   * Takes {@code slot} into service under its name, replacing the slot of that name if there is
   * one; the replaced slot answers the requests routed to it, then is drained and released.
   *
   * @throws IllegalStateException when the registry is closed; the slot is then released
   */
  public void put(ModelSlot slot) {
    Objects.requireNonNull(slot, "slot");
    slot.finishWith(finisher, retireDrain);
    ModelSlot old;
    synchronized (changes) {
      if (closed) {
        slot.retire();
        throw new IllegalStateException("the server is shutting down");
      }
      old = slots.put(slot.name(), slot);
    }
    if (old != null && old != slot) {
      old.retire();
      log.info("model {} replaced; the old one finishes the requests it holds", slot.name());
    }
  }

  /**
   * Takes the model {@code name} out of service: new requests naming it are refused, those routed
   * to it are answered, then it is drained and released.
   *
   * @return false when no model of that name was served
   */
  public boolean remove(String name) {
    ModelSlot old;
    synchronized (changes) {
      old = slots.remove(name);
    }
    if (old == null) {
      return false;
    }
    old.retire();
    log.info("model {} removed; it finishes the requests it holds", name);
    return true;
  }

  /**
   * Solves one image with the model {@code model} names (the default model when empty).
   *
   * @return as {@link Solver#solve}, or failed with an {@link UnknownModelException} when no such
   *     model is served
   */
  public CompletableFuture<Solution> solve(String model, byte[] image, long deadlineNanos) {
    String name = resolve(model);
    if (closed) {
      return CompletableFuture.failedFuture(
          new RejectedException(
              RejectedException.Reason.SHUTTING_DOWN, "the server is shutting down", 0));
    }
    ModelSlot slot = acquire(name);
    if (slot == null) {
      return CompletableFuture.failedFuture(unknown(name));
    }
    CompletableFuture<Solution> result;
    try {
      result = slot.solver().solve(image, deadlineNanos);
    } catch (RuntimeException | Error e) {
      slot.release();
      throw e;
    }
    result.whenComplete((r, t) -> slot.release());
    return result;
  }

  /** Describes the model {@code model} names (the default model when empty). */
  public ModelSummary summary(String model) throws UnknownModelException {
    String name = resolve(model);
    ModelSlot slot = slots.get(name);
    if (slot == null) {
      throw unknown(name);
    }
    return slot.summary();
  }

  /** Describes every model served, in the order of {@link #names}. */
  public Map<String, ModelSummary> summaries() {
    Map<String, ModelSummary> out = new LinkedHashMap<>();
    for (String name : names()) {
      ModelSlot slot = slots.get(name);
      if (slot != null) {
        out.put(name, slot.summary());
      }
    }
    return out;
  }

  /** Requests waiting in the queues of all models served. */
  public int queueLength() {
    int n = 0;
    for (ModelSlot slot : slots.values()) {
      n += slot.batcher().queueLength();
    }
    return n;
  }

  /** Requests waiting in the queue of the model {@code name}; 0 when it is not served. */
  public int queueLength(String name) {
    ModelSlot slot = slots.get(name);
    return slot == null ? 0 : slot.batcher().queueLength();
  }

  /** The slot served under {@code name} now, or null; for tests. */
  ModelSlot slot(String name) {
    return slots.get(name);
  }

  private ModelSlot acquire(String name) {
    while (true) {
      ModelSlot slot = slots.get(name);
      if (slot == null) {
        return null;
      }
      if (slot.tryAcquire()) {
        return slot;
      }
      // Replaced and finished between the lookup and the acquisition: look again.
      Thread.onSpinWait();
    }
  }

  private UnknownModelException unknown(String name) {
    return new UnknownModelException(name, names());
  }

  /**
   * Stops every batcher taking requests, waits up to {@code timeout} for what they accepted to be
   * answered (failing the rest, so none is left unanswered), then releases every model. Later
   * requests are refused as the server shutting down.
   *
   * @return true if everything accepted was answered normally within the timeout
   */
  public boolean close(Duration timeout) throws InterruptedException {
    List<ModelSlot> all;
    synchronized (changes) {
      closed = true;
      all = new ArrayList<>(slots.values());
    }
    long deadline = System.nanoTime() + timeout.toNanos();
    List<CompletableFuture<Void>> drained = new ArrayList<>();
    for (ModelSlot slot : all) {
      drained.add(slot.batcher().shutdown());
    }
    boolean answered = true;
    for (int i = 0; i < all.size(); i++) {
      long left = Math.max(deadline - System.nanoTime(), 0);
      try {
        drained.get(i).get(left, TimeUnit.NANOSECONDS);
      } catch (TimeoutException e) {
        answered = false;
        all.get(i).batcher().close(Duration.ZERO);
      } catch (ExecutionException e) {
        throw new IllegalStateException(e);
      }
    }
    synchronized (changes) {
      for (ModelSlot slot : all) {
        slots.remove(slot.name(), slot);
      }
    }
    for (ModelSlot slot : all) {
      slot.retire();
    }
    return answered;
  }
}
