package dev.captcha.server.ops;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.GetModelInfoRequest;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.server.grpc.CaptchaServer;
import dev.captcha.server.grpc.GrpcTransport;
import dev.captcha.server.testsupport.FakeSolver;
import io.grpc.ConnectivityState;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.ClientCallStreamObserver;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

class ServerLimitsTest {
  private CaptchaServer server;
  private ManagedChannel channel;

  @AfterEach
  void stop() throws Exception {
    if (channel != null) {
      channel.shutdownNow().awaitTermination(10, TimeUnit.SECONDS);
    }
    if (server != null) {
      server.shutdownNow();
      server.awaitTermination(Duration.ofSeconds(10));
    }
  }

  private CaptchaSolverGrpc.CaptchaSolverBlockingStub start(ServerLimits limits, FakeSolver solver)
      throws Exception {
    server = GrpcTransport.forService(solver).limits(limits).netty(0).start();
    channel =
        Grpc.newChannelBuilderForAddress(
                "localhost", server.port(), InsecureChannelCredentials.create())
            .build();
    return CaptchaSolverGrpc.newBlockingStub(channel).withDeadlineAfter(5, TimeUnit.MINUTES);
  }

  private static SolveRequest image(int bytes) {
    return SolveRequest.newBuilder()
        .setId("x")
        .setImage(ByteString.copyFrom(new byte[bytes]))
        .build();
  }

  @Test
  void defaultsAreValidAndBadValuesAreRefused() {
    ServerLimits d = ServerLimits.defaults();
    assertEquals(4 * 1024 * 1024, d.maxInboundMessageSize());
    // Each: one value out of range, the rest valid.
    assertThrows(IllegalArgumentException.class, () -> limits(10, 1, null, null, 1));
    assertThrows(IllegalArgumentException.class, () -> limits(1 << 20, 0, null, null, 1));
    assertThrows(IllegalArgumentException.class, () -> limits(1 << 20, 1, Duration.ZERO, null, 1));
    assertThrows(
        IllegalArgumentException.class, () -> limits(1 << 20, 1, null, Duration.ofSeconds(-1), 1));
    assertThrows(IllegalArgumentException.class, () -> limits(1 << 20, 1, null, null, 0));
    assertEquals(1 << 20, limits(1 << 20, 1, null, null, 1).maxInboundMessageSize());
  }

  private static ServerLimits limits(int maxMessage, int maxCalls, Duration maxAge, int items) {
    return limits(maxMessage, maxCalls, null, maxAge, items);
  }

  /** Limits with these values; a null duration is the default's. */
  private static ServerLimits limits(
      int maxMessage, int maxCalls, Duration keepAlive, Duration maxAge, int items) {
    ServerLimits d = ServerLimits.defaults();
    return new ServerLimits(
        maxMessage,
        maxCalls,
        keepAlive != null ? keepAlive : d.keepAliveTime(),
        d.keepAliveTimeout(),
        d.permitKeepAliveTime(),
        d.maxConnectionIdle(),
        maxAge != null ? maxAge : d.maxConnectionAge(),
        Duration.ofSeconds(5),
        items);
  }

