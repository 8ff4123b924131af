package dev.captcha.server.http;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captcha.server.ServingStack;
import dev.captcha.server.testsupport.Images;
import dev.captcha.server.testsupport.TinyOnnxModel;
import java.io.ByteArrayOutputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.net.URI;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Base64;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The HTTP/JSON adapter end to end on a real port, over the same stack as the gRPC port; every JSON
 * answer is also checked against the OpenAPI description ({@link HttpCalls}).
 */
class HttpApiTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final Map<String, String> NONE = Map.of();

  @TempDir Path dir;

  private static JsonNode json(HttpResponse<String> r) throws Exception {
    return JSON.readTree(r.body());
  }

  private static byte[] jsonImage(byte[] image) {
    return ("{\"image\":\"" + Base64.getEncoder().encodeToString(image) + "\"}")
        .getBytes(StandardCharsets.UTF_8);
  }

  @Test
  void solvesARawBodyAMultipartFieldAndJsonAlike() throws Exception {
    try (ServingStack stack = new ServingStack(dir)) {
      HttpCalls http = new HttpCalls(stack.httpBase());
      HttpResponse<String> raw = http.post("/v1/solve", "image/png", Images.white(), NONE);
      assertEquals(200, raw.statusCode(), raw.body());
      JsonNode answer = json(raw);
      assertEquals(TinyOnnxModel.WHITE_TEXT, answer.get("text").asText());
      assertEquals(TinyOnnxModel.LENGTH, answer.get("positions").size());
      assertTrue(answer.get("positions").get(0).get("candidates").size() >= 1);
      assertTrue(answer.get("timing").get("batchSize").asInt() >= 1);

      HttpResponse<String> form =
          http.postMultipart("/v1/solve", "image", HttpCalls.list(Images.black()), NONE);
      assertEquals(200, form.statusCode(), form.body());
      assertEquals(TinyOnnxModel.BLACK_TEXT, json(form).get("text").asText());

      HttpResponse<String> body =
          http.post("/v1/solve", "application/json", jsonImage(Images.white()), NONE);
      assertEquals(200, body.statusCode(), body.body());
      assertEquals(TinyOnnxModel.WHITE_TEXT, json(body).get("text").asText());

      // The same answer as the gRPC port gives for the same image.
      var grpc =
          stack
              .blocking()
              .solve(
                  dev.captcha.api.v1.SolveRequest.newBuilder()
                      .setImage(com.google.protobuf.ByteString.copyFrom(Images.white()))
                      .build());
      assertEquals(grpc.getText(), answer.get("text").asText());
      assertEquals(grpc.getConfidence(), answer.get("confidence").floatValue(), 1e-6);
      assertEquals(
          grpc.getPositions(0).getCandidates(0).getCharacter(),
          answer.get("positions").get(0).get("candidates").get(0).get("character").asText());
    }
  }

  @Test
  void aBatchIsAnsweredInOrderWithPerItemErrors() throws Exception {
    try (ServingStack stack = new ServingStack(dir)) {
      HttpCalls http = new HttpCalls(stack.httpBase());
      HttpResponse<String> form =
          http.postMultipart(
              "/v1/solve:batch",
              "image",
              HttpCalls.list(
                  Images.white(),
                  "not an image".getBytes(StandardCharsets.US_ASCII),
                  Images.black()),
              NONE);
      assertEquals(200, form.statusCode(), form.body());
      JsonNode results = json(form).get("results");
      assertEquals(3, results.size());
      assertEquals(TinyOnnxModel.WHITE_TEXT, results.get(0).get("text").asText());
      assertEquals(400, results.get(1).get("error").get("status").asInt());
      assertEquals("invalid_image", results.get(1).get("error").get("code").asText());
      assertEquals(TinyOnnxModel.BLACK_TEXT, results.get(2).get("text").asText());

      String b64 = Base64.getEncoder().encodeToString(Images.black());
      byte[] array =
          ("[{\"image\":\"" + b64 + "\"},{\"image\":\"%%%\"},\"" + b64 + "\"]")
              .getBytes(StandardCharsets.UTF_8);
      HttpResponse<String> jsonBatch =
          http.post("/v1/solve:batch", "application/json", array, NONE);
      assertEquals(200, jsonBatch.statusCode(), jsonBatch.body());
      JsonNode items = json(jsonBatch).get("results");
      assertEquals(3, items.size());
      assertEquals(TinyOnnxModel.BLACK_TEXT, items.get(0).get("text").asText());
      assertEquals("invalid_image", items.get(1).get("error").get("code").asText());
      assertEquals(TinyOnnxModel.BLACK_TEXT, items.get(2).get("text").asText());
    }
  }

  @Test
  void modelHealthAndReadinessAreServed() throws Exception {
    try (ServingStack stack = new ServingStack(dir)) {
      HttpCalls http = new HttpCalls(stack.httpBase());
      HttpResponse<String> model = http.get("/v1/model", NONE);
      assertEquals(200, model.statusCode(), model.body());
      String name = json(model).get("name").asText();
      assertEquals(stack.model.metadata().name(), name);
      assertEquals(TinyOnnxModel.LENGTH, json(model).get("captchaLength").asInt());
      // The same description as gRPC's GetModelInfo.
      assertEquals(
          stack
              .blocking()
              .getModelInfo(dev.captcha.api.v1.GetModelInfoRequest.getDefaultInstance())
              .getPrecision(),
          json(model).get("precision").asText());
      assertEquals(200, http.get("/v1/model?model=" + name, NONE).statusCode());
      HttpResponse<String> unknown = http.get("/v1/model?model=nope", NONE);
      assertEquals(404, unknown.statusCode());
      assertEquals("unknown_model", json(unknown).get("error").get("code").asText());
      assertEquals(
          404, http.post("/v1/solve?model=nope", "image/png", Images.white(), NONE).statusCode());
      assertEquals(200, http.get("/healthz", NONE).statusCode());
      assertEquals(200, http.get("/readyz", NONE).statusCode());
      assertEquals(200, http.get("/v1/stats", NONE).statusCode());
      assertTrue(http.get("/", NONE).body().contains("<html"));

      stack.health.draining();
      HttpResponse<String> ready = http.get("/readyz", NONE);
      assertEquals(503, ready.statusCode());
      assertEquals("draining", json(ready).get("status").asText());
      HttpResponse<String> solve = http.post("/v1/solve", "image/png", Images.white(), NONE);
      assertEquals(503, solve.statusCode());
      assertEquals("draining", json(solve).get("error").get("code").asText());
      assertEquals(200, http.get("/healthz", NONE).statusCode());
    }
  }

  @Test
  void badInputGetsTheStatusThatFits() throws Exception {
    try (ServingStack stack = new ServingStack(dir, "--max-image-bytes", "2000")) {
      HttpCalls http = new HttpCalls(stack.httpBase());
      HttpResponse<String> undecodable =
          http.post(
              "/v1/solve", "image/png", "not an image".getBytes(StandardCharsets.US_ASCII), NONE);
      assertEquals(400, undecodable.statusCode());
      assertEquals("invalid_image", json(undecodable).get("error").get("code").asText());
      HttpResponse<String> empty = http.post("/v1/solve", "image/png", new byte[0], NONE);
      assertEquals(400, empty.statusCode());
      assertEquals(
          400,
          http.post(
                  "/v1/solve",
                  "application/json",
                  "{\"image\":\"***\"}".getBytes(StandardCharsets.US_ASCII),
                  NONE)
              .statusCode());
      assertEquals(
          400,
          http.post(
                  "/v1/solve",
                  "application/json",
                  "{not json".getBytes(StandardCharsets.US_ASCII),
                  NONE)
              .statusCode());
      assertEquals(
          415,
          http.post("/v1/solve", "text/plain", "x".getBytes(StandardCharsets.US_ASCII), NONE)
              .statusCode());
      assertEquals(
          400,
          http.post(
                  "/v1/solve",
                  "image/png",
                  Images.white(),
                  Map.of(ApiHandler.TIMEOUT_HEADER, "soon"))
              .statusCode());

      byte[] big = new byte[5000];
      HttpResponse<String> tooLarge = http.post("/v1/solve", "image/png", big, NONE);
      assertEquals(413, tooLarge.statusCode());
      HttpResponse<String> tooLargeForm =
          http.postMultipart("/v1/solve", "image", HttpCalls.list(big), NONE);
      assertEquals(413, tooLargeForm.statusCode(), tooLargeForm.body());
      HttpResponse<String> tooLargeJson =
          http.post("/v1/solve", "application/json", jsonImage(big), NONE);
      assertEquals(413, tooLargeJson.statusCode(), tooLargeJson.body());
      assertEquals(404, http.get("/v2/anything", NONE).statusCode());
      assertEquals(405, http.get("/v1/solve", NONE).statusCode());
    }
  }

  /**
   * A request refused before its body was read (here for its timeout header) is answered once the
   * body has arrived, and the connection then carries the next request; refused before the body's
   * second half was sent, the connection used to be closed under a client about to reuse it.
   */
  @Test
  void aRefusalWaitsForTheBodyAndKeepsTheConnection() throws Exception {
    try (ServingStack stack = new ServingStack(dir);
        Socket socket = new Socket("localhost", URI.create(stack.httpBase()).getPort())) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      byte[] image = Images.white();
      int half = image.length / 2;
      out.write(
          ("POST /v1/solve HTTP/1.1\r\nHost: localhost\r\nContent-Type: image/png\r\n"
                  + ApiHandler.TIMEOUT_HEADER
                  + ": soon\r\nContent-Length: "
                  + image.length
                  + "\r\n\r\n")
              .getBytes(StandardCharsets.US_ASCII));
      out.write(image, 0, half);
      out.flush();
      InputStream in = socket.getInputStream();
      // Nothing is answered while the body is on its way.
      socket.setSoTimeout(300);
      assertThrows(SocketTimeoutException.class, in::read);
      socket.setSoTimeout(60_000);
      out.write(image, half, image.length - half);
      out.write(
          "GET /healthz HTTP/1.1\r\nHost: localhost\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      out.flush();

      RawResponse refused = RawResponse.read(in);
      assertEquals(400, refused.status(), refused.body());
      assertFalse(refused.header("connection").contains("close"), refused.header("connection"));
      RawResponse next = RawResponse.read(in);
      assertEquals(200, next.status(), next.body());
      assertEquals("ok", JSON.readTree(next.body()).get("status").asText());
    }
  }

  /**
   * A multipart form that fits keeps the connection; one that is refused says that the connection
   * closes, since the server closes it once the refusal is sent.
   */
  @Test
  void aRefusedMultipartFormSaysTheConnectionCloses() throws Exception {
    try (ServingStack stack = new ServingStack(dir, "--max-image-bytes", "2000");
        Socket socket = new Socket("localhost", URI.create(stack.httpBase()).getPort())) {
      socket.setSoTimeout(60_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(multipartRequest(Images.white()));
      out.flush();
      RawResponse fits = RawResponse.read(in);
      assertEquals(200, fits.status(), fits.body());
      assertFalse(fits.header("connection").contains("close"), fits.header("connection"));

      out.write(multipartRequest(new byte[5000]));
      out.flush();
      RawResponse refused = RawResponse.read(in);
      assertEquals(413, refused.status(), refused.body());
      assertEquals("close", refused.header("connection"));
      assertEquals(-1, in.read());
    }
  }

  private static byte[] multipartRequest(byte[] image) throws IOException {
    ByteArrayOutputStream body = new ByteArrayOutputStream();
    body.write(
        ("--b\r\nContent-Disposition: form-data; name=\"image\"; filename=\"x.png\"\r\n"
                + "Content-Type: image/png\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    body.write(image);
    body.write("\r\n--b--\r\n".getBytes(StandardCharsets.US_ASCII));
    ByteArrayOutputStream request = new ByteArrayOutputStream();
    request.write(
        ("POST /v1/solve HTTP/1.1\r\nHost: localhost\r\n"
                + "Content-Type: multipart/form-data; boundary=b\r\nContent-Length: "
                + body.size()
                + "\r\n\r\n")
            .getBytes(StandardCharsets.US_ASCII));
    body.writeTo(request);
    return request.toByteArray();
  }

  /** A response read off a raw HTTP/1.1 connection whose body has a Content-Length. */
  private record RawResponse(int status, Map<String, String> headers, String body) {
    String header(String name) {
      return headers.getOrDefault(name, "");
    }

    static RawResponse read(InputStream in) throws IOException {
      String statusLine = line(in);
      int status = Integer.parseInt(statusLine.split(" ")[1]);
      Map<String, String> headers = new java.util.HashMap<>();
      for (String h = line(in); !h.isEmpty(); h = line(in)) {
        int colon = h.indexOf(':');
        headers.put(
            h.substring(0, colon).trim().toLowerCase(Locale.ROOT), h.substring(colon + 1).trim());
      }
      byte[] body = in.readNBytes(Integer.parseInt(headers.get("content-length")));
      return new RawResponse(status, headers, new String(body, StandardCharsets.UTF_8));
    }

    private static String line(InputStream in) throws IOException {
      StringBuilder b = new StringBuilder();
      for (int c = in.read(); c != '\n'; c = in.read()) {
        if (c < 0) {
          throw new EOFException("connection closed after: " + b);
        }
        if (c != '\r') {
          b.append((char) c);
        }
      }
      return b.toString();
    }
  }

  @Test
  void aFullQueueIs429WithRetryAfterAndAPassedDeadlineIs504() throws Exception {
    try (ServingStack stack =
        new ServingStack(
            dir, "--max-batch-size", "1", "--max-queue-delay", "0ms", "--max-queue-length", "1")) {
      HttpCalls http = new HttpCalls(stack.httpBase());
      stack.engine.hold();
      int before = stack.engine.batches();
      // A runs (held in the engine), B waits in the queue with a short deadline, C is refused.
      CompletableFuture<HttpResponse<String>> a =
          CompletableFuture.supplyAsync(
              () -> call(() -> http.post("/v1/solve", "image/png", Images.white(), NONE)));
      stack.engine.awaitBatchesAbove(before);
      CompletableFuture<HttpResponse<String>> b =
          CompletableFuture.supplyAsync(
              () ->
                  call(
                      () ->
                          http.post(
                              "/v1/solve",
                              "image/png",
                              Images.black(),
                              Map.of(ApiHandler.TIMEOUT_HEADER, "300ms"))));
      awaitQueued(stack, 1);
      HttpResponse<String> c = http.post("/v1/solve", "image/png", Images.white(), NONE);
      assertEquals(429, c.statusCode(), c.body());
      assertTrue(Integer.parseInt(c.headers().firstValue("Retry-After").orElseThrow()) >= 1);
      assertEquals("queue_full", json(c).get("error").get("code").asText());
      assertTrue(http.contract().describesHeader("POST", "/v1/solve", 429, "Retry-After"));

      // B's deadline passes while the engine is held: 504, whatever the machine's speed.
      HttpResponse<String> late = b.get(2, TimeUnit.MINUTES);
      assertEquals(504, late.statusCode(), late.body());
      assertEquals("deadline_exceeded", json(late).get("error").get("code").asText());
      stack.engine.release();
      assertEquals(200, a.get(2, TimeUnit.MINUTES).statusCode());
    }
  }

  @Test
  void theBearerTokenGuardsTheApiButNotProbesOrThePage() throws Exception {
    Path token = Files.writeString(dir.resolve("token"), "s3cret\n");
    try (ServingStack stack = new ServingStack(dir, "--token-file", token.toString())) {
      HttpCalls http = new HttpCalls(stack.httpBase());
      HttpResponse<String> missing = http.post("/v1/solve", "image/png", Images.white(), NONE);
      assertEquals(401, missing.statusCode());
      assertEquals("Bearer", missing.headers().firstValue("WWW-Authenticate").orElseThrow());
      assertEquals(
          401,
          http.post(
                  "/v1/solve", "image/png", Images.white(), Map.of("Authorization", "Bearer wrong"))
              .statusCode());
      assertEquals(401, http.get("/v1/model", NONE).statusCode());
      HttpResponse<String> ok =
          http.post(
              "/v1/solve", "image/png", Images.white(), Map.of("Authorization", "Bearer s3cret"));
      assertEquals(200, ok.statusCode(), ok.body());
      assertEquals(
          200, http.get("/v1/model", Map.of("Authorization", "Bearer s3cret")).statusCode());
      assertEquals(200, http.get("/healthz", NONE).statusCode());
      assertEquals(200, http.get("/readyz", NONE).statusCode());
      assertEquals(200, http.get("/", NONE).statusCode());
    }
  }

  @Test
  void metricsCountHttpRequestsByRouteAndStatus() throws Exception {
    try (ServingStack stack = new ServingStack(dir)) {
      HttpCalls http = new HttpCalls(stack.httpBase());
      for (int i = 0; i < 3; i++) {
        assertEquals(200, http.post("/v1/solve", "image/png", Images.white(), NONE).statusCode());
      }
      http.post("/v1/solve", "image/png", new byte[0], NONE);
      String scrape = stack.scrape();
      assertTrue(
          scrape.contains("captcha_http_requests_total{code=\"200\",route=\"POST /v1/solve\"} 3.0"),
          scrape);
      assertTrue(
          scrape.contains("captcha_http_requests_total{code=\"400\",route=\"POST /v1/solve\"} 1.0"),
          scrape);
      JsonNode stats = json(http.get("/v1/stats", NONE));
      assertTrue(stats.get("batchSize").get("count").asLong() >= 3);
      assertTrue(stats.get("serverTimeSeconds").get("count").asLong() >= 3);
    }
  }

  private interface Call {
    HttpResponse<String> run() throws Exception;
  }

  private static HttpResponse<String> call(Call call) {
    try {
      return call.run();
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  private static void awaitQueued(ServingStack stack, int n) throws InterruptedException {
    long giveUp = System.nanoTime() + TimeUnit.MINUTES.toNanos(2);
    while (stack.batcher.queueLength() < n && System.nanoTime() < giveUp) {
      Thread.sleep(2);
    }
    assertEquals(n, stack.batcher.queueLength());
  }
}
