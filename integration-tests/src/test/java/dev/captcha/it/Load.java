package dev.captcha.it;

import dev.captcha.client.CaptchaSolverClient;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import java.awt.Font;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BooleanSupplier;

/**
 * Sends Solve calls through one client with a bounded number in flight and records every failure.
 * Thread-safe; the counts are read after {@link #run} returns.
 */
final class Load {
  private final List<byte[]> images;
  private final int concurrency;
  private final AtomicInteger answered = new AtomicInteger();
  private final List<String> failures = Collections.synchronizedList(new ArrayList<>());

  Load(List<byte[]> images, int concurrency) {
    this.images = List.copyOf(images);
    this.concurrency = concurrency;
  }

  /** PNG captchas from the generator, in the training fonts where they are installed. */
  static List<byte[]> captchas(int count) {
    List<Font> fonts;
    try {
      fonts = FontCatalog.scanDefault().resolve(FontCatalog.BUNDLED_MODEL_FAMILIES);
    } catch (IllegalArgumentException e) {
      fonts = List.of(new Font(Font.SANS_SERIF, Font.PLAIN, 40));
    }
    CaptchaGenerator generator = CaptchaGenerator.builder().fonts(fonts).build();
    List<byte[]> out = new ArrayList<>(count);
    for (int i = 0; i < count; i++) {
      out.add(generator.generate(0x1D5EEDL, i).png());
    }
    return out;
  }

  /**
   * Sends up to {@code max} calls, stopping early once {@code stop} says so (checked before each
   * send), and waits for every answer.
   *
   * @return the number of calls sent
   */
  int run(CaptchaSolverClient client, int max, BooleanSupplier stop) throws InterruptedException {
    Semaphore window = new Semaphore(concurrency);
    int sent = 0;
    for (; sent < max && !stop.getAsBoolean(); sent++) {
      window.acquire();
      client
          .solveAsync(images.get(sent % images.size()))
          .whenComplete(
              (r, error) -> {
                if (error != null) {
                  failures.add(error.toString());
                } else {
                  answered.incrementAndGet();
                }
                window.release();
                synchronized (this) {
                  notifyAll();
                }
              });
    }
    if (!window.tryAcquire(concurrency, 60, TimeUnit.SECONDS)) {
      throw new IllegalStateException("calls still unanswered after 60 s");
    }
    return sent;
  }

  /** Blocks until {@code count} calls have been answered, or {@code timeout} passes. */
  synchronized boolean awaitAnswered(int count, long timeoutMillis) throws InterruptedException {
    long end = System.currentTimeMillis() + timeoutMillis;
    while (answered.get() < count) {
      long left = end - System.currentTimeMillis();
      if (left <= 0) {
        return false;
      }
      wait(left);
    }
    return true;
  }

  int answered() {
    return answered.get();
  }

  List<String> failures() {
    return List.copyOf(failures);
  }
}
