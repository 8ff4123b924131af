package dev.captcha.server.http;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.captcha.api.v1.ModelInfo;
import dev.captcha.server.batch.DeadlineExpiredException;
import dev.captcha.server.http.HttpFailure.HttpFailureException;
import dev.captcha.server.metrics.ServerMetrics;
import dev.captcha.server.security.BearerToken;
import dev.captcha.server.solve.Solution;
import dev.captcha.server.solve.Solver;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BooleanSupplier;
import java.util.function.Consumer;
import java.util.function.IntSupplier;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.http.MimeTypes;
import org.eclipse.jetty.http.MultiPart;
import org.eclipse.jetty.http.MultiPartConfig;
import org.eclipse.jetty.http.MultiPartFormData;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.thread.Scheduler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The HTTP/JSON routes over the {@link Solver}: {@code /v1/solve}, {@code /v1/solve:batch}, {@code
 * /v1/model}, {@code /v1/stats}, {@code /healthz}, {@code /readyz}, the page at {@code /} and
 * {@code /openapi.json}. Requests are answered asynchronously when the solver completes; a request
 * is answered exactly once. Thread-safe; one instance serves all requests.
 */
final class ApiHandler extends Handler.Abstract {
  private static final Logger log = LoggerFactory.getLogger(ApiHandler.class);
  static final String TIMEOUT_HEADER = "X-Request-Timeout";
  private static final Pattern TIMEOUT = Pattern.compile("(\\d{1,9})(ms|s)?");
  private static final String JSON = "application/json";

  private final ServedModels models;
  private final Duration defaultTimeout;
  private final int maxImageBytes;
  private final int maxBatchItems;
  private final BearerToken token;
  private final ServerMetrics metrics;
  private final IntSupplier queueDepth;
  private final BooleanSupplier ready;
  private final BooleanSupplier draining;
  private final byte[] page;
  private final byte[] openApi;

  ApiHandler(
      ServedModels models,
      Duration defaultTimeout,
      int maxImageBytes,
      int maxBatchItems,
      BearerToken token,
      ServerMetrics metrics,
      IntSupplier queueDepth,
      BooleanSupplier ready,
      BooleanSupplier draining) {
    this.models = models;
    this.defaultTimeout = defaultTimeout;
    this.maxImageBytes = maxImageBytes;
    this.maxBatchItems = maxBatchItems;
    this.token = token;
    this.metrics = metrics;
    this.queueDepth = queueDepth;
    this.ready = ready;
    this.draining = draining;
    this.page = resource("index.html");
    this.openApi = resource("openapi.json");
  }

  @Override
  public boolean handle(Request request, Response response, Callback callback) {
    String path = Request.getPathInContext(request);
    String method = request.getMethod();
    Exchange ex = new Exchange(request, response, callback, method + " " + route(path));
    try {
      switch (path) {
        case "/", "/index.html" -> {
          if (ex.allow("GET")) {
            ex.send(200, "text/html; charset=utf-8", page);
          }
        }
        case "/openapi.json" -> {
          if (ex.allow("GET")) {
            ex.send(200, JSON, openApi);
          }
        }
        case "/healthz" -> {
          if (ex.allow("GET")) {
            ex.json(200, status("ok"));
          }
        }
        case "/readyz" -> {
          if (ex.allow("GET")) {
            if (draining.getAsBoolean()) {
              ex.json(503, status("draining"));
            } else if (!ready.getAsBoolean()) {
              ex.json(503, status("starting"));
            } else {
              ex.json(200, status("ready"));
            }
          }
        }
        case "/v1/stats" -> {
          if (ex.allow("GET")) {
            ex.json(
                200,
                metrics == null
                    ? JsonBodies.MAPPER.createObjectNode()
                    : JsonBodies.totals(metrics.totals(), queueDepth.getAsInt()));
          }
        }
        case "/v1/model" -> {
          if (ex.allow("GET") && ex.authorized() && ex.knownModel()) {
            ex.json(200, JsonBodies.model(ex.modelInfo));
          }
        }
        case "/v1/solve" -> {
          if (ex.allow("POST") && ex.authorized() && ex.knownModel() && ex.notDraining()) {
            solveOne(ex);
          }
        }
        case "/v1/solve:batch" -> {
          if (ex.allow("POST") && ex.authorized() && ex.knownModel() && ex.notDraining()) {
            solveBatch(ex);
          }
        }
        default -> ex.fail(HttpFailure.of(404, "not_found", "no route " + path));
      }
    } catch (HttpFailureException e) {
      ex.fail(e.failure());
    } catch (RuntimeException e) {
      log.warn("HTTP request {} failed", ex.route, e);
      ex.fail(HttpFailure.from(e));
    }
    return true;
  }

