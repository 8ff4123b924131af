package dev.captcha.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.google.rpc.Code;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.api.v1.Timing;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** Short real-time runs against an in-process fake solver. */
@Timeout(120) // guards against a hang; speed is not asserted
class EndToEndTest {

  private static final String BAD = "bad";

  /** Knows the label of each image; images labelled "bad" are refused as undecodable. */
  static final class FakeSolver extends CaptchaSolverGrpc.CaptchaSolverImplBase {
    final Map<ByteString, String> labels = new ConcurrentHashMap<>();
    final AtomicInteger streamItems = new AtomicInteger();
    volatile int failStreamAfter = Integer.MAX_VALUE;

    SolveResponse answer(SolveRequest r) {
      return SolveResponse.newBuilder()
          .setId(r.getId())
          .setText(labels.getOrDefault(r.getImage(), "?"))
          .setTiming(
              Timing.newBuilder()
                  .setBatchSize(3)
                  .setQueueTime(com.google.protobuf.Duration.newBuilder().setNanos(200_000))
                  .setInferenceTime(com.google.protobuf.Duration.newBuilder().setNanos(900_000)))
          .build();
    }

    @Override
    public void solve(SolveRequest request, StreamObserver<SolveResponse> out) {
      if (BAD.equals(labels.get(request.getImage()))) {
        out.onError(Status.INVALID_ARGUMENT.withDescription("cannot decode").asException());
        return;
      }
      out.onNext(answer(request));
      out.onCompleted();
    }

    @Override
    public StreamObserver<SolveRequest> solveStream(StreamObserver<SolveResponse> out) {
      return new StreamObserver<>() {
        boolean failed;

        @Override
        public synchronized void onNext(SolveRequest r) {
          if (failed) {
            return;
          }
          if (streamItems.incrementAndGet() % failStreamAfter == 0) {
            failed = true;
            out.onError(Status.UNAVAILABLE.withDescription("replica went away").asException());
            return;
          }
          if (BAD.equals(labels.get(r.getImage()))) {
            out.onNext(
                SolveResponse.newBuilder()
                    .setId(r.getId())
                    .setError(
                        com.google.rpc.Status.newBuilder()
                            .setCode(Code.INVALID_ARGUMENT_VALUE)
                            .setMessage("cannot decode"))
                    .build());
          } else {
            out.onNext(answer(r));
          }
        }

        @Override
        public void onError(Throwable t) {}

        @Override
        public synchronized void onCompleted() {
          if (!failed) {
            out.onCompleted();
          }
        }
      };
    }
  }

  private final FakeSolver solver = new FakeSolver();
  private final List<ManagedChannel> channels = new ArrayList<>();
  private Server server;

  /** Ten images, the last one bad: one request in ten fails. */
  private Workload start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name).directExecutor().addService(solver).build().start();
    for (int i = 0; i < 2; i++) {
      channels.add(InProcessChannelBuilder.forName(name).directExecutor().build());
    }
    List<Workload.Item> items = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      ByteString image = ByteString.copyFromUtf8("image-" + i);
      String label = i == 9 ? BAD : "t" + i;
      solver.labels.put(image, label);
      items.add(
          new Workload.Item(
              i == 9 ? null : label, SolveRequest.newBuilder().setImage(image).build()));
    }
    return new Workload(items, "ten fake images");
  }

  @AfterEach
  void stop() {
    channels.forEach(ManagedChannel::shutdownNow);
    if (server != null) {
      server.shutdownNow();
    }
  }

  private static LoadConfig config(Rpc rpc) {
    return new LoadConfig(
        rpc,
        Duration.ofMillis(1000),
        Duration.ofMillis(200),
        Duration.ofSeconds(5),
        3,
        1000,
        Arrivals.CONSTANT,
        1,
        Duration.ofMillis(250),
        Duration.ofSeconds(30));
  }

  private static void assertAllCounted(RunResult r) {
    assertEquals(r.sent(), r.ok() + r.failed());
    assertEquals(r.failed(), r.errorsByCode().values().stream().mapToLong(Long::longValue).sum());
    long intervalTotal = r.intervals().stream().mapToLong(s -> s.ok() + s.errors()).sum();
    assertEquals(
        r.ok() + r.failed() - r.errorsByCode().getOrDefault(Measurements.UNFINISHED, 0L),
        intervalTotal,
        "every answered request appears in exactly one interval");
  }

  @Test
  void closedLoopUnary() throws Exception {
    Workload w = start();
    RunResult r =
        new LoadRun(config(Rpc.UNARY), channels, w, new SystemTicker(), null)
            .run(LoadPoint.closedLoop(4));

    assertTrue(r.ok() > 0, "ok " + r.ok());
    assertAllCounted(r);
    assertEquals(List.of("INVALID_ARGUMENT"), List.copyOf(r.errorsByCode().keySet()));
    assertEquals(0.1, r.errorShare(), 0.02);
    assertEquals(r.ok(), r.accuracy().labelled());
    assertEquals(1.0, r.accuracy().exactShare());
    assertEquals(Map.of(3, r.ok()), r.server().batchSizes());
    assertEquals(0.9, r.server().inferenceTime().p50Ms(), 0.01);
    assertTrue(r.latency().p99Ms() > 0);
  }

  @Test
  void openLoopStreamSendsExactlyTheScheduledRequests() throws Exception {
    Workload w = start();
    RunResult r =
        new LoadRun(config(Rpc.STREAM), channels, w, new SystemTicker(), null)
            .run(LoadPoint.openLoop(500));

    // Constant arrivals every 2 ms; those scheduled in the measured second count.
    assertEquals(500, r.sent());
    assertAllCounted(r);
    assertEquals(50L, r.errorsByCode().get("INVALID_ARGUMENT"));
    assertEquals(450, r.ok());
    assertEquals(1.0, r.accuracy().exactShare());
    assertEquals(500.0, r.rateRps());
  }

  @Test
  void failedStreamsCountTheirItemsAsErrorsAndTheRunGoesOn() throws Exception {
    Workload w = start();
    solver.failStreamAfter = 37;
    RunResult r =
        new LoadRun(config(Rpc.STREAM), channels, w, new SystemTicker(), null)
            .run(LoadPoint.openLoop(300));

    // Open loop: all 300 scheduled items are sent whatever happens to the streams.
    assertEquals(300, r.sent());
    assertAllCounted(r);
    assertTrue(r.errorsByCode().getOrDefault("UNAVAILABLE", 0L) > 0, r.errorsByCode().toString());
    assertTrue(r.ok() > 0, "streams are reopened after a failure");
    assertEquals(0L, r.errorsByCode().getOrDefault(Measurements.UNFINISHED, 0L));
  }
}