  @Test
  void anOversizedMessageGetsResourceExhausted() throws Exception {
    var stub = start(limits(64 * 1024, 16, Duration.ofMinutes(5), 64), new FakeSolver());
    assertEquals("text", stub.solve(image(60 * 1024)).getText());
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> stub.solve(image(65 * 1024)));
    assertEquals(Status.Code.RESOURCE_EXHAUSTED, e.getStatus().getCode());
    // The server goes on serving.
    assertEquals("text", stub.solve(image(100)).getText());
  }

  @Test
  void callsBeyondTheConcurrencyLimitOfAConnectionWait() throws Exception {
    FakeSolver solver = new FakeSolver(1, true);
    var stub = start(limits(1 << 20, 2, Duration.ofMinutes(5), 64), solver);
    var async = CaptchaSolverGrpc.newStub(channel);
    ClientCallStreamObserver<SolveRequest> first = openStream(async);
    ClientCallStreamObserver<SolveRequest> second = openStream(async);
    first.onNext(image(10));
    second.onNext(image(10));
    awaitValue(solver::itemsReceived, 2);

    // Both slots of the connection are taken: a third call is queued and never reaches the server.
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class,
            () ->
                CaptchaSolverGrpc.newBlockingStub(channel)
                    .withDeadlineAfter(300, TimeUnit.MILLISECONDS)
                    .solve(image(10)));
    assertEquals(Status.Code.DEADLINE_EXCEEDED, e.getStatus().getCode());
    assertEquals(0, solver.solveCalls());

    first.cancel("test frees a slot", null);
    awaitValue(solver::streamsCancelled, 1);
    assertEquals("text", stub.solve(image(10)).getText());
    assertEquals(1, solver.solveCalls());
    second.cancel("done", null);
  }

  @Test
  void streamItemsInFlightAreCappedPerConnection() throws Exception {
    FakeSolver solver = new FakeSolver(8, true);
    var stub = start(limits(1 << 20, 16, Duration.ofMinutes(5), 3), solver);
    var async = CaptchaSolverGrpc.newStub(channel);
    ClientCallStreamObserver<SolveRequest> a = openStream(async);
    ClientCallStreamObserver<SolveRequest> b = openStream(async);
    for (int i = 0; i < 5; i++) {
      a.onNext(image(10));
      b.onNext(image(10));
    }
    awaitValue(solver::itemsReceived, 3);
    // A round trip on the same connection: the items sent before it have reached the server.
    stub.getModelInfo(GetModelInfoRequest.getDefaultInstance());
    assertEquals(3, solver.itemsReceived());

    solver.releaseOne();
    awaitValue(solver::itemsReceived, 4);
    stub.getModelInfo(GetModelInfoRequest.getDefaultInstance());
    assertEquals(4, solver.itemsReceived());

    // When a stream has sent all its items, its next read keeps one credit until it ends.
    for (int i = 0; i < 7; i++) {
      solver.releaseOne();
    }
    awaitValue(solver::itemsReceived, 10);
    assertEquals(3, solver.maxInFlight());
    a.cancel("done", null);
    b.cancel("done", null);
  }

  @Test
  void aHalfClosedStreamReturnsTheCreditItWillNotUse() throws Exception {
    FakeSolver solver = new FakeSolver(8, true);
    var stub = start(limits(1 << 20, 16, Duration.ofMinutes(5), 2), solver);
    var async = CaptchaSolverGrpc.newStub(channel);
    // a reads one item and holds it unanswered, and waits for the next: both credits are taken.
    ClientCallStreamObserver<SolveRequest> a = openStream(async);
    a.onNext(image(10));
    awaitValue(solver::itemsReceived, 1);
    ClientCallStreamObserver<SolveRequest> b = openStream(async);
    for (int i = 0; i < 3; i++) {
      b.onNext(image(10));
    }
    stub.getModelInfo(GetModelInfoRequest.getDefaultInstance());
    assertEquals(1, solver.itemsReceived());

    // a will send nothing more: the credit of its outstanding read goes to b.
    a.onCompleted();
    awaitValue(solver::itemsReceived, 2);
    stub.getModelInfo(GetModelInfoRequest.getDefaultInstance());
    assertEquals(2, solver.itemsReceived());

    solver.releaseOne();
    awaitValue(solver::itemsReceived, 3);
    b.cancel("done", null);
  }

  @Test
  void connectionsOlderThanTheMaxAgeAreAskedToGoAway() throws Exception {
    var stub = start(limits(1 << 20, 16, Duration.ofMillis(200), 64), new FakeSolver());
    assertEquals("text", stub.solve(image(10)).getText());
    assertEquals(ConnectivityState.READY, channel.getState(false));
    // The server sends GOAWAY when the connection reaches its age; the channel goes idle.
    CountDownLatch idle = new CountDownLatch(1);
    watch(ConnectivityState.READY, idle);
    assertTrue(idle.await(2, TimeUnit.MINUTES), "connection not closed at its max age");
    assertEquals("text", CaptchaSolverGrpc.newBlockingStub(channel).solve(image(10)).getText());
  }

  private void watch(ConnectivityState from, CountDownLatch idle) {
    channel.notifyWhenStateChanged(
        from,
        () -> {
          ConnectivityState now = channel.getState(false);
          if (now == ConnectivityState.IDLE) {
            idle.countDown();
          } else {
            watch(now, idle);
          }
        });
  }

  private static ClientCallStreamObserver<SolveRequest> openStream(
      CaptchaSolverGrpc.CaptchaSolverStub async) {
    return (ClientCallStreamObserver<SolveRequest>)
        async.solveStream(
            new StreamObserver<>() {
              @Override
              public void onNext(SolveResponse value) {}

              @Override
              public void onError(Throwable t) {}

              @Override
              public void onCompleted() {}
            });
  }

  /** Waits, without a time assertion, for a value the server reaches asynchronously. */
  private static void awaitValue(IntSupplier actual, int expected) throws InterruptedException {
    long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (actual.getAsInt() < expected && System.nanoTime() < giveUp) {
      Thread.sleep(5);
    }
    assertEquals(expected, actual.getAsInt());
  }
}