  /** The route label of a path: known routes as they are, anything else as one label. */
  private static String route(String path) {
    return switch (path) {
      case "/",
          "/index.html",
          "/openapi.json",
          "/healthz",
          "/readyz",
          "/v1/stats",
          "/v1/model",
          "/v1/solve",
          "/v1/solve:batch" ->
          path;
      default -> "other";
    };
  }

  private void solveOne(Exchange ex) {
    long deadline = deadline(ex.request);
    String type = mimeType(ex.request);
    CompletableFuture<byte[]> image;
    if (type.startsWith("image/") || type.equals("application/octet-stream")) {
      image = body(ex.request, maxImageBytes);
    } else if (type.equals("multipart/form-data")) {
      image =
          multipart(ex, 1)
              .thenApply(
                  images -> {
                    if (images.size() != 1) {
                      throw failure(
                          HttpFailure.badRequest(
                              "send the image as one multipart field named 'image'"));
                    }
                    return images.get(0);
                  });
    } else if (type.equals(JSON)) {
      image =
          body(ex.request, base64Size(maxImageBytes) + 4096)
              .thenApply(
                  bytes -> {
                    JsonNode json = parseJson(bytes);
                    if (!json.isObject() || !json.path("image").isTextual()) {
                      throw failure(HttpFailure.badRequest("send JSON {\"image\": \"<base64>\"}"));
                    }
                    return base64(json.get("image").asText());
                  });
    } else {
      throw failure(unsupported(type));
    }
    image.whenComplete(
        (bytes, readFailure) -> {
          if (readFailure != null) {
            ex.fail(HttpFailure.from(readFailure));
            return;
          }
          CompletableFuture<Solution> answer = withDeadline(ex, List.of(bytes), deadline).get(0);
          answer.whenComplete(
              (solution, failure) -> {
                if (failure != null) {
                  ex.fail(HttpFailure.from(failure));
                } else {
                  ex.json(200, JsonBodies.solution(solution));
                }
              });
        });
  }

  private void solveBatch(Exchange ex) {
    long deadline = deadline(ex.request);
    String type = mimeType(ex.request);
    CompletableFuture<List<Object>> items;
    if (type.equals("multipart/form-data")) {
      items = multipart(ex, maxBatchItems).thenApply(List::<Object>copyOf);
    } else if (type.equals(JSON)) {
      items =
          body(ex.request, maxBatchItems * (base64Size(maxImageBytes) + 64) + 4096)
              .thenApply(bytes -> jsonItems(parseJson(bytes)));
    } else {
      throw failure(unsupported(type));
    }
    items.whenComplete(
        (list, readFailure) -> {
          if (readFailure != null) {
            ex.fail(HttpFailure.from(readFailure));
            return;
          }
          if (list.isEmpty()) {
            ex.fail(HttpFailure.badRequest("the batch holds no image"));
            return;
          }
          // Items that could not be read (bad base64) get their error in place; the rest are
          // solved.
          List<byte[]> images = new ArrayList<>();
          for (Object item : list) {
            if (item instanceof byte[] b) {
              images.add(b);
            }
          }
          List<CompletableFuture<Solution>> answers = withDeadline(ex, images, deadline);
          CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
              .whenComplete(
                  (v, t) -> {
                    ObjectNode body = JsonBodies.MAPPER.createObjectNode();
                    ArrayNode results = body.putArray("results");
                    int next = 0;
                    for (Object item : list) {
                      if (item instanceof HttpFailure f) {
                        results.addObject().set("error", JsonBodies.errorDetail(f));
                        continue;
                      }
                      CompletableFuture<Solution> answer = answers.get(next++);
                      try {
                        results.add(JsonBodies.solution(answer.join()));
                      } catch (RuntimeException e) {
                        results
                            .addObject()
                            .set("error", JsonBodies.errorDetail(HttpFailure.from(e)));
                      }
                    }
                    ex.json(200, body);
                  });
        });
  }

