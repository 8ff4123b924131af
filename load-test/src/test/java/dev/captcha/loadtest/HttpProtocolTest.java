package dev.captcha.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsServer;
import dev.captcha.api.v1.SolveRequest;
import java.io.IOException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import javax.net.ssl.SSLContext;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/**
 * {@code --protocol http}: requests go as {@code POST /v1/solve} to a fake HTTP/JSON server, with
 * the token and timeout headers, and its answers are measured like gRPC ones.
 */
@Timeout(120) // guards against a hang; speed is not asserted
class HttpProtocolTest {
  @TempDir Path dir;

  private final ExecutorService threads = Executors.newFixedThreadPool(4);
  private final Set<String> authorizations = ConcurrentHashMap.newKeySet();
  private final Set<String> timeouts = ConcurrentHashMap.newKeySet();
  private final Map<String, String> labels = new ConcurrentHashMap<>();
  private HttpServer server;

  @AfterEach
  void stop() {
    if (server != null) {
      server.stop(0);
    }
    threads.shutdownNow();
  }

  /** Answers like the server's HTTP/JSON port: the label of the body, or 400 for "bad". */
  private void solve(HttpExchange exchange) throws IOException {
    String image = new String(exchange.getRequestBody().readAllBytes(), StandardCharsets.UTF_8);
    authorizations.add(String.valueOf(exchange.getRequestHeaders().getFirst("Authorization")));
    timeouts.add(String.valueOf(exchange.getRequestHeaders().getFirst("X-Request-Timeout")));
    String label = labels.getOrDefault(image, "?");
    boolean bad = label.equals("bad");
    byte[] body =
        (bad
                ? "{\"error\":{\"status\":400,\"code\":\"invalid_image\",\"message\":\"no\"}}"
                : "{\"text\":\""
                    + label
                    + "\",\"confidence\":0.5,\"positions\":[],\"timing\":{\"preprocessMs\":0.1,"
                    + "\"queueMs\":0.2,\"inferenceMs\":0.9,\"batchSize\":3}}")
            .getBytes(StandardCharsets.UTF_8);
    exchange.getResponseHeaders().add("Content-Type", "application/json");
    exchange.sendResponseHeaders(bad ? 400 : 200, body.length);
    exchange.getResponseBody().write(body);
    exchange.close();
  }

  private Workload workload() {
    List<Workload.Item> items = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      String image = "image-" + i;
      String label = i == 9 ? "bad" : "t" + i;
      labels.put(image, label);
      items.add(
          new Workload.Item(
              i == 9 ? null : label,
              SolveRequest.newBuilder().setImage(ByteString.copyFromUtf8(image)).build()));
    }
    return new Workload(items, "ten fake images");
  }

  private static LoadConfig config() {
    return new LoadConfig(
        Rpc.UNARY,
        Duration.ofSeconds(3),
        Duration.ofSeconds(1),
        Duration.ofSeconds(30),
        3,
        1000,
        Arrivals.CONSTANT,
        1,
        Duration.ofMillis(250),
        Duration.ofSeconds(60));
  }

  private String start(HttpServer s) {
    server = s;
    server.createContext("/v1/solve", this::solve);
    server.setExecutor(threads);
    server.start();
    return "://127.0.0.1:" + server.getAddress().getPort();
  }

  /**
   * One closed-loop run; a first request beforehand opens the connection, so that a slow start on a
   * busy machine does not take the measured second.
   */
  private RunResult run(HttpTarget http, int concurrency) throws Exception {
    Workload w = workload();
    http.client()
        .send(
            HttpRequest.newBuilder(http.base().resolve("/v1/solve"))
                .POST(HttpRequest.BodyPublishers.ofString("image-0"))
                .build(),
            HttpResponse.BodyHandlers.discarding());
    // Only the run's own requests count for the header checks.
    authorizations.clear();
    timeouts.clear();
    return new LoadRun(config(), List.of(), w, new SystemTicker(), null)
        .run(LoadPoint.closedLoop(concurrency), http);
  }

  private static TargetOptions target(String... args) {
    TargetOptions t = new TargetOptions();
    new CommandLine(t).parseArgs(args);
    return t;
  }

  @Test
  void httpRequestsAreMeasuredLikeGrpcOnes() throws Exception {
    String base =
        "http"
            + start(
                HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0));
    Files.writeString(dir.resolve("token"), "s3cret\n");
    HttpTarget http =
        target("--http-target", base, "--token-file", dir.resolve("token").toString()).httpTarget();
    RunResult r = run(http, 4);

    assertTrue(r.ok() > 0, "ok " + r.ok() + ", errors " + r.errorsByCode());
    assertEquals(r.sent(), r.ok() + r.failed());
    // The bad image fails as HTTP 400 and nothing else fails (how many fall into the measured
    // second depends on the machine's speed).
    assertTrue(
        Set.of("HTTP_400").containsAll(r.errorsByCode().keySet()), r.errorsByCode().toString());
    assertEquals(1.0, r.accuracy().exactShare());
    assertEquals(Map.of(3, r.ok()), r.server().batchSizes());
    assertEquals(0.9, r.server().inferenceTime().p50Ms(), 0.01);
    assertEquals(Set.of("Bearer s3cret"), authorizations);
    assertEquals(Set.of("30000ms"), timeouts);
    assertEquals("http", r.rpc());
  }

  @Test
  void anHttpsTargetUsesTheTlsFilesOfTheGrpcChannels() throws Exception {
    TestPki pki = new TestPki(dir);
    HttpsServer https =
        HttpsServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
    SSLContext serverContext = HttpTls.context(pki.caCert, pki.serverCert, pki.serverKey);
    https.setHttpsConfigurator(new HttpsConfigurator(serverContext));
    String base = "https" + start(https);
    HttpTarget http = target("--http-target", base, "--tls-ca", pki.caCert.toString()).httpTarget();
    RunResult r = run(http, 2);
    assertTrue(r.ok() > 0, "ok " + r.ok() + ", errors " + r.errorsByCode());
    assertTrue(
        Set.of("HTTP_400").containsAll(r.errorsByCode().keySet()), r.errorsByCode().toString());
  }

  @Test
  void aBadHttpTargetIsAUsageError() {
    assertThrows(
        IllegalArgumentException.class,
        () -> target("--http-target", "localhost:8080").httpTarget());
    assertThrows(
        IllegalArgumentException.class,
        () -> target("--http-target", "https://localhost:1", "--tls-cert", "x.pem").httpTarget());
  }
}
