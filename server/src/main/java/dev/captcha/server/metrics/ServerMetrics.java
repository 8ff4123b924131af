package dev.captcha.server.metrics;

import dev.captcha.server.batch.OutcomeListener;
import dev.captcha.server.batch.RejectedException;
import io.prometheus.metrics.core.metrics.Counter;
import io.prometheus.metrics.core.metrics.GaugeWithCallback;
import io.prometheus.metrics.core.metrics.Histogram;
import io.prometheus.metrics.core.metrics.Info;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.instrumentation.jvm.JvmMetrics;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import io.prometheus.metrics.model.snapshots.ClassicHistogramBuckets;
import io.prometheus.metrics.model.snapshots.HistogramSnapshot;
import io.prometheus.metrics.model.snapshots.Unit;
import java.io.IOException;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.function.IntSupplier;
import java.util.function.Supplier;

/**
 * The service's Prometheus metrics, registered in a registry the caller owns; thread-safe.
 *
 * <p>Names follow the Prometheus conventions: base units (seconds), {@code _total} on counters, a
 * {@code captcha_} prefix. Request outcomes (admitted, rejected by reason, expired, failed,
 * answered with its queue time) are recorded where they happen, by the solver and the batcher
 * through {@link #outcomes()}; batches by {@link MeteredEngine}; gRPC calls, by method and status
 * code, and their latency by the gRPC adapter's interceptor.
 */
public final class ServerMetrics {
  private static final double[] BATCH_SIZE_BUCKETS = {1, 2, 4, 8, 16, 32, 64, 128, 256, 512};

  private final PrometheusRegistry registry;
  private final Counter grpcRequests;
  private final Counter httpRequests;
  private final Counter streamItems;
  private final Histogram serverTime;
  private final Histogram queueTime;
  private final Histogram inferenceTime;
  private final Histogram batchSize;
  private final Counter admitted;
  private final Counter expired;
  private final Counter rejected;
  private final Counter failed;
  private final Counter inferenceFailures;
  private final Info modelInfo;
  private final Info servedModels;
  private final Counter modelRequests;
  private volatile boolean recordingBatches;

  /**
   * Creates the metrics and registers them, and the JVM's standard metrics, in {@code registry}.
   */
  public ServerMetrics(PrometheusRegistry registry) {
    this.registry = Objects.requireNonNull(registry, "registry");
    grpcRequests =
        Counter.builder()
            .name("captcha_grpc_requests_total")
            .help("gRPC calls finished, by full method name and status code")
            .labelNames("method", "code")
            .register(registry);
    httpRequests =
        Counter.builder()
            .name("captcha_http_requests_total")
            .help("HTTP requests answered, by route and status code")
            .labelNames("route", "code")
            .register(registry);
    streamItems =
        Counter.builder()
            .name("captcha_stream_items_total")
            .help("SolveStream items answered, by status code (OK or the item's error code)")
            .labelNames("code")
            .register(registry);
    serverTime =
        seconds(
                "captcha_server_time_seconds",
                "Time from a request's arrival at the server to its answer (per Solve call or "
                    + "SolveStream item)")
            .labelNames("method")
            .register(registry);
    queueTime =
        seconds(
                "captcha_queue_time_seconds",
                "Time from a request's arrival at the batcher to the start of its batch")
            .register(registry);
    inferenceTime =
        seconds("captcha_inference_time_seconds", "Wall time of one inference batch")
            .register(registry);
    batchSize =
        Histogram.builder()
            .name("captcha_batch_size")
            .help("Number of requests in one inference batch")
            .classicOnly()
            .classicUpperBounds(BATCH_SIZE_BUCKETS)
            .withoutExemplars()
            .register(registry);
    admitted =
        Counter.builder()
            .name("captcha_admitted_requests_total")
            .help("Requests accepted into the batcher's queue")
            .register(registry);
    failed =
        Counter.builder()
            .name("captcha_failed_requests_total")
            .help("Requests whose inference batch failed")
            .register(registry);
    expired =
        Counter.builder()
            .name("captcha_expired_requests_total")
            .help("Requests whose deadline passed before inference; they were not computed")
            .register(registry);
    rejected =
        Counter.builder()
            .name("captcha_rejected_requests_total")
            .help("Requests refused by admission control, by reason (queue_full, shutting_down)")
            .labelNames("reason")
            .register(registry);
    inferenceFailures =
        Counter.builder()
            .name("captcha_inference_failures_total")
            .help("Inference batches that failed")
            .register(registry);
    modelInfo =
        Info.builder()
            .name("captcha_model_info")
            .help("The model being served and the execution provider running it")
            .labelNames("name", "version", "execution_provider")
            .register(registry);
    servedModels =
        Info.builder()
            .name("captcha_served_model_info")
            .help(
                "Every model served, by the name requests use (model), with its metadata name,"
                    + " version and execution provider")
            .labelNames("model", "name", "version", "execution_provider")
            .register(registry);
    modelRequests =
        Counter.builder()
            .name("captcha_model_requests_total")
            .help(
                "Requests by the model they named and their outcome at the batcher (admitted,"
                    + " answered, rejected, expired, failed)")
            .labelNames("model", "outcome")
            .register(registry);
    JvmMetrics.builder().register(registry);
  }

