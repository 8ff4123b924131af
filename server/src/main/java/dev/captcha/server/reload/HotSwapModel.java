package dev.captcha.server.reload;

import dev.captcha.model.InputSpec;
import dev.captcha.model.ModelMetadata;
import dev.captcha.server.batch.BatchEngine;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The model in force behind the batcher's instances, replaceable while serving: a new file is
 * loaded beside the current model, checked against the input layout in force, warmed up at every
 * batch size, then takes every batch that starts afterwards; batches already running finish on the
 * old model, which is closed after the last of them. Thread-safe; reloads are serialised.
 *
 * @param <I> the prepared input of one request
 * @param <O> the output for one request
 */
public final class HotSwapModel<I, O> implements Reloadable, AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(HotSwapModel.class);

  private final ModelLoader<I, O> loader;
  private final int instances;
  private final int maxBatchSize;
  private final I blank;
  private final ReloadListener listener;
  private final InputSpec input;
  private final AtomicReference<Generation<I, O>> current = new AtomicReference<>();
  private final List<BatchEngine<I, O>> engines;
  private final Object reloadLock = new Object();

  /**
   * Takes {@code initial} into service; this object then owns it and closes it.
   *
   * @param initial the model loaded at start-up (warmed up by the batcher as usual)
   * @param loader loads the files given to {@link #reload}
   * @param instances the batcher's number of instances
   * @param maxBatchSize the batcher's largest batch; new models are warmed up at 1..max
   * @param blank an input to warm new models up with, for example an all-zero image
   */
  public HotSwapModel(
      ServedModel<I, O> initial,
      ModelLoader<I, O> loader,
      int instances,
      int maxBatchSize,
      I blank,
      ReloadListener listener) {
    Objects.requireNonNull(initial, "initial");
    this.loader = Objects.requireNonNull(loader, "loader");
    if (instances < 1 || maxBatchSize < 1) {
      throw new IllegalArgumentException(
          "instances and max batch size must be >= 1, got " + instances + " and " + maxBatchSize);
    }
    this.instances = instances;
    this.maxBatchSize = maxBatchSize;
    this.blank = Objects.requireNonNull(blank, "blank");
    this.listener = Objects.requireNonNull(listener, "listener");
    this.input = initial.metadata().input();
    current.set(new Generation<>(initial, newInstances(initial), label(initial)));
    List<BatchEngine<I, O>> list = new ArrayList<>(instances);
    for (int i = 0; i < instances; i++) {
      list.add(new SwappableEngine<>(current, i));
    }
    this.engines = List.copyOf(list);
  }

  /** One engine per batcher instance; each runs its batches on the model in force. */
  public List<BatchEngine<I, O>> engines() {
    return engines;
  }

  /** The metadata of the model in force. */
  public ModelMetadata metadata() {
    return generation().model().metadata();
  }

  /** The execution provider of the model in force. */
  public String executionProvider() {
    return generation().model().executionProvider();
  }

  private Generation<I, O> generation() {
    Generation<I, O> g = current.get();
    if (g == null) {
      throw new IllegalStateException("the model has been closed");
    }
    return g;
  }

  @Override
  public void reload(Path file) throws ModelRefusedException {
    synchronized (reloadLock) {
      if (current.get() == null) {
        throw refuse(file, "the server is shutting down", null);
      }
      ServedModel<I, O> candidate;
      try {
        candidate = Objects.requireNonNull(loader.load(file), "loader returned null");
      } catch (Exception e) {
        throw refuse(file, "it could not be loaded: " + e.getMessage(), e);
      }
      Generation<I, O> next;
      try {
        InputSpec offered = candidate.metadata().input();
        if (!input.equals(offered)) {
          throw refuse(
              file,
              "its input "
                  + describe(offered)
                  + " differs from the input in force "
                  + describe(input)
                  + "; a new input layout needs a restart",
              null);
        }
        List<BatchEngine<I, O>> warm = newInstances(candidate);
        warmUp(file, warm);
        next = new Generation<>(candidate, warm, label(candidate));
      } catch (ModelRefusedException | RuntimeException e) {
        candidate.close();
        throw e;
      }
      Generation<I, O> old = current.getAndSet(next);
      log.info("model {} from {} now serves new batches (was {})", next.label(), file, old.label());
      old.retire();
      try {
        listener.swapped(candidate.metadata(), candidate.executionProvider());
      } catch (RuntimeException e) {
        log.warn("a reload listener failed", e);
      }
    }
  }

  private void warmUp(Path file, List<BatchEngine<I, O>> warm) throws ModelRefusedException {
    for (BatchEngine<I, O> engine : warm) {
      for (int size = 1; size <= maxBatchSize; size++) {
        List<O> out;
        try {
          out = engine.infer(Collections.nCopies(size, blank));
        } catch (Exception e) {
          throw refuse(file, "warm-up at batch size " + size + " failed: " + e.getMessage(), e);
        }
        if (out == null || out.size() != size) {
          throw refuse(
              file,
              "warm-up at batch size "
                  + size
                  + " returned "
                  + (out == null ? 0 : out.size())
                  + " outputs",
              null);
        }
      }
    }
  }

  private ModelRefusedException refuse(Path file, String reason, Throwable cause) {
    log.warn("model file {} refused, the model in force keeps serving: {}", file, reason);
    try {
      listener.refused(file, reason);
    } catch (RuntimeException e) {
      log.warn("a reload listener failed", e);
    }
    return new ModelRefusedException("model file " + file + " refused: " + reason, cause);
  }

  private List<BatchEngine<I, O>> newInstances(ServedModel<I, O> model) {
    List<BatchEngine<I, O>> list = new ArrayList<>(instances);
    for (int i = 0; i < instances; i++) {
      list.add(Objects.requireNonNull(model.newInstance(), "newInstance returned null"));
    }
    return list;
  }

  private static String label(ServedModel<?, ?> model) {
    return model.metadata().name() + " " + model.metadata().version();
  }

  private static String describe(InputSpec s) {
    return s.channels()
        + "x"
        + s.height()
        + "x"
        + s.width()
        + " "
        + s.color().label()
        + " scale "
        + s.scale()
        + " mean "
        + s.mean()
        + " std "
        + s.std();
  }

  /**
   * Stops reloading and releases the model in force once its running batches finish; call it after
   * the batcher has drained.
   */
  @Override
  public void close() {
    synchronized (reloadLock) {
      Generation<I, O> g = current.getAndSet(null);
      if (g != null) {
        g.retire();
      }
    }
  }
}
