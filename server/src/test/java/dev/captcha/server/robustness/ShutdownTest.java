package dev.captcha.server.robustness;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.server.testsupport.Images;
import dev.captcha.server.testsupport.TinyOnnxModel;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.Paths;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
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
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * SIGTERM to a real server process under load: it drains (health goes NOT_SERVING, every accepted
 * request is answered, as its log says), exits through its shutdown hook within the drain timeout,
 * and every call issued is answered or gets UNAVAILABLE (new calls while and after it closes), none
 * hangs. UNAVAILABLE alone would not tell a drain from a crash, which gives it too; the drain's log
 * lines and the exit status do.
 */
class ShutdownTest {
  private static final Pattern LISTENING = Pattern.compile("listening on port (\\d+)");
  private static final int DRAIN_SECONDS = 15;

  @TempDir Path dir;

  @Test
  void sigtermUnderLoadAnswersEveryCallAndExitsWithinTheDrainTimeout() throws Exception {
    Path model = TinyOnnxModel.write(dir.resolve("tiny.onnx"), TinyOnnxModel.metadata());
    Path javaBin = Paths.get(System.getProperty("java.home"), "bin", "java");
    ProcessBuilder launch =
        new ProcessBuilder(
                javaBin.toString(),
                "-Xmx512m",
                "dev.captcha.server.Main",
                "--model",
                model.toString(),
                "--port",
                "0",
                "--metrics-port",
                "-1",
                "--device",
                "cpu",
                "--max-batch-size",
                "8",
                "--max-queue-delay",
                "2ms",
                "--drain-timeout",
                DRAIN_SECONDS + "s")
            .redirectErrorStream(true)
            .redirectOutput(dir.resolve("server.log").toFile());
    // The test class path goes through the environment: the JVM of this machine dies with
    // SIGSEGV, printing nothing, when ONNX Runtime loads under a -cp argument this long.
    launch.environment().put("CLASSPATH", System.getProperty("java.class.path"));
    Process server = launch.start();

    ManagedChannel channel = null;
    ExecutorService clients = Executors.newFixedThreadPool(6);
    try {
      channel =
          Grpc.newChannelBuilderForAddress(
                  "localhost", awaitPort(server), InsecureChannelCredentials.create())
              .build();
      var stub = CaptchaSolverGrpc.newBlockingStub(channel);
      SolveRequest request =
          SolveRequest.newBuilder()
              .setId("load")
              .setImage(ByteString.copyFrom(Images.white()))
              .build();
      Map<Status.Code, LongAdder> outcomes = new ConcurrentHashMap<>();
      AtomicBoolean stop = new AtomicBoolean();
      AtomicInteger answered = new AtomicInteger();
      List<Future<?>> loops = new ArrayList<>();
      for (int i = 0; i < 6; i++) {
        loops.add(
            clients.submit(
                () -> {
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

      long signalled = System.nanoTime();
      server.destroy(); // SIGTERM
      // The drain timeout, plus a few seconds for the JVM to stop.
      assertTrue(
          server.waitFor(DRAIN_SECONDS + 5, TimeUnit.SECONDS),
          "the server did not exit within its drain timeout");
      System.out.printf(
          "exited %d ms after SIGTERM%n",
          TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - signalled));
      stop.set(true);
      for (Future<?> loop : loops) {
        loop.get(90, TimeUnit.SECONDS); // a hanging call would end only at its 60 s deadline
      }

      List<String> output = log();
      for (Status.Code code : outcomes.keySet()) {
        assertTrue(
            code == Status.Code.OK || code == Status.Code.UNAVAILABLE,
            "a call ended with " + code + ": " + outcomes);
      }
      assertTrue(
          output.stream().anyMatch(l -> l.contains("shutting down: draining")),
          "exit " + server.exitValue() + ", calls " + outcomes + ", output " + output);
      assertTrue(output.stream().anyMatch(l -> l.contains("health: NOT_SERVING (draining)")));
      assertTrue(
          output.stream().anyMatch(l -> l.contains("stopped (all accepted requests answered)")),
          "the drain did not answer every accepted request: " + output);
      // 128 + SIGTERM: the JVM ran its shutdown hooks and exited; a crash or SIGKILL differs.
      assertEquals(143, server.exitValue(), "exit status");
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

  /** The port the server reports in its log; fails if it exits or takes minutes. */
  private int awaitPort(Process server) throws Exception {
    long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < giveUp) {
      for (String line : log()) {
        Matcher m = LISTENING.matcher(line);
        if (m.find()) {
          return Integer.parseInt(m.group(1));
        }
      }
      if (!server.isAlive()) {
        throw new IllegalStateException("server exited with " + server.exitValue() + ": " + log());
      }
      Thread.sleep(50); // another process starts on its own time
    }
    throw new IllegalStateException("server not listening after 3 minutes: " + log());
  }

  private List<String> log() throws java.io.IOException {
    Path file = dir.resolve("server.log");
    return Files.exists(file) ? Files.readAllLines(file, StandardCharsets.UTF_8) : List.of();
  }
}
