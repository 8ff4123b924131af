package dev.captcha.server.testsupport;

import io.grpc.stub.StreamObserver;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;

/**
 * Collects the messages of a response stream: {@link #done} completes with all of them when the
 * stream completes, or exceptionally with its error. Thread-safe.
 */
public final class ResponseCollector<T> implements StreamObserver<T> {
  private final List<T> received = new ArrayList<>();

  /** Every message, in arrival order, once the stream has completed. */
  public final CompletableFuture<List<T>> done = new CompletableFuture<>();

  @Override
  public synchronized void onNext(T value) {
    received.add(value);
  }

  @Override
  public void onError(Throwable t) {
    done.completeExceptionally(t);
  }

  @Override
  public synchronized void onCompleted() {
    done.complete(List.copyOf(received));
  }
}
