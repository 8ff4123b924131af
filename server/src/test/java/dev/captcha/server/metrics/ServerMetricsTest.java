package dev.captcha.server.metrics;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.common.util.concurrent.ListenableFuture;
import com.google.protobuf.ByteString;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.server.ServingStack;
import dev.captcha.server.testsupport.Images;
import dev.captcha.server.testsupport.ManualClock;
import dev.captcha.server.testsupport.ResponseCollector;
import dev.captcha.server.testsupport.TinyOnnxModel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Traffic through the whole server, then a scrape of its metrics endpoint. */
class ServerMetricsTest {
  private static final String SOLVE = "captcha.v1.CaptchaSolver/Solve";
  private static final String STREAM = "captcha.v1.CaptchaSolver/SolveStream";
  private static final Pattern SAMPLE =
      Pattern.compile("^([a-zA-Z_:][a-zA-Z0-9_:]*)(\\{(.*)})?\\s+(\\S+).*$");

  @TempDir Path dir;

  private static SolveRequest request(String id, byte[] image) {
    return SolveRequest.newBuilder().setId(id).setImage(ByteString.copyFrom(image)).build();
  }

  @Test
  void aScrapeAfterTrafficShowsTheExpectedSeries() throws Exception {
    ManualClock clock = new ManualClock();
    try (ServingStack stack =
        new ServingStack(
            dir,
            clock,
            "--max-batch-size",
            "4",
            "--max-queue-delay",
            "0ms",
            "--max-queue-length",
            "1",
            "--default-timeout",
            "200ms")) {
      var futures = CaptchaSolverGrpc.newFutureStub(stack.channel());
      // A runs (held in the engine), B waits in the queue, C finds the queue full.
      stack.engine.hold();
      int batchesBefore = stack.engine.batches();
      ListenableFuture<SolveResponse> a = futures.solve(request("a", Images.white()));
      stack.engine.awaitBatchesAbove(batchesBefore);
      ListenableFuture<SolveResponse> b = futures.solve(request("b", Images.white()));
      awaitQueued(stack, 1);
      StatusRuntimeException full =
          assertThrows(
              StatusRuntimeException.class,
              () -> stack.blocking().solve(request("c", Images.white())));
      assertEquals(Status.Code.RESOURCE_EXHAUSTED, full.getStatus().getCode());
      // B's deadline (the default timeout) passes while it waits: it is never computed.
      clock.jumpMillis(1000);
      stack.engine.release();
      assertEquals(TinyOnnxModel.WHITE_TEXT, a.get(60, TimeUnit.SECONDS).getText());
      ExecutionException expired =
          assertThrows(ExecutionException.class, () -> b.get(60, TimeUnit.SECONDS));
      assertEquals(Status.Code.DEADLINE_EXCEEDED, Status.fromThrowable(expired).getCode());

      for (int i = 0; i < 6; i++) {
        assertEquals(
            TinyOnnxModel.BLACK_TEXT,
            stack.blocking().solve(request("s" + i, Images.black())).getText());
      }
      StatusRuntimeException bad =
          assertThrows(
              StatusRuntimeException.class,
              () -> stack.blocking().solve(request("empty", new byte[0])));
      assertEquals(Status.Code.INVALID_ARGUMENT, bad.getStatus().getCode());
      List<SolveResponse> items =
          stream(
              stack,
              request("x", Images.white()),
              request("y", new byte[0]),
              request("z", Images.black()));
      assertEquals(3, items.size());

      Map<String, Double> m = parse(stack.scrape());
      assertEquals(7, m.get("captcha_grpc_requests_total{code=OK,method=" + SOLVE + "}"));
      assertEquals(
          1, m.get("captcha_grpc_requests_total{code=INVALID_ARGUMENT,method=" + SOLVE + "}"));
      assertEquals(
          1, m.get("captcha_grpc_requests_total{code=RESOURCE_EXHAUSTED,method=" + SOLVE + "}"));
      assertEquals(
          1, m.get("captcha_grpc_requests_total{code=DEADLINE_EXCEEDED,method=" + SOLVE + "}"));
      assertEquals(1, m.get("captcha_grpc_requests_total{code=OK,method=" + STREAM + "}"));
      assertEquals(2, m.get("captcha_stream_items_total{code=OK}"));
      assertEquals(1, m.get("captcha_stream_items_total{code=INVALID_ARGUMENT}"));

      assertEquals(10, m.get("captcha_server_time_seconds_count{method=" + SOLVE + "}"));
      assertEquals(3, m.get("captcha_server_time_seconds_count{method=" + STREAM + "}"));
      assertPlausibleSeconds(m, "captcha_server_time_seconds_sum{method=" + SOLVE + "}");
      assertPlausibleSeconds(m, "captcha_server_time_seconds_sum{method=" + STREAM + "}");

      // Nine requests were computed: A, six Solves and two stream items.
      assertEquals(9, m.get("captcha_queue_time_seconds_count"));
      assertPlausibleSeconds(m, "captcha_queue_time_seconds_sum");
      assertEquals(9, m.get("captcha_batch_size_sum"));
      double batches = m.get("captcha_batch_size_count");
      assertTrue(batches >= 3 && batches <= 9, "batches " + batches);
      assertEquals(batches, m.get("captcha_batch_size_bucket{le=+Inf}"));
      assertEquals(batches, m.get("captcha_inference_time_seconds_count"));
      assertPlausibleSeconds(m, "captcha_inference_time_seconds_sum");
      assertTrue(m.get("captcha_inference_time_seconds_sum") > 0);

      // A, B, six Solves and two stream items entered the queue; C was refused before it.
      assertEquals(10, m.get("captcha_admitted_requests_total"));
      assertEquals(0, m.get("captcha_failed_requests_total"));
      assertEquals(1, m.get("captcha_expired_requests_total"));
      assertEquals(1, m.get("captcha_rejected_requests_total{reason=queue_full}"));
      assertEquals(0, m.get("captcha_queue_depth"));
      assertEquals(
          1, m.get("captcha_model_info{execution_provider=CPU,name=tiny-test," + "version=0.0.1}"));
      assertTrue(m.get("jvm_memory_used_bytes{area=heap}") > 0);
    }
  }