  /** The registry holding these metrics, for the HTTP endpoint. */
  public PrometheusRegistry registry() {
    return registry;
  }

  /**
   * Starts an HTTP server exposing these metrics at {@code /metrics} on {@code port} (0 picks a
   * free port); the caller owns it and closes it at shutdown.
   */
  public HTTPServer startHttpServer(int port) throws IOException {
    return HTTPServer.builder().port(port).registry(registry).buildAndStart();
  }

  /** Publishes the current queue length through {@code queueLength} on every scrape. */
  public void registerQueueDepth(IntSupplier queueLength) {
    Objects.requireNonNull(queueLength, "queueLength");
    GaugeWithCallback.builder()
        .name("captcha_queue_depth")
        .help("Requests waiting in the batcher's queue")
        .callback(callback -> callback.call(queueLength.getAsInt()))
        .register(registry);
  }

  /**
   * Publishes the queue length of each model served, as {@code captcha_model_queue_depth} labelled
   * by model, through {@code queueLengths} on every scrape.
   */
  public void registerModelQueueDepths(Supplier<Map<String, Integer>> queueLengths) {
    Objects.requireNonNull(queueLengths, "queueLengths");
    GaugeWithCallback.builder()
        .name("captcha_model_queue_depth")
        .help("Requests waiting in the batcher's queue of one model")
        .labelNames("model")
        .callback(
            callback -> {
              for (Map.Entry<String, Integer> e : queueLengths.get().entrySet()) {
                callback.call(e.getValue(), e.getKey());
              }
            })
        .register(registry);
  }

  /**
   * Reports {@code model} in {@code captcha_served_model_info}, replacing what was reported for
   * that name.
   */
  public void setServedModel(String model, String name, String version, String executionProvider) {
    removeServedModel(model);
    servedModels.addLabelValues(
        Objects.requireNonNull(model, "model"),
        Objects.requireNonNull(name, "name"),
        Objects.requireNonNull(version, "version"),
        Objects.requireNonNull(executionProvider, "executionProvider"));
  }

  /** Stops reporting {@code model} in {@code captcha_served_model_info}. */
  public void removeServedModel(String model) {
    Objects.requireNonNull(model, "model");
    var snapshot = servedModels.collect();
    for (var point : snapshot.getDataPoints()) {
      if (model.equals(point.getLabels().get("model"))) {
        String[] values = new String[4];
        values[0] = model;
        values[1] = point.getLabels().get("name");
        values[2] = point.getLabels().get("version");
        values[3] = point.getLabels().get("execution_provider");
        servedModels.remove(values);
      }
    }
  }

  /**
   * The listener for the requests of one model: records into the server-wide metrics, as {@link
   * #outcomes()} does, and into {@code captcha_model_requests_total} labelled by {@code model}.
   */
  public OutcomeListener outcomes(String model) {
    Objects.requireNonNull(model, "model");
    return new OutcomeListener() {
      @Override
      public void admitted() {
        outcomes.admitted();
        modelRequests.labelValues(model, "admitted").inc();
      }

      @Override
      public void rejected(RejectedException.Reason reason) {
        outcomes.rejected(reason);
        modelRequests.labelValues(model, "rejected").inc();
      }

      @Override
      public void expired() {
        outcomes.expired();
        modelRequests.labelValues(model, "expired").inc();
      }

      @Override
      public void failed() {
        outcomes.failed();
        modelRequests.labelValues(model, "failed").inc();
      }

      @Override
      public void answered(long queueNanos) {
        outcomes.answered(queueNanos);
        modelRequests.labelValues(model, "answered").inc();
      }
    };
  }

