package dev.captcha.server.grpc;

import dev.captcha.server.batch.NanoClock;
import dev.captcha.server.metrics.ServerMetrics;
import dev.captcha.server.ops.ServerLimits;
import dev.captcha.server.security.TlsSettings;
import io.grpc.BindableService;
import io.grpc.InsecureServerCredentials;
import io.grpc.ServerBuilder;
import io.grpc.ServerCredentials;
import io.grpc.TlsServerCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The one place where the gRPC server is put together: TLS, the transport limits, the interceptors
 * (outermost first: metrics, bearer token, stream-item limiter), the health and reflection
 * services; used by {@code Main} and by tests alike. A builder, used from one thread; the servers
 * it builds are thread-safe.
 */
public final class GrpcTransport {
  private final BindableService service;
  private ServerLimits limits = ServerLimits.defaults();
  private TlsSettings tls = TlsSettings.plaintext();
  private Path tokenFile;
  private ServerMetrics metrics;
  private NanoClock clock = NanoClock.SYSTEM;
  private HealthState health;
  private boolean reflection;

  private GrpcTransport(BindableService service) {
    this.service = Objects.requireNonNull(service, "service");
  }

  /** A builder serving {@code service}; plaintext, default limits, nothing else until set. */
  public static GrpcTransport forService(BindableService service) {
    return new GrpcTransport(service);
  }

  /** The transport limits (default {@link ServerLimits#defaults()}). */
  public GrpcTransport limits(ServerLimits limits) {
    this.limits = Objects.requireNonNull(limits, "limits");
    return this;
  }

  /** TLS for the network server (default plaintext). */
  public GrpcTransport tls(TlsSettings tls) {
    this.tls = Objects.requireNonNull(tls, "tls");
    return this;
  }

  /** Requires the bearer token held in {@code tokenFile} on every call but health; null: none. */
  public GrpcTransport bearerTokenFile(Path tokenFile) {
    this.tokenFile = tokenFile;
    return this;
  }

  /** Counts calls into {@code metrics}, timed on {@code clock}; null metrics: none. */
  public GrpcTransport metrics(ServerMetrics metrics, NanoClock clock) {
    this.metrics = metrics;
    this.clock = Objects.requireNonNull(clock, "clock");
    return this;
  }

  /** Serves the health service of {@code health}; null: none. */
  public GrpcTransport health(HealthState health) {
    this.health = health;
    return this;
  }

  /** Serves gRPC server reflection (default off). */
  public GrpcTransport reflection(boolean reflection) {
    this.reflection = reflection;
    return this;
  }

  /**
   * The network server on {@code port} (0 picks a free one) of all interfaces, with TLS, every
   * transport limit, the interceptors and the services; not started.
   *
   * @throws IOException if the token file or a TLS file cannot be read
   */
  public CaptchaServer netty(int port) throws IOException {
    NettyServerBuilder builder =
        NettyServerBuilder.forPort(port, credentials(tls))
            .maxConcurrentCallsPerConnection(limits.maxConcurrentCallsPerConnection())
            .keepAliveTime(limits.keepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
            .keepAliveTimeout(limits.keepAliveTimeout().toNanos(), TimeUnit.NANOSECONDS)
            .permitKeepAliveTime(limits.permitKeepAliveTime().toNanos(), TimeUnit.NANOSECONDS)
            .permitKeepAliveWithoutCalls(false)
            .maxConnectionIdle(limits.maxConnectionIdle().toNanos(), TimeUnit.NANOSECONDS)
            .maxConnectionAge(limits.maxConnectionAge().toNanos(), TimeUnit.NANOSECONDS)
            .maxConnectionAgeGrace(limits.maxConnectionAgeGrace().toNanos(), TimeUnit.NANOSECONDS);
    return on(builder);
  }

  /**
   * The same server on a transport the caller built (in-process in tests): the message size limit,
   * the stream-item limiter, the interceptors and the services; TLS and the connection limits are
   * the network server's only. Not started.
   *
   * @throws IOException if the token file cannot be read
   */
  public CaptchaServer on(ServerBuilder<?> builder) throws IOException {
    builder.maxInboundMessageSize(limits.maxInboundMessageSize());
    StreamItemLimiter limiter = new StreamItemLimiter(limits.streamItemsPerConnection());
    builder.addTransportFilter(limiter).intercept(limiter);
    if (tokenFile != null) {
      builder.intercept(BearerTokenInterceptor.fromFile(tokenFile));
    }
    if (metrics != null) {
      builder.intercept(new GrpcMetricsInterceptor(metrics, clock));
    }
    if (health != null) {
      builder.addService(health.service());
    }
    if (reflection) {
      builder.addService(ProtoReflectionServiceV1.newInstance());
    }
    return new CaptchaServer(builder, service);
  }

  /**
   * The server credentials: insecure without a certificate, TLS otherwise, requiring a client
   * certificate when a client CA is set.
   */
  static ServerCredentials credentials(TlsSettings tls) throws IOException {
    if (!tls.enabled()) {
      return InsecureServerCredentials.create();
    }
    TlsServerCredentials.Builder builder =
        TlsServerCredentials.newBuilder()
            .keyManager(tls.certChain().get().toFile(), tls.privateKey().get().toFile());
    if (tls.mutual()) {
      builder
          .trustManager(tls.clientCa().get().toFile())
          .clientAuth(TlsServerCredentials.ClientAuth.REQUIRE);
    }
    return builder.build();
  }
}
