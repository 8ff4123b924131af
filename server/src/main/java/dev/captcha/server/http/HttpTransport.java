package dev.captcha.server.http;

import dev.captcha.api.v1.ModelInfo;
import dev.captcha.server.metrics.ServerMetrics;
import dev.captcha.server.security.BearerToken;
import dev.captcha.server.security.TlsSettings;
import dev.captcha.server.solve.Solver;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.BooleanSupplier;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.eclipse.jetty.server.HttpConfiguration;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.server.SslConnectionFactory;
import org.eclipse.jetty.server.handler.GracefulHandler;
import org.eclipse.jetty.util.thread.QueuedThreadPool;

/**
 * The one place where the HTTP/JSON server is put together (Jetty): the same solver, limits, bearer
 * token and TLS files as the gRPC port, the API routes, the page at {@code /} and the OpenAPI
 * description; used by {@code Main} and by tests alike. A builder, used from one thread; the
 * servers it builds are thread-safe.
 */
public final class HttpTransport {
  private final ServedModels models;
  private Duration defaultTimeout = Duration.ofSeconds(30);
  private int maxImageBytes = 1 << 20;
  private int maxBatchItems = 64;
  private TlsSettings tls = TlsSettings.plaintext();
  private Path tokenFile;
  private ServerMetrics metrics;
  private IntSupplier queueDepth = () -> 0;
  private BooleanSupplier ready = () -> true;
  private BooleanSupplier draining = () -> false;
  private Duration idleTimeout = Duration.ofSeconds(60);

  private HttpTransport(ServedModels models) {
    this.models = Objects.requireNonNull(models, "models");
  }

  /** A builder serving {@code solver}, describing the model with {@code modelInfo}. */
  public static HttpTransport forSolver(Solver solver, Supplier<ModelInfo> modelInfo) {
    return new HttpTransport(ServedModels.single(solver, modelInfo));
  }

  /** A builder serving {@code models}, chosen per request with {@code ?model=NAME}. */
  public static HttpTransport forModels(ServedModels models) {
    return new HttpTransport(models);
  }

  /** The deadline of a request that sends no {@code X-Request-Timeout} header. */
  public HttpTransport defaultTimeout(Duration timeout) {
    if (timeout.isNegative() || timeout.isZero()) {
      throw new IllegalArgumentException("default timeout must be positive, got " + timeout);
    }
    this.defaultTimeout = timeout;
    return this;
  }

  /** The largest encoded image accepted, as on the gRPC port; bodies are bounded by it. */
  public HttpTransport maxImageBytes(int bytes) {
    if (bytes < 1) {
      throw new IllegalArgumentException("max image bytes must be >= 1, got " + bytes);
    }
    this.maxImageBytes = bytes;
    return this;
  }

  /** The most images of one {@code /v1/solve:batch} request. */
  public HttpTransport maxBatchItems(int items) {
    if (items < 1) {
      throw new IllegalArgumentException("max batch items must be >= 1, got " + items);
    }
    this.maxBatchItems = items;
    return this;
  }

  /** TLS (default plaintext), from the same PEM files as the gRPC port. */
  public HttpTransport tls(TlsSettings tls) {
    this.tls = Objects.requireNonNull(tls, "tls");
    return this;
  }

  /** Requires the bearer token in {@code tokenFile} on {@code /v1/} routes; null: none. */
  public HttpTransport bearerTokenFile(Path tokenFile) {
    this.tokenFile = tokenFile;
    return this;
  }

  /** Counts requests into {@code metrics} and serves its totals at {@code /v1/stats}. */
  public HttpTransport metrics(ServerMetrics metrics, IntSupplier queueDepth) {
    this.metrics = metrics;
    this.queueDepth = Objects.requireNonNull(queueDepth, "queueDepth");
    return this;
  }

  /**
   * Readiness ({@code /readyz}) and draining, in which solve requests get 503; the same state as
   * the gRPC health service.
   */
  public HttpTransport health(BooleanSupplier ready, BooleanSupplier draining) {
    this.ready = Objects.requireNonNull(ready, "ready");
    this.draining = Objects.requireNonNull(draining, "draining");
    return this;
  }

  /** How long an idle connection stays open. */
  public HttpTransport idleTimeout(Duration idleTimeout) {
    this.idleTimeout = Objects.requireNonNull(idleTimeout, "idleTimeout");
    return this;
  }

  /**
   * The server on {@code port} (0 picks a free one) of all interfaces; not started.
   *
   * @throws IOException if the token file or a TLS file cannot be read
   */
  public HttpServer build(int port) throws IOException {
    BearerToken token = tokenFile != null ? BearerToken.fromFile(tokenFile) : null;
    QueuedThreadPool threads = new QueuedThreadPool(200, 4);
    threads.setName("http");
    threads.setDaemon(true);
    Server server = new Server(threads);
    HttpConfiguration config = new HttpConfiguration();
    config.setSendServerVersion(false);
    HttpConnectionFactory http = new HttpConnectionFactory(config);
    ServerConnector connector =
        tls.enabled()
            ? new ServerConnector(
                server,
                new SslConnectionFactory(PemTls.contextFactory(tls), http.getProtocol()),
                http)
            : new ServerConnector(server, http);
    connector.setPort(port);
    connector.setIdleTimeout(idleTimeout.toMillis());
    server.addConnector(connector);
    ApiHandler api =
        new ApiHandler(
            models,
            defaultTimeout,
            maxImageBytes,
            maxBatchItems,
            token,
            metrics,
            queueDepth,
            ready,
            draining);
    server.setHandler(new GracefulHandler(api));
    return new HttpServer(server, connector);
  }
}
