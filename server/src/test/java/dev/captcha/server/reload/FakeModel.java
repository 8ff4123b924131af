package dev.captcha.server.reload;

import dev.captcha.model.ModelFormatException;
import dev.captcha.model.ModelMetadata;
import dev.captcha.server.batch.BatchEngine;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A model whose instances answer {@code version + ":" + input}, record every batch size, fail if
 * used after close or by two threads at once, and can be told to block inside a batch or to throw.
 * Thread-safe.
 */
final class FakeModel implements ServedModel<String, String> {
  final String version;
  private final ModelMetadata metadata;
  final AtomicBoolean closed = new AtomicBoolean();
  final AtomicInteger misuse = new AtomicInteger();
  final List<Integer> batchSizes = new CopyOnWriteArrayList<>();
  final List<FakeInstance> instances = new CopyOnWriteArrayList<>();
  volatile CountDownLatch entered;
  volatile CountDownLatch gate;
  volatile RuntimeException failWith;

  FakeModel(String version) {
    this(version, 128);
  }

  FakeModel(String version, int width) {
    this.version = version;
    this.metadata = metadata(version, width);
  }

  static ModelMetadata metadata(String version, int width) {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("captcha.format", "1");
    m.put("captcha.model.name", "fake");
    m.put("captcha.model.version", version);
    m.put("captcha.charset", "0123456789");
    m.put("captcha.length", "4");
    m.put("captcha.decoder", "heads");
    m.put("captcha.input.name", "image");
    m.put("captcha.output.name", "logits");
    m.put("captcha.input.channels", "1");
    m.put("captcha.input.height", "64");
    m.put("captcha.input.width", Integer.toString(width));
    m.put("captcha.input.color", "min-rgb");
    m.put("captcha.input.scale", "0.00392156862745098");
    m.put("captcha.input.mean", "0");
    m.put("captcha.input.std", "1");
    m.put("captcha.input.resize", "bilinear-stretch");
    try {
      return ModelMetadata.parse(m);
    } catch (ModelFormatException e) {
      throw new IllegalStateException(e);
    }
  }

  @Override
  public ModelMetadata metadata() {
    return metadata;
  }

  @Override
  public String executionProvider() {
    return "FAKE";
  }

  @Override
  public BatchEngine<String, String> newInstance() {
    FakeInstance instance = new FakeInstance();
    instances.add(instance);
    return instance;
  }

  @Override
  public void close() {
    if (!closed.compareAndSet(false, true)) {
      misuse.incrementAndGet();
    }
    for (FakeInstance instance : instances) {
      if (instance.busy.get()) {
        misuse.incrementAndGet();
      }
    }
  }

  /** Blocks the next batches inside the model until {@link #open}. */
  void holdBatches(int count) {
    entered = new CountDownLatch(count);
    gate = new CountDownLatch(1);
  }

  void open() {
    gate.countDown();
  }

  final class FakeInstance implements BatchEngine<String, String> {
    private final AtomicBoolean busy = new AtomicBoolean();
    final AtomicInteger batches = new AtomicInteger();

    @Override
    public List<String> infer(List<String> inputs) throws InterruptedException {
      if (closed.get() || !busy.compareAndSet(false, true)) {
        misuse.incrementAndGet();
        throw new IllegalStateException(
            "instance of " + version + " used after close or concurrently");
      }
      try {
        batches.incrementAndGet();
        batchSizes.add(inputs.size());
        CountDownLatch e = entered;
        CountDownLatch g = gate;
        if (e != null && g != null && e.getCount() > 0) {
          e.countDown();
          g.await();
        }
        if (failWith != null) {
          throw failWith;
        }
        List<String> out = new ArrayList<>(inputs.size());
        for (String s : inputs) {
          out.add(version + ":" + s);
        }
        return out;
      } finally {
        busy.set(false);
      }
    }
  }
}
