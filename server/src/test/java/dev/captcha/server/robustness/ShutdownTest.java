package dev.captcha.server.robustness;

import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.server.testing.Images;
import dev.captcha.server.testing.TinyOnnxModel;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Disabled;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real server process under load: every call issued is answered or gets
 * UNAVAILABLE, none hangs, and the process exits within its drain timeout.
 */
@Disabled("awaiting its first verified run: -Dtest=ShutdownTest"
    + " -Djunit.jupiter.conditions.deactivate=org.junit.*DisabledCondition")
class ShutdownTest {
  private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");
  private static final int DRAIN_SECONDS = 15;

  @TempDir Path dir;

  @Test
  void sigtermUnderLoadAnswersEveryCallAndExitsWithinTheDrainTimeout() throws Exception {
    Path model = TinyOnnxModel.write(dir.resolve("tiny.onnx"), TinyOnnxModel.metadata());
    Path javaBin = Paths.get(System.getProperty("java.home"), "bin", "java");
    Process server = new ProcessBuilder(javaBin.toString(), "-Xmx512m",
        "-cp", System.getProperty("java.class.path"), "dev.captcha.server.Main",
        "--model", model.toString(), "--port", "0", "--metrics-port", "-1", "--device", "cpu",
        "--max-batch-size", "8", "--max-queue-delay", "2ms",
        "--drain-timeout", DRAIN_SECONDS + "s")
        .redirectErrorStream(true).start();
    CompletableFuture<Integer> port = new CompletableFuture<>();
    List<String> output = java.util.Collections.synchronizedList(new ArrayList<>());
    Thread reader = new Thread(() -> {
      try (BufferedReader in = new BufferedReader(
          new InputStreamReader(server.getInputStream(), StandardCharsets.UTF_8))) {
        for (String line; (line = in.readLine()) != null; ) {
          if (line.contains(" INFO ") || line.contains(" WARN ") || line.contains(" ERROR ")) {
            output.add(line);
          }
          Matcher m = LISTENING.matcher(line);
          if (m.find()) {
            port.complete(Integer.parseInt(m.group(1)));
          }
        }
      } catch (Exception e) {
        port.completeExceptionally(e);
      }
      port.completeExceptionally(new IllegalStateException("server ended: " + output));
    }, "server-output");
    reader.setDaemon(true);
    reader.start();

    ManagedChannel channel = null;
    ExecutorService clients = Executors.newFixedThreadPool(6);
    try {
      channel = Grpc.newChannelBuilderForAddress("localhost", port.get(3, TimeUnit.MINUTES),
          InsecureChannelCredentials.create()).build();
      var stub = CaptchaSolverGrpc.newBlockingStub(channel);
      SolveRequest request = SolveRequest.newBuilder().setId("load")
          .setImage(ByteString.copyFrom(Images.white())).build();
      Map<Status.Code, LongAdder> outcomes = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger answered = new AtomicInteger();
      List<Future<?>> loops = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        loops.add(clients.submit(() -> {
          while (!stop.get()) {
            Status.Code code;
            try {
              stub.withDeadlineAfter(60, TimeUnit.SECONDS).solve(request);
              code = Status.Code.OK;
              answered.incrementAndGet();
            } catch (StatusRuntimeException e) {
              code = e.getStatus().getCode();
            }
            outcomes.computeIfAbsent(code, c -> new LongAdder()).increment();
          }
        }));
      }
      long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
      while (answered.get() < 100 && System.nanoTime() < giveUp) {
        Thread.sleep(10);
      }
      assertTrue(answered.get() >= 100, "the server did not answer under load: " + outcomes);

      server.destroy(); // SIGTERM
      assertTrue(server.waitFor(DRAIN_SECONDS + 30, TimeUnit.SECONDS),
          "the server did not exit within its drain timeout");
      stop.set(true);
      for (Future<?> loop : loops) {
        loop.get(90, TimeUnit.SECONDS); // a hanging call would end only at its 60 s deadline
      }

      for (Status.Code code : outcomes.keySet()) {
        assertTrue(code == Status.Code.OK || code == Status.Code.UNAVAILABLE,
            "a call ended with " + code + ": " + outcomes);
      }
      assertTrue(output.stream().anyMatch(l -> l.contains("shutting down: draining")),
          output.toString());
      assertTrue(output.stream().anyMatch(l -> l.contains("health: NOT_SERVING (draining)")));
    } finally {
      clients.shutdownNow();
      if (channel != null) {
        channel.shutdownNow();
      }
      if (server.isAlive()) {
        server.destroyForcibly();
      }
    }
  }
}