  /**
   * Submits {@code images} to the solver; each answer fails with a passed deadline when it is not
   * ready by {@code deadline}, and a client that goes away withdraws them.
   */
  private List<CompletableFuture<Solution>> withDeadline(
      Exchange ex, List<byte[]> images, long deadline) {
    List<CompletableFuture<Solution>> solving = new ArrayList<>();
    List<CompletableFuture<Solution>> answers = new ArrayList<>();
    for (byte[] image : images) {
      CompletableFuture<Solution> f = models.solve(ex.model, image, deadline);
      CompletableFuture<Solution> answer = new CompletableFuture<>();
      f.whenComplete(
          (s, t) -> {
            if (t != null) {
              answer.completeExceptionally(t);
            } else {
              answer.complete(s);
            }
          });
      solving.add(f);
      answers.add(answer);
    }
    long delay = deadline - models.nanoTime();
    Scheduler.Task timer =
        ex.request
            .getComponents()
            .getScheduler()
            .schedule(
                () -> {
                  for (int i = 0; i < answers.size(); i++) {
                    if (answers
                        .get(i)
                        .completeExceptionally(
                            new DeadlineExpiredException(
                                "deadline passed before the answer was ready"))) {
                      solving.get(i).cancel(false);
                    }
                  }
                },
                Math.max(0, delay),
                TimeUnit.NANOSECONDS);
    CompletableFuture.allOf(answers.toArray(CompletableFuture[]::new))
        .whenComplete((v, t) -> timer.cancel());
    ex.request.addFailureListener(t -> solving.forEach(f -> f.cancel(false)));
    return answers;
  }

  /** The request's deadline in the solver's clock: its timeout header or the default timeout. */
  private long deadline(Request request) {
    String header = request.getHeaders().get(TIMEOUT_HEADER);
    long nanos = defaultTimeout.toNanos();
    if (header != null) {
      Matcher m = TIMEOUT.matcher(header.strip().toLowerCase(Locale.ROOT));
      if (!m.matches()) {
        throw failure(
            HttpFailure.badRequest(
                TIMEOUT_HEADER
                    + " must be a whole number of milliseconds, like 500 or 500ms or 2s;"
                    + " got '"
                    + header
                    + "'"));
      }
      long value = Long.parseLong(m.group(1));
      nanos =
          "s".equals(m.group(2))
              ? TimeUnit.SECONDS.toNanos(value)
              : TimeUnit.MILLISECONDS.toNanos(value);
    }
    return models.nanoTime() + nanos;
  }

  /**
   * Before a refusal, what is left of the request body is read and dropped, up to this many bytes,
   * so that the client, which may still be sending, reads the refusal instead of a connection reset
   * and may send its next request on the same connection; a longer body is not read, and the
   * refusal closes the connection.
   */
  static final long DRAIN_LIMIT = 8L << 20;

  /**
   * Reads and drops what is left of {@code request}'s body, then calls {@code done} with whether it
   * reached the body's end; stops (with false) past {@code limit} bytes or when the body fails, and
   * reads nothing of a body whose declared length is above {@code limit}.
   */
  static void drain(Request request, long limit, Consumer<Boolean> done) {
    if (request.getLength() > limit) {
      done.accept(false);
      return;
    }
    new Runnable() {
      long seen;

      @Override
      public void run() {
        while (true) {
          Content.Chunk chunk = request.read();
          if (chunk == null) {
            request.demand(this);
            return;
          }
          if (Content.Chunk.isFailure(chunk)) {
            done.accept(false);
            return;
          }
          seen += chunk.remaining();
          boolean last = chunk.isLast();
          chunk.release();
          if (last || seen > limit) {
            done.accept(last && seen <= limit);
            return;
          }
        }
      }
    }.run();
  }

  /** The body, failing with 413 when it is longer than {@code limit}. */
  private static CompletableFuture<byte[]> body(Request request, int limit) {
    long length = request.getLength();
    if (length > limit) {
      return CompletableFuture.failedFuture(failure(tooLarge(limit)));
    }
    // One byte over the limit tells a too-long body of unknown length from one that fits.
    return Content.Source.asByteArrayAsync(request, limit + 1)
        .handle(
            (bytes, t) -> {
              if (t != null) {
                throw failure(tooLarge(limit));
              }
              if (bytes.length > limit) {
                throw failure(tooLarge(limit));
              }
              return bytes;
            });
  }

