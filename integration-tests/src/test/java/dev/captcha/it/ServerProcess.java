package dev.captcha.it;

import dev.captcha.client.CaptchaSolverClient;
import dev.captcha.client.ModelDescription;
import dev.captcha.client.RetrySettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * One captcha server process on loopback, started from the server jar with small thread counts,
 * with its output in a log file. Not thread-safe: one test thread drives it.
 */
final class ServerProcess implements AutoCloseable {
  private static final Duration STARTUP = Duration.ofMinutes(2);
  private static final Pattern SOLVE_OK =
      Pattern.compile(
          "^captcha_grpc_requests_total\\{([^}]*)\\}\\s+([0-9.eE+]+)", Pattern.MULTILINE);

  private final String name;
  private final List<String> command;
  private final Path log;
  private final int port;
  private final int metricsPort;
  private Process process;

  private ServerProcess(String name, List<String> command, Path log, int port, int metricsPort) {
    this.name = name;
    this.command = command;
    this.log = log;
    this.port = port;
    this.metricsPort = metricsPort;
  }

  /**
   * Starts a server on free ports, serving {@code model}, with small thread counts and batches;
   * {@code extra} are more server flags (a flag of the defaults given there replaces it). Call
   * {@link #awaitReady} before use.
   */
  static ServerProcess start(String name, Path model, Path logDir, String... extra)
      throws IOException {
    return start(name, List.of("--model", model.toString()), logDir, extra);
  }

  /** As {@link #start(String, Path, Path, String...)}, serving every model file in {@code dir}. */
  static ServerProcess startModelDir(String name, Path dir, Path logDir, String... extra)
      throws IOException {
    return start(name, List.of("--model-dir", dir.toString()), logDir, extra);
  }

  private static ServerProcess start(
      String name, List<String> modelFlags, Path logDir, String... extra) throws IOException {
    int port = freePort();
    int metricsPort = freePort();
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(
        List.of(
            "-Xmx384m",
            "-XX:+UseSerialGC",
            "-XX:TieredStopAtLevel=1",
            "-Djava.awt.headless=true",
            "-jar",
            Repository.serverJar().toString()));
    cmd.addAll(
        List.of(
            "--port",
            Integer.toString(port),
            "--metrics-port",
            Integer.toString(metricsPort),
            // several servers run at once: the HTTP/JSON port is a free one, not the default 8080
            "--http-port",
            "0"));
    cmd.addAll(modelFlags);
    List<String> extras = List.of(extra);
    String[][] defaults = {
      {"--instances", "1"},
      {"--intra-op-threads", "1"},
      {"--preprocess-threads", "1"},
      {"--max-batch-size", "8"},
      {"--max-queue-delay", "2ms"},
      {"--drain-timeout", "5s"}
    };
    for (String[] flag : defaults) {
      if (!extras.contains(flag[0])) { // a flag given in extra replaces the default
        cmd.addAll(List.of(flag));
      }
    }
    cmd.addAll(extras);
    ServerProcess p =
        new ServerProcess(name, List.copyOf(cmd), logDir.resolve(name + ".log"), port, metricsPort);
    p.launch();
    return p;
  }

  private void launch() throws IOException {
    process =
        new ProcessBuilder(command)
            .directory(Repository.root().toFile())
            .redirectErrorStream(true)
            .redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()))
            .start();
  }

  /** The gRPC target, {@code 127.0.0.1:port}. */
  String target() {
    return "127.0.0.1:" + port;
  }

  String name() {
    return name;
  }

  /** Blocks until the server answers GetModelInfo; fails if the process dies or takes too long. */
  ModelDescription awaitReady() throws InterruptedException {
    long deadline = System.nanoTime() + STARTUP.toNanos();
    try (CaptchaSolverClient probe =
        CaptchaSolverClient.builder()
            .target(target())
            .deadline(Duration.ofSeconds(2))
            .retry(RetrySettings.none())
            .build()) {
      while (true) {
        if (!process.isAlive()) {
          throw new IllegalStateException(
              name + " exited with " + process.exitValue() + " during start-up:\n" + logTail());
        }
        try {
          return probe.modelInfo();
        } catch (RuntimeException notYet) {
          if (System.nanoTime() > deadline) {
            throw new IllegalStateException(
                name + " not ready after " + STARTUP + ":\n" + logTail());
          }
          // An external process starts on its own time; poll it.
          Thread.sleep(200);
        }
      }
    }
  }

  /** What GetModelInfo says now. */
  ModelDescription modelInfo() {
    try (CaptchaSolverClient c =
        CaptchaSolverClient.builder().target(target()).deadline(Duration.ofSeconds(5)).build()) {
      return c.modelInfo();
    }
  }

  /** The value of an unlabelled gauge or counter in a scrape; fails when it is absent. */
  static double sample(String exposition, String name) {
    Matcher m =
        Pattern.compile("^" + Pattern.quote(name) + "\\s+([0-9.eE+-]+)$", Pattern.MULTILINE)
            .matcher(exposition);
    if (!m.find()) {
      // A missing series is a fault (a renamed metric, an endpoint serving something else), not 0.
      throw new AssertionError("no sample of " + name + " in the metrics");
    }
    return Double.parseDouble(m.group(1));
  }

  /** Solve calls this process answered with OK, from its Prometheus endpoint. */
  long solvedOk() throws IOException, InterruptedException {
    return solvedOk(metrics());
  }

  /** A scrape of the Prometheus endpoint, in the text format. */
  String metrics() throws IOException, InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    HttpResponse<String> r =
        http.send(
            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + metricsPort + "/metrics"))
                .timeout(Duration.ofSeconds(5))
                .build(),
            HttpResponse.BodyHandlers.ofString());
    if (r.statusCode() != 200) {
      throw new IOException(name + " metrics answered " + r.statusCode());
    }
    return r.body();
  }

  static long solvedOk(String exposition) {
    double total = 0;
    Matcher m = SOLVE_OK.matcher(exposition);
    while (m.find()) {
      String labels = m.group(1);
      if (labels.contains("code=\"OK\"") && labels.contains("CaptchaSolver/Solve\"")) {
        total += Double.parseDouble(m.group(2));
      }
    }
    return Math.round(total);
  }

  /** Kills the process at once (SIGKILL), as a crash would. */
  void kill() throws InterruptedException {
    process.destroyForcibly();
    process.waitFor(30, TimeUnit.SECONDS);
  }

  boolean isAlive() {
    return process != null && process.isAlive();
  }

  /** Starts the same command again, on the same port. */
  void restart() throws IOException {
    if (process.isAlive()) {
      throw new IllegalStateException(name + " is still running");
    }
    launch();
  }

  String logTail() {
    try {
      List<String> lines = Files.readAllLines(log, StandardCharsets.UTF_8);
      return String.join("\n", lines.subList(Math.max(0, lines.size() - 40), lines.size()));
    } catch (IOException e) {
      return "(no log: " + e + ")";
    }
  }

  String log() {
    try {
      return Files.readString(log, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Stops the process (SIGTERM, then SIGKILL if it does not exit in time). */
  @Override
  public void close() throws InterruptedException {
    if (process == null || !process.isAlive()) {
      return;
    }
    process.destroy();
    if (!process.waitFor(20, TimeUnit.SECONDS)) {
      process.destroyForcibly();
      process.waitFor(10, TimeUnit.SECONDS);
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      s.setReuseAddress(true);
      return s.getLocalPort();
    }
  }
}
