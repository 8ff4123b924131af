package dev.captcha.client.cli;

import dev.captcha.client.BatchOptions;
import dev.captcha.client.CaptchaImage;
import dev.captcha.client.CaptchaSolverClient;
import dev.captcha.client.CaptchaSolverException;
import dev.captcha.client.ServerErrorException;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import java.util.concurrent.Semaphore;
import java.util.function.Consumer;

/**
 * Solves a list of image files with a bounded number in flight, either as concurrent Solve calls or
 * over one SolveStream, and hands each file's outcome to a consumer, one at a time.
 */
final class BatchRunner {
  private final CaptchaSolverClient client;
  private final boolean stream;
  private final int maxInFlight;
  private final boolean ordered;

  BatchRunner(CaptchaSolverClient client, boolean stream, int maxInFlight, boolean ordered) {
    this.client = client;
    this.stream = stream;
    this.maxInFlight = maxInFlight;
    this.ordered = ordered;
  }

  void run(List<Path> files, Consumer<Item> consumer) {
    if (stream) {
      List<CaptchaImage> images = files.stream().map(CaptchaImage::of).toList();
      client.solveAll(
          images,
          new BatchOptions(maxInFlight, ordered),
          o ->
              consumer.accept(
                  new Item(
                      o.index(),
                      o.input().path(),
                      o.succeeded() ? o.result() : null,
                      o.error().orElse(null))));
    } else {
      runUnary(files, consumer);
    }
  }

  private void runUnary(List<Path> files, Consumer<Item> consumer) {
    Semaphore permits = new Semaphore(maxInFlight);
    Dispatcher dispatcher = new Dispatcher(consumer, ordered);
    try {
      for (int i = 0; i < files.size(); i++) {
        permits.acquire();
        int index = i;
        Path file = files.get(i);
        client
            .solveAsync(file)
            .whenComplete(
                (r, t) -> {
                  try {
                    dispatcher.add(new Item(index, file, r, t == null ? null : unwrap(t)));
                  } finally {
                    permits.release();
                  }
                });
      }
      permits.acquire(maxInFlight);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new CliFailure(ExitCodes.ITEM_FAILURES, "interrupted");
    }
    dispatcher.rethrow();
  }

  private static CaptchaSolverException unwrap(Throwable t) {
    Throwable c = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    return c instanceof CaptchaSolverException e
        ? e
        : new ServerErrorException("CLIENT", "unexpected failure: " + c, c);
  }

  /** Hands items on one at a time, in input order when asked. */
  private static final class Dispatcher {
    private final Consumer<Item> consumer;
    private final boolean ordered;
    private final Map<Integer, Item> early = new HashMap<>();
    private int next;
    private RuntimeException failure;

    Dispatcher(Consumer<Item> consumer, boolean ordered) {
      this.consumer = consumer;
      this.ordered = ordered;
    }

    synchronized void add(Item item) {
      if (failure != null) {
        return;
      }
      try {
        if (!ordered) {
          consumer.accept(item);
          return;
        }
        early.put(item.index(), item);
        Item i;
        while ((i = early.remove(next)) != null) {
          next++;
          consumer.accept(i);
        }
      } catch (RuntimeException e) {
        failure = e;
      }
    }

    synchronized void rethrow() {
      if (failure != null) {
        throw failure;
      }
    }
  }
}