  /**
   * The parts of a multipart form, in order: each field {@code image} as its bytes; the form may
   * hold at most {@code maxImages} of them.
   */
  private CompletableFuture<List<byte[]>> multipart(Exchange ex, int maxImages) {
    Request request = ex.request;
    String contentType = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    long partLimit = maxImageBytes;
    MultiPartConfig config =
        new MultiPartConfig.Builder()
            .maxParts(maxImages)
            .maxPartSize(partLimit)
            .maxMemoryPartSize(partLimit)
            .maxSize(maxImages * (partLimit + 4096))
            .useFilesForPartsWithoutFileName(false)
            .build();
    long length = request.getLength();
    if (length > maxImages * (partLimit + 4096)) {
      return CompletableFuture.failedFuture(failure(tooLarge(maxImages * (partLimit + 4096))));
    }
    return MultiPartFormData.from(request, request, contentType, config)
        .handle(
            (parts, t) -> {
              if (t != null) {
                // Jetty closes a connection whose multipart form failed to parse, once it is
                // answered; the answer says so.
                ex.closesConnection = true;
                String message = String.valueOf(unwrap(t).getMessage());
                if (message.toLowerCase(Locale.ROOT).contains("too")
                    || message.toLowerCase(Locale.ROOT).contains("max")) {
                  throw failure(
                      HttpFailure.of(
                          413,
                          "request_too_large",
                          "multipart form too large: "
                              + message
                              + " (at most "
                              + maxImages
                              + " image(s) of "
                              + maxImageBytes
                              + " bytes)"));
                }
                throw failure(HttpFailure.badRequest("unreadable multipart form: " + message));
              }
              try (parts) {
                List<byte[]> images = new ArrayList<>();
                for (MultiPart.Part part : parts) {
                  if (!"image".equals(part.getName())) {
                    throw failure(
                        HttpFailure.badRequest(
                            "unexpected multipart field '"
                                + part.getName()
                                + "'; send fields named 'image'"));
                  }
                  ByteBuffer buffer = Content.Source.asByteBuffer(part.getContentSource());
                  byte[] bytes = new byte[buffer.remaining()];
                  buffer.get(bytes);
                  images.add(bytes);
                }
                return images;
              } catch (IOException e) {
                throw new UncheckedIOException(e);
              }
            });
  }

  /** The items of a JSON batch: the image bytes, or the failure of an item that is not base64. */
  private List<Object> jsonItems(JsonNode json) {
    JsonNode array = json.isObject() ? json.path("images") : json;
    if (!array.isArray()) {
      throw failure(
          HttpFailure.badRequest("send a JSON array of {\"image\": \"<base64>\"} objects"));
    }
    if (array.size() > maxBatchItems) {
      throw failure(
          HttpFailure.of(
              413,
              "too_many_images",
              "a batch holds at most " + maxBatchItems + " images, got " + array.size()));
    }
    List<Object> items = new ArrayList<>();
    for (JsonNode item : array) {
      JsonNode image = item.isTextual() ? item : item.path("image");
      if (!image.isTextual()) {
        items.add(HttpFailure.badRequest("item has no \"image\" string"));
        continue;
      }
      try {
        items.add(base64(image.asText()));
      } catch (HttpFailureException e) {
        items.add(e.failure());
      }
    }
    return items;
  }

