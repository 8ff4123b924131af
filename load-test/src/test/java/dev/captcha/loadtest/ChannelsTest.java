package dev.captcha.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.client.ClientChannels;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.ServerCall;
import io.grpc.ServerCallHandler;
import io.grpc.ServerInterceptor;
import io.grpc.ServerInterceptors;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

@Timeout(120)
class ChannelsTest {
  private static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  private final List<Server> servers = new ArrayList<>();

  /** Starts a loopback no-op server that counts calls and keeps each call's authorization. */
  private int startServer(AtomicInteger calls, ConcurrentLinkedQueue<String> auth)
      throws Exception {
    ServerInterceptor counting =
        new ServerInterceptor() {
          @Override
          public <Q, R> ServerCall.Listener<Q> interceptCall(
              ServerCall<Q, R> call, Metadata headers, ServerCallHandler<Q, R> next) {
            if (call.getMethodDescriptor().getFullMethodName().endsWith("/Solve")) {
              calls.incrementAndGet();
              auth.add(String.valueOf(headers.get(AUTHORIZATION)));
            }
            return next.startCall(call, headers);
          }
        };
    Server s =
        NettyServerBuilder.forAddress(new InetSocketAddress("127.0.0.1", 0))
            .directExecutor()
            .addService(ServerInterceptors.intercept(new NoopSolverService(), counting))
            .build()
            .start();
    servers.add(s);
    return s.getPort();
  }

  @AfterEach
  void stop() {
    servers.forEach(Server::shutdownNow);
  }

  @Test
  void severalTargetsShareTheLoadRoundRobin(@TempDir Path dir) throws Exception {
    AtomicInteger a = new AtomicInteger();
    AtomicInteger b = new AtomicInteger();
    AtomicInteger c = new AtomicInteger();
    ConcurrentLinkedQueue<String> auth = new ConcurrentLinkedQueue<>();
    List<String> targets =
        List.of(
            "127.0.0.1:" + startServer(a, auth),
            "127.0.0.1:" + startServer(b, auth),
            "127.0.0.1:" + startServer(c, auth));
    Path token = dir.resolve("token");
    Files.writeString(token, "s3cret\n");
    Channels.Settings settings =
        new Channels.Settings(targets, 2, null, null, null, false, token, null, 1);
    try (Channels channels = Channels.open(settings)) {
      for (var ch : channels.channels()) {
        // Wait until every replica is connected, so the count below is the policy's doing.
        for (int i = 0; i < 30; i++) {
          CaptchaSolverGrpc.newBlockingStub(ch)
              .withWaitForReady()
              .solve(SolveRequest.getDefaultInstance());
        }
      }
      a.set(0);
      b.set(0);
      c.set(0);
      for (int i = 0; i < 300; i++) {
        CaptchaSolverGrpc.newBlockingStub(channels.channels().get(i % 2))
            .solve(SolveRequest.getDefaultInstance());
      }
    }
    assertEquals(300, a.get() + b.get() + c.get());
    for (AtomicInteger n : List.of(a, b, c)) {
      assertTrue(n.get() >= 90 && n.get() <= 110, "each replica gets about a third: " + n);
    }
    assertTrue(auth.stream().allMatch("Bearer s3cret"::equals), "token sent on every call");
  }

  @Test
  void rejectsBadSettings(@TempDir Path dir) throws Exception {
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Channels.Settings(
                List.of("a:1"), 1, null, dir.resolve("cert.pem"), null, false, null, null, 0));
    assertThrows(
        IllegalArgumentException.class,
        () ->
            new Channels.Settings(
                List.of("a:1"),
                1,
                dir.resolve("missing-ca.pem"),
                null,
                null,
                false,
                null,
                null,
                0));
    Path empty = Files.writeString(dir.resolve("empty"), " \n");
    assertThrows(IllegalArgumentException.class, () -> ClientChannels.readToken(empty));
  }
}