  /** Sets the model and execution provider reported by {@code captcha_model_info}. */
  public void setModelInfo(String name, String version, String executionProvider) {
    modelInfo.setLabelValues(
        Objects.requireNonNull(name, "name"),
        Objects.requireNonNull(version, "version"),
        Objects.requireNonNull(executionProvider, "executionProvider"));
  }

  /**
   * Starts recording batches seen by {@link MeteredEngine}s; call it after warm-up so the warm-up
   * batches do not show in the histograms.
   */
  public void startRecordingBatches() {
    recordingBatches = true;
  }

  /**
   * The listener that records request outcomes into these metrics; give it to the solver and the
   * batcher.
   */
  public OutcomeListener outcomes() {
    return outcomes;
  }

  private final OutcomeListener outcomes =
      new OutcomeListener() {
        @Override
        public void admitted() {
          admitted.inc();
        }

        @Override
        public void rejected(RejectedException.Reason reason) {
          rejected.labelValues(reason.name().toLowerCase(Locale.ROOT)).inc();
        }

        @Override
        public void expired() {
          expired.inc();
        }

        @Override
        public void failed() {
          failed.inc();
        }

        @Override
        public void answered(long queueNanos) {
          queueTime.observe(queueNanos / 1e9);
        }
      };

  void recordBatch(int size, long nanos, boolean failed) {
    if (!recordingBatches) {
      return;
    }
    batchSize.observe(size);
    inferenceTime.observe(nanos / 1e9);
    if (failed) {
      inferenceFailures.inc();
    }
  }

  /** Counts a finished gRPC call by full method name and status code. */
  public void recordCall(String method, String code) {
    grpcRequests.labelValues(method, code).inc();
  }

  /** Counts an answered HTTP request by route (such as {@code POST /v1/solve}) and status code. */
  public void recordHttpRequest(String route, int status) {
    httpRequests.labelValues(route, Integer.toString(status)).inc();
  }

  /**
   * The running totals of the batch-size and server-time histograms (all methods and transports
   * together), for a live view that shows their change between two reads.
   */
  public Totals totals() {
    return new Totals(histogram(batchSize.collect()), histogram(serverTime.collect()));
  }

  /**
   * Running totals of the histograms a live view shows; immutable.
   *
   * @param batchSize requests per inference batch
   * @param serverTime seconds from a request's arrival to its answer
   */
  public record Totals(HistogramTotals batchSize, HistogramTotals serverTime) {}

  /**
   * One histogram's running totals, its data points added together; immutable.
   *
   * @param upperBounds the buckets' upper bounds, the last one infinite
   * @param counts observations per bucket (not cumulative)
   */
  public record HistogramTotals(long count, double sum, double[] upperBounds, long[] counts) {}

  private static HistogramTotals histogram(HistogramSnapshot snapshot) {
    long count = 0;
    double sum = 0;
    double[] bounds = new double[0];
    long[] counts = new long[0];
    for (HistogramSnapshot.HistogramDataPointSnapshot point : snapshot.getDataPoints()) {
      ClassicHistogramBuckets buckets = point.getClassicBuckets();
      if (bounds.length == 0) {
        bounds = new double[buckets.size()];
        counts = new long[buckets.size()];
        for (int i = 0; i < bounds.length; i++) {
          bounds[i] = buckets.getUpperBound(i);
        }
      }
      for (int i = 0; i < Math.min(counts.length, buckets.size()); i++) {
        counts[i] += buckets.getCount(i);
      }
      count += point.getCount();
      sum += point.getSum();
    }
    return new HistogramTotals(count, sum, bounds, counts);
  }

  /** Counts an answered SolveStream item by status code. */
  public void recordStreamItem(String code) {
    streamItems.labelValues(code).inc();
  }

  /** Records a request's time from arrival to answer. */
  public void recordServerTime(String method, long nanos) {
    serverTime.labelValues(method).observe(nanos / 1e9);
  }

  private static Histogram.Builder seconds(String name, String help) {
    return Histogram.builder()
        .name(name)
        .help(help)
        .unit(Unit.SECONDS)
        .classicOnly()
        // 0.25 ms to about 8 s, doubling.
        .classicExponentialUpperBounds(0.00025, 2, 16)
        .withoutExemplars();
  }
}
