package dev.captcha.training.data;

import dev.captcha.generator.Captcha;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.model.ColorMode;
import java.awt.image.BufferedImage;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Produces training batches of freshly generated captchas on a background thread, so generation
 * overlaps the optimiser step; owned by one trainer, {@link #next()} is called from one thread.
 *
 * <p>Batch {@code b} holds captchas {@code b * batchSize ... } of the stream {@code seed}, so a run
 * (and a resumed run) sees the same data for the same seed.
 */
public final class BatchSource implements Batches {

  /** One batch: inputs [n, 1, h, w] flattened, labels [n, length] flattened. */
  public record Batch(int size, float[] inputs, int[] labels) {}

  private final CaptchaGenerator generator;
  private final Augmenter augmenter;
  private final ColorMode color;
  private final int batchSize;
  private final int pixels;
  private final long seed;
  private final BlockingQueue<Batch> queue = new ArrayBlockingQueue<>(4);
  private final Thread worker;
  private volatile boolean closed;
  private volatile RuntimeException failure;

  /**
   * A source whose captchas pass through {@code augmenter} (null: none) before they become tensors
   * by the colour transform {@code color}; the augmentation of captcha {@code i} depends only on
   * {@code (seed, i)}.
   */
  public BatchSource(
      CaptchaGenerator generator,
      Augmenter augmenter,
      ColorMode color,
      int batchSize,
      int width,
      int height,
      long seed,
      long firstBatch) {
    this.generator = generator;
    this.augmenter = augmenter;
    this.color = color;
    this.batchSize = batchSize;
    this.pixels = width * height;
    this.seed = seed;
    this.worker = new Thread(() -> produce(firstBatch), "captcha-batches");
    worker.setDaemon(true);
    worker.start();
  }

  /**
   * Fills one batch with the captchas {@code first .. first + n - 1} of stream {@code seed}, each
   * image through {@code augmenter} (null: none) and then the colour transform {@code color}.
   */
  public static Batch make(
      CaptchaGenerator generator,
      Augmenter augmenter,
      ColorMode color,
      int n,
      int pixels,
      long seed,
      long first) {
    float[] x = new float[n * pixels];
    int[] y = new int[n * generator.length()];
    for (int i = 0; i < n; i++) {
      Captcha c = generator.generate(seed, first + i);
      BufferedImage image =
          augmenter == null ? c.image() : augmenter.apply(c.image(), seed, first + i);
      ImageTensors.input(image, color, x, i * pixels);
      ImageTensors.labels(c.text(), y, i * generator.length());
    }
    return new Batch(n, x, y);
  }

  private void produce(long firstBatch) {
    try {
      for (long b = firstBatch; !closed; b++) {
        Batch batch = make(generator, augmenter, color, batchSize, pixels, seed, b * batchSize);
        while (!closed && !queue.offer(batch, 100, TimeUnit.MILLISECONDS)) {
          // wait for the trainer to take one
        }
      }
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } catch (RuntimeException e) {
      failure = e;
    }
  }

  /** The next batch, waiting for it if the generator is behind. */
  @Override
  public Batch next() throws InterruptedException {
    while (true) {
      Batch b = queue.poll(100, TimeUnit.MILLISECONDS);
      if (b != null) {
        return b;
      }
      if (failure != null) {
        throw new IllegalStateException("captcha generation failed", failure);
      }
    }
  }

  @Override
  public void close() {
    closed = true;
    worker.interrupt();
  }
}