  private static JsonNode parseJson(byte[] bytes) {
    try {
      return JsonBodies.MAPPER.readTree(bytes);
    } catch (JsonProcessingException e) {
      throw failure(HttpFailure.badRequest("malformed JSON: " + e.getOriginalMessage()));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Base64 (standard or URL-safe, with or without a {@code data:} URL prefix). */
  private static byte[] base64(String text) {
    String s = text.strip();
    if (s.startsWith("data:")) {
      int comma = s.indexOf(',');
      s = comma < 0 ? "" : s.substring(comma + 1);
    }
    try {
      return s.indexOf('-') >= 0 || s.indexOf('_') >= 0
          ? Base64.getUrlDecoder().decode(s)
          : Base64.getMimeDecoder().decode(s);
    } catch (IllegalArgumentException e) {
      throw failure(
          HttpFailure.of(
              400, "invalid_image", "invalid image (undecodable): not base64: " + e.getMessage()));
    }
  }

  private static int base64Size(int bytes) {
    return (int) Math.min(Integer.MAX_VALUE / 2, 4L * ((bytes + 2) / 3) + 1024);
  }

  private static String mimeType(Request request) {
    String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
    if (type == null) {
      return "";
    }
    String base = MimeTypes.getBase(type);
    return (base != null ? base : type).strip().toLowerCase(Locale.ROOT);
  }

  private static HttpFailure unsupported(String type) {
    return HttpFailure.of(
        415,
        "unsupported_media_type",
        "unsupported Content-Type '"
            + type
            + "'; send image/*, multipart/form-data (field"
            + " 'image') or application/json");
  }

  private static HttpFailure tooLarge(long limit) {
    return HttpFailure.of(413, "request_too_large", "request body larger than " + limit + " bytes");
  }

  private static HttpFailureException failure(HttpFailure f) {
    return new HttpFailureException(f);
  }

  private static Throwable unwrap(Throwable t) {
    while (t.getCause() != null
        && (t instanceof java.util.concurrent.CompletionException
            || t instanceof java.util.concurrent.ExecutionException)) {
      t = t.getCause();
    }
    return t;
  }

  private static ObjectNode status(String status) {
    return JsonBodies.MAPPER.createObjectNode().put("status", status);
  }

  private static byte[] resource(String name) {
    try (InputStream in = ApiHandler.class.getResourceAsStream(name)) {
      if (in == null) {
        throw new IllegalStateException("missing resource " + name);
      }
      return in.readAllBytes();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** One request and its answer, sent at most once; records the request in the metrics. */
  private final class Exchange {
    final Request request;
    final Response response;
    final Callback callback;
    final String route;
    final long start = System.nanoTime();
    final AtomicBoolean answered = new AtomicBoolean();

    /** Whether the connection closes once this request is answered, whatever the body. */
    volatile boolean closesConnection;

    /** Set by the first refusal, which answers once the body is drained; later ones do nothing. */
    final AtomicBoolean refusing = new AtomicBoolean();

    /** The model the request names ({@code ?model=}; empty: the default), set by knownModel. */
    String model = "";

    /** That model's description, set by knownModel. */
    ModelInfo modelInfo;

    Exchange(Request request, Response response, Callback callback, String route) {
      this.request = request;
      this.response = response;
      this.callback = callback;
      this.route = route;
    }

    boolean allow(String method) {
      if (method.equals(request.getMethod())
          || ("GET".equals(method) && "HEAD".equals(request.getMethod()))) {
        return true;
      }
      response.getHeaders().put(HttpHeader.ALLOW, method);
      fail(HttpFailure.of(405, "method_not_allowed", "use " + method + " on this route"));
      return false;
    }

    boolean authorized() {
      if (token == null) {
        return true;
      }
      String problem = token.problem(request.getHeaders().get(HttpHeader.AUTHORIZATION));
      if (problem == null) {
        return true;
      }
      response.getHeaders().put(HttpHeader.WWW_AUTHENTICATE, "Bearer");
      fail(HttpFailure.of(401, "unauthenticated", problem));
      return false;
    }

    boolean knownModel() {
      String requested = Request.extractQueryParameters(request).getValue("model");
      model = requested == null ? "" : requested;
      java.util.Optional<ModelInfo> info = models.info(model);
      if (info.isPresent()) {
        modelInfo = info.get();
        return true;
      }
      fail(
          HttpFailure.of(
              404,
              "unknown_model",
              "unknown model '"
                  + model
                  + "'; this server serves "
                  + String.join(", ", models.names())));
      return false;
    }

    boolean notDraining() {
      if (!draining.getAsBoolean()) {
        return true;
      }
      fail(HttpFailure.of(503, "draining", "the server is shutting down; retry on another"));
      return false;
    }

    /**
     * Refuses the request with {@code f}, once what is left of its body is read (see {@link
     * #DRAIN_LIMIT}); when it cannot be, the refusal says that the connection closes.
     */
    void fail(HttpFailure f) {
      if (answered.get() || !refusing.compareAndSet(false, true)) {
        return;
      }
      if (f.status() == 429) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, f.retryAfterSeconds());
      }
      drain(request, DRAIN_LIMIT, whole -> refuse(f, whole));
    }

    private void refuse(HttpFailure f, boolean bodyRead) {
      if (!bodyRead || closesConnection) {
        // Part of the body is still on its way, or Jetty will close the connection anyway: it
        // cannot carry another request.
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
      }
      json(f.status(), JsonBodies.error(f));
    }

    void json(int status, JsonNode body) {
      byte[] bytes;
      try {
        bytes = JsonBodies.MAPPER.writeValueAsBytes(body);
      } catch (JsonProcessingException e) {
        throw new UncheckedIOException(e);
      }
      send(status, JSON, bytes);
    }

    void send(int status, String contentType, byte[] body) {
      if (!answered.compareAndSet(false, true)) {
        return;
      }
      if (metrics != null) {
        metrics.recordHttpRequest(route, status);
        if (route.startsWith("POST /v1/solve")) {
          metrics.recordServerTime("http " + route, System.nanoTime() - start);
        }
      }
      try {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        if (contentType.startsWith("text/html")) {
          response
              .getHeaders()
              .put(
                  "Content-Security-Policy",
                  "default-src 'self'; img-src 'self' blob: data:; style-src 'self' 'unsafe-inline';"
                      + " script-src 'self' 'unsafe-inline'; connect-src 'self'");
        }
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        if ("HEAD".equals(request.getMethod())) {
          response.write(true, null, callback);
        } else {
          response.write(true, ByteBuffer.wrap(body), callback);
        }
      } catch (RuntimeException e) {
        log.debug("could not answer an HTTP request", e);
        callback.failed(e);
      }
    }
  }
}
