package dev.captcha.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A unary call whose connection dies under it (a replica killed while answering, which gRPC's retry
 * policy does not cover once the answer has begun) is sent once more; a connect failure or the
 * server's own UNAVAILABLE is not.
 */
class LostCallTest {
  private final FakeSolver fake = new FakeSolver();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(fake.definition()).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  /**
   * Fails the first {@code failures} calls locally with {@code status}, as a dying transport does.
   */
  private static final class Failing implements ClientInterceptor {
    final AtomicInteger left;
    final AtomicInteger calls = new AtomicInteger();
    final Status status;

    Failing(int failures, Status status) {
      this.left = new AtomicInteger(failures);
      this.status = status;
    }

    @Override
    public <Q, R> ClientCall<Q, R> interceptCall(
        MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
      calls.incrementAndGet();
      if (left.getAndDecrement() <= 0) {
        return next.newCall(method, options);
      }
      return new ClientCall<>() {
        @Override
        public void start(Listener<R> listener, Metadata headers) {
          listener.onClose(status, new Metadata());
        }

        @Override
        public void request(int n) {}

        @Override
        public void cancel(String message, Throwable cause) {}

        @Override
        public void halfClose() {}

        @Override
        public void sendMessage(Q message) {}
      };
    }
  }

  private CaptchaSolverClient client(Failing failing) {
    return CaptchaSolverClient.builder()
        .channel(ClientInterceptors.intercept(channel, failing))
        .deadline(Duration.ofMinutes(1))
        .build();
  }

  private static final Status RESET =
      Status.UNAVAILABLE
          .withDescription("io exception")
          .withCause(new IOException("recvAddress(..) failed: Connection reset by peer"));

  private static byte[] img(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void aCallLostWithItsConnectionIsSentOnceMore() throws Exception {
    Failing blocking = new Failing(1, RESET);
    assertEquals("aB3x", client(blocking).solve(img("aB3x")).text());
    assertEquals(2, blocking.calls.get());

    Failing async = new Failing(1, RESET);
    assertEquals("q7Rt", client(async).solveAsync(img("q7Rt")).get(1, TimeUnit.MINUTES).text());
    assertEquals(2, async.calls.get());
    assertEquals(2, fake.solveCalls.get(), "each image reached the server once");
  }

  @Test
  void aConnectionLostTwiceIsReportedAfterOneResend() {
    Failing failing = new Failing(5, RESET);
    UnavailableException e =
        assertThrows(UnavailableException.class, () -> client(failing).solve(img("aB3x")));
    assertTrue(e.getMessage().contains("Connection reset"), e.getMessage());
    assertEquals(2, failing.calls.get());
  }

  @Test
  void connectFailuresAndTheServersOwnUnavailableAreNotResent() {
    Failing refused =
        new Failing(
            1,
            Status.UNAVAILABLE
                .withDescription("io exception")
                .withCause(new IOException("wrapped", new ConnectException("refused"))));
    assertThrows(UnavailableException.class, () -> client(refused).solve(img("aB3x")));
    assertEquals(1, refused.calls.get());

    Failing draining = new Failing(1, Status.UNAVAILABLE.withDescription("server is draining"));
    assertThrows(UnavailableException.class, () -> client(draining).solve(img("aB3x")));
    assertEquals(1, draining.calls.get());
    assertFalse(LostCalls.lostMidCall(Status.INVALID_ARGUMENT.withCause(new IOException())));
  }
}