  @Test
  void callsRefusedForCredentialsAreCounted() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "secret\n");
    try (ServingStack stack = new ServingStack(dir, "--token-file", token.toString())) {
      StatusRuntimeException e =
          assertThrows(
              StatusRuntimeException.class,
              () -> stack.blocking().solve(request("a", Images.white())));
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
      Map<String, Double> m = parse(stack.scrape());
      assertEquals(
          1, m.get("captcha_grpc_requests_total{code=UNAUTHENTICATED,method=" + SOLVE + "}"));
    }
  }

  private static void awaitQueued(ServingStack stack, int n) throws InterruptedException {
    long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (stack.batcher.queueLength() < n && System.nanoTime() < giveUp) {
      Thread.sleep(2);
    }
    assertEquals(n, stack.batcher.queueLength());
  }

  private static List<SolveResponse> stream(ServingStack stack, SolveRequest... requests)
      throws Exception {
    ResponseCollector<SolveResponse> responses = new ResponseCollector<>();
    StreamObserver<SolveRequest> out = stack.async().solveStream(responses);
    for (SolveRequest r : requests) {
      out.onNext(r);
    }
    out.onCompleted();
    return responses.done.get(60, TimeUnit.SECONDS);
  }

  private static void assertPlausibleSeconds(Map<String, Double> m, String key) {
    double value = m.get(key);
    assertTrue(value >= 0 && value < 60, key + " = " + value);
  }

  /** Each sample of an exposition, keyed by name{labels sorted by name, unquoted}. */
  static Map<String, Double> parse(String exposition) {
    Map<String, Double> samples = new TreeMap<>();
    for (String line : exposition.split("\n")) {
      if (line.startsWith("#") || line.isBlank()) {
        continue;
      }
      Matcher matcher = SAMPLE.matcher(line);
      assertTrue(matcher.matches(), line);
      String key = matcher.group(1);
      if (matcher.group(3) != null && !matcher.group(3).isEmpty()) {
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
