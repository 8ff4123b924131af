package dev.captcha.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.server.batch.BatchEngine;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.batch.NanoClock;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ServerMetricsTest {
  private static final String SOLVE = "captcha.v1.CaptchaSolver/Solve";
  private static final String STREAM = "captcha.v1.CaptchaSolver/SolveStream";
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+).*$");

  private final List<Integer> engineBatches = Collections.synchronizedList(new ArrayList<>());
  private ServerMetrics metrics;
  private MicroBatcher<Integer, String> batcher;
  private ExecutorService workers;
  private ScheduledExecutorService timers;
  private Server server;
  private ManagedChannel channel;
  private HTTPServer http;

  @BeforeEach
  void start() throws Exception {
    metrics = new ServerMetrics(new PrometheusRegistry());
    BatchEngine<Integer, String> engine = inputs -> {
      engineBatches.add(inputs.size());
      return Collections.nCopies(inputs.size(), "text");
    };
    workers = Executors.newSingleThreadExecutor();
    timers = Executors.newSingleThreadScheduledExecutor();
    batcher = new MicroBatcher<>(
        BatcherSettings.defaults().withMaxBatchSize(4).withMaxQueueDelay(Duration.ofMillis(1)),
        List.of(new MeteredEngine<>(engine, metrics, NanoClock.SYSTEM)),
        NanoClock.SYSTEM, DelayScheduler.of(timers), workers);
    batcher.warmUp(0);
    metrics.startRecordingBatches();
    metrics.registerQueueDepth(batcher::queueLength);
    metrics.setModelInfo("captcha-resnet", "7", "CPU");

    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name)
        .addService(new BatchingSolver())
        .intercept(new GrpcMetricsInterceptor(metrics, NanoClock.SYSTEM))
        .build().start();
    channel = InProcessChannelBuilder.forName(name).build();
    http = metrics.startHttpServer(0);
  }

  @AfterEach
  void stop() throws Exception {
    http.close();
    channel.shutdownNow();
    server.shutdownNow();
    batcher.close(Duration.ofSeconds(5));
    workers.shutdownNow();
    timers.shutdownNow();
  }

  /** Solve goes through the batcher; SolveStream answers directly, with an error for no image. */
  private final class BatchingSolver extends CaptchaSolverGrpc.CaptchaSolverImplBase {
    @Override
    public void solve(SolveRequest request, StreamObserver<SolveResponse> responses) {
      if (request.getImage().isEmpty()) {
        responses.onError(Status.INVALID_ARGUMENT.withDescription("empty image").asException());
        return;
      }
      metrics.observe(batcher.add(request.getImage().size())).whenComplete((r, e) -> {
        if (e == null) {
          responses.onNext(SolveResponse.newBuilder().setId(request.getId())
              .setText(r.output()).build());
          responses.onCompleted();
        } else {
          responses.onError(Status.INTERNAL.withDescription(e.toString()).asException());
        }
      });
    }

    @Override
    public StreamObserver<SolveRequest> solveStream(StreamObserver<SolveResponse> responses) {
      return new StreamObserver<>() {
        @Override
        public void onNext(SolveRequest request) {
          SolveResponse.Builder answer = SolveResponse.newBuilder().setId(request.getId());
          if (request.getImage().isEmpty()) {
            answer.setError(com.google.rpc.Status.newBuilder()
                .setCode(Status.Code.INVALID_ARGUMENT.value()).setMessage("empty image"));
          } else {
            answer.setText("text");
          }
          responses.onNext(answer.build());
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public void onCompleted() {
          responses.onCompleted();
        }
      };
    }
  }

  private static SolveRequest request(String id, int bytes) {
    return SolveRequest.newBuilder().setId(id).setImage(ByteString.copyFrom(new byte[bytes]))
        .build();
  }

  @Test
  void aScrapeAfterTrafficShowsTheExpectedSeries() throws Exception {
    var stub = CaptchaSolverGrpc.newBlockingStub(channel).withDeadlineAfter(30, TimeUnit.SECONDS);
    for (int i = 0; i < 6; i++) {
      assertEquals("text", stub.solve(request("s" + i, 10)).getText());
    }
    StatusRuntimeException bad =
        assertThrows(StatusRuntimeException.class, () -> stub.solve(request("empty", 0)));
    assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());

    CompletableFuture<Void> streamDone = new CompletableFuture<>();
    StreamObserver<SolveRequest> stream = CaptchaSolverGrpc.newStub(channel).solveStream(
        new StreamObserver<>() {
          @Override
          public void onNext(SolveResponse value) {}

          @Override
          public void onError(Throwable t) {
            streamDone.completeExceptionally(t);
          }

          @Override
          public void onCompleted() {
            streamDone.complete(null);
          }
        });
    stream.onNext(request("a", 10));
    stream.onNext(request("b", 0));
    stream.onNext(request("c", 10));
    stream.onCompleted();
    streamDone.get(30, TimeUnit.SECONDS);

    // One request expires before it is queued, one is refused by a closing batcher.
    assertCause(metrics.observe(batcher.add(1, batcher.deadlineAfter(Duration.ofNanos(1)))
        .thenApply(r -> r)));
    batcher.shutdown().get(30, TimeUnit.SECONDS);
    assertCause(metrics.observe(batcher.add(1)));

    Map<String, Double> m = scrape();
    assertEquals(6, m.get("captcha_grpc_requests_total{code=OK,method=" + SOLVE + "}"));
    assertEquals(1, m.get("captcha_grpc_requests_total{code=INVALID_ARGUMENT,method=" + SOLVE + "}"));
    assertEquals(1, m.get("captcha_grpc_requests_total{code=OK,method=" + STREAM + "}"));
    assertEquals(2, m.get("captcha_stream_items_total{code=OK}"));
    assertEquals(1, m.get("captcha_stream_items_total{code=INVALID_ARGUMENT}"));
    assertEquals(7, m.get("captcha_server_time_seconds_count{method=" + SOLVE + "}"));
    assertEquals(3, m.get("captcha_server_time_seconds_count{method=" + STREAM + "}"));
    assertPlausibleSeconds(m, "captcha_server_time_seconds_sum{method=" + SOLVE + "}");

    assertEquals(6, m.get("captcha_queue_time_seconds_count"));
    assertPlausibleSeconds(m, "captcha_queue_time_seconds_sum");
    // Warm-up ran batches of 1 to 4 before recording started; they are not counted.
    List<Integer> served = engineBatches.subList(4, engineBatches.size());
    assertEquals(served.size(), m.get("captcha_batch_size_count"));
    assertEquals(6, m.get("captcha_batch_size_sum"));
    assertEquals(served.size(), m.get("captcha_inference_time_seconds_count"));
    assertPlausibleSeconds(m, "captcha_inference_time_seconds_sum");
    assertEquals(served.size(), m.get("captcha_batch_size_bucket{le=+Inf}"));
    assertTrue(m.get("captcha_queue_time_seconds_bucket{le=+Inf}") == 6);

    assertEquals(1, m.get("captcha_expired_requests_total"));
    assertEquals(1, m.get("captcha_rejected_requests_total{reason=shutting_down}"));
    assertEquals(0, m.get("captcha_queue_depth"));
    assertEquals(1,
        m.get("captcha_model_info{execution_provider=CPU,name=captcha-resnet,version=7}"));
    assertTrue(m.keySet().stream().anyMatch(k -> k.startsWith("jvm_memory_used_bytes")), "jvm");
  }

  private static void assertCause(CompletableFuture<?> future) {
    ExecutionException e =
        assertThrows(ExecutionException.class, () -> future.get(30, TimeUnit.SECONDS));
    assertTrue(e.getCause() instanceof RuntimeException, e.toString());
  }

  private static void assertPlausibleSeconds(Map<String, Double> m, String key) {
    double value = m.get(key);
    assertTrue(value >= 0 && value < 60, key + " = " + value);
  }

  /** Fetches /metrics and returns each sample keyed by name{labels sorted, unquoted}. */
  private Map<String, Double> scrape() throws Exception {
    HttpResponse<String> response = HttpClient.newHttpClient().send(
        HttpRequest.newBuilder(URI.create("http://localhost:" + http.getPort() + "/metrics"))
            .build(),
        HttpResponse.BodyHandlers.ofString());
    assertEquals(200, response.statusCode());
    Map<String, Double> samples = new TreeMap<>();
    for (String line : response.body().split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher matcher = SAMPLE.matcher(line);
      assertTrue(matcher.matches(), line);
      String key = matcher.group(1);
      if (matcher.group(3) != null) {
        TreeMap<String, String> labels = new TreeMap<>();
        for (String pair : matcher.group(3).split(",")) {
          int eq = pair.indexOf('=');
          labels.put(pair.substring(0, eq), pair.substring(eq + 2, pair.length() - 1));
        }
        StringBuilder k = new StringBuilder(key).append('{');
        labels.forEach((n, v) -> k.append(n).append('=').append(v).append(','));
        k.setCharAt(k.length() - 1, '}');
        key = k.toString();
      }
      samples.put(key, Double.parseDouble(matcher.group(4)));
    }
    return samples;
  }
}
