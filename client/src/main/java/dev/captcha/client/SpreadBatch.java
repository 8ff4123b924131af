package dev.captcha.client;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * One batch spread over several SolveStreams, so that a channel balancing round-robin over several
 * replicas puts one stream on each: the streams take their items from one shared source as their
 * windows allow, so a faster replica takes more. Their outcomes reach the sink one at a time; the
 * summary adds up the streams' counts once all are complete, and the first failure aborts the
 * others. Thread-safe.
 */
final class SpreadBatch implements BatchRun {
  private final List<StreamBatch> streams;
  private final Map<Integer, StreamBatch> owners = new ConcurrentHashMap<>();
  private final Object lock = new Object();
  // Guarded by lock.
  private StreamBatch.Sink sink;
  private int completed;
  private int submitted;
  private int succeeded;
  private int failed;
  private int restarts;
  private boolean ended;

  SpreadBatch(List<StreamBatch> streams) {
    if (streams.isEmpty()) {
      throw new IllegalArgumentException("no streams");
    }
    this.streams = List.copyOf(streams);
  }

  @Override
  public void start(StreamBatch.Sink downstream) {
    synchronized (lock) {
      if (sink != null) {
        throw new IllegalStateException("already started");
      }
      sink = downstream;
    }
    List<Runnable> starts = new ArrayList<>();
    for (StreamBatch stream : streams) {
      starts.add(() -> stream.start(new Part(stream)));
    }
    starts.forEach(Runnable::run);
  }

  @Override
  public void released(SolveOutcome outcome) {
    StreamBatch owner = owners.remove(outcome.index());
    if (owner != null) {
      owner.release(1);
    }
  }

  @Override
  public void abort(RuntimeException reason) {
    for (StreamBatch stream : streams) {
      stream.abort(reason);
    }
  }

  /** Receives one stream's outcomes and hands them on, serially with the other streams'. */
  private final class Part implements StreamBatch.Sink {
    private final StreamBatch stream;

    Part(StreamBatch stream) {
      this.stream = stream;
    }

    @Override
    public void accept(SolveOutcome outcome) {
      owners.put(outcome.index(), stream);
      synchronized (lock) {
        if (!ended) {
          sink.accept(outcome);
        }
      }
    }

    @Override
    public void complete(BatchSummary summary) {
      synchronized (lock) {
        submitted += summary.submitted();
        succeeded += summary.succeeded();
        failed += summary.failed();
        restarts += summary.streamRestarts();
        if (++completed == streams.size() && !ended) {
          ended = true;
          sink.complete(new BatchSummary(submitted, succeeded, failed, restarts));
        }
      }
    }

    @Override
    public void fail(RuntimeException error) {
      boolean first;
      synchronized (lock) {
        first = !ended;
        if (first) {
          ended = true;
          sink.fail(error);
        }
      }
      if (first) {
        abort(error);
      }
    }
  }
}
