package dev.captcha.client;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.MethodDescriptor;
import io.grpc.NameResolverRegistry;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Consumer;

/**
 * Builds the channels to the solver, the one place that does: one target (any gRPC target, such as
 * {@code host:port} or {@code dns:///name:port}) or several {@code host:port} targets resolved by a
 * name resolver private to the channel, round-robin over every address, the retry policy in the
 * default service config, plaintext or TLS credentials, and the bearer token. Used by {@link
 * CaptchaSolverClient} and by the load test. A builder, not thread-safe; the channels it builds are
 * thread-safe and owned by the caller.
 */
public final class ClientChannels {
  private final List<String> targets = new ArrayList<>();
  private boolean tls;
  private Path trustCa;
  private Path clientCert;
  private Path clientKey;
  private String authority;
  private RetrySettings retry = RetrySettings.defaults();
  private Consumer<ManagedChannelBuilder<?>> transport = b -> {};

  private ClientChannels() {}

  /**
   * Channels to {@code targets}: {@code host:port}, {@code host} (port 50051), {@code [::1]:port},
   * or one gRPC target URI.
   *
   * @throws IllegalArgumentException when a target is malformed, or a URI is one of several
   */
  public static ClientChannels forTargets(List<String> targets) {
    ClientChannels c = new ClientChannels();
    for (String target : targets) {
      Objects.requireNonNull(target, "target");
      if (!Targets.isUri(target)) {
        Targets.parse(target);
      }
      c.targets.add(target.trim());
    }
    if (c.targets.isEmpty()) {
      throw new IllegalArgumentException(
          "no target: give at least one, for example localhost:" + Targets.DEFAULT_PORT);
    }
    if (c.targets.size() > 1 && c.targets.stream().anyMatch(Targets::isUri)) {
      throw new IllegalArgumentException(
          "several targets must each be host:port; a URI target (such as dns:///name:port) must"
              + " be the only one");
    }
    return c;
  }

  /** Uses TLS (trusting the system's CAs unless {@link #trustCa} is given) when {@code on}. */
  public ClientChannels tls(boolean on) {
    this.tls = on;
    return this;
  }

  /** Uses TLS and trusts the CA certificates in this PEM file; null: the system's. */
  public ClientChannels trustCa(Path caPem) {
    if (caPem != null) {
      this.trustCa = caPem;
      this.tls = true;
    }
    return this;
  }

  /** Uses TLS and presents this client certificate and PKCS#8 key (PEM); nulls: none. */
  public ClientChannels clientCertificate(Path certPem, Path keyPem) {
    if ((certPem == null) != (keyPem == null)) {
      throw new IllegalArgumentException("a client certificate and its key go together");
    }
    if (certPem != null) {
      this.clientCert = certPem;
      this.clientKey = keyPem;
      this.tls = true;
    }
    return this;
  }

  /** The authority (host name) checked against the server's certificate; null: the target's. */
  public ClientChannels overrideAuthority(String authority) {
    this.authority = authority;
    return this;
  }

  /** The retry policy of the service config (default {@link RetrySettings#defaults()}). */
  public ClientChannels retry(RetrySettings retry) {
    this.retry = Objects.requireNonNull(retry, "retry");
    return this;
  }

  /** Transport tuning applied last to each channel's builder (executors, event loops, sizes). */
  public ClientChannels transport(Consumer<ManagedChannelBuilder<?>> tuning) {
    this.transport = Objects.requireNonNull(tuning, "tuning");
    return this;
  }

  /** A new channel; the caller shuts it down. */
  public ManagedChannel build() {
    ChannelCredentials credentials = credentials(tls, trustCa, clientCert, clientKey);
    ManagedChannelBuilder<?> b;
    if (targets.size() == 1) {
      b = Grpc.newChannelBuilder(targets.get(0), credentials);
    } else {
      StaticTargetsResolverProvider provider =
          new StaticTargetsResolverProvider(Targets.parseAll(targets));
      NameResolverRegistry registry = new NameResolverRegistry();
      registry.register(provider);
      b = Grpc.newChannelBuilder(provider.channelTarget(), credentials, registry);
    }
    if (authority != null) {
      b.overrideAuthority(authority);
    }
    b.defaultServiceConfig(retry.toServiceConfig("round_robin"))
        .disableServiceConfigLookUp()
        .enableRetry()
        .maxRetryAttempts(retry.maxAttempts());
    transport.accept(b);
    return b.build();
  }

  /** The targets, for messages. */
  List<String> targets() {
    return List.copyOf(targets);
  }

  /** {@code channel} sending {@code authorization: Bearer <token>} with every call. */
  public static Channel withBearerToken(Channel channel, String token) {
    BearerToken credentials = new BearerToken(token);
    return ClientInterceptors.intercept(
        channel,
        new ClientInterceptor() {
          @Override
          public <Q, R> ClientCall<Q, R> interceptCall(
              MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
            return next.newCall(method, options.withCallCredentials(credentials));
          }
        });
  }

  /**
   * The token in {@code file}, stripped of surrounding white space.
   *
   * @throws IllegalArgumentException when it is empty or not visible ASCII
   * @throws UncheckedIOException when the file cannot be read
   */
  public static String readToken(Path file) {
    try {
      String token = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new IllegalArgumentException("token file " + file + " is empty");
      }
      return BearerToken.validate(token);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read token file " + file, e);
    }
  }

  /**
   * Plaintext, or TLS trusting {@code ca} (the system's CAs when null) with an optional client
   * certificate.
   */
  static ChannelCredentials credentials(boolean tls, Path ca, Path clientCert, Path clientKey) {
    if (!tls) {
      return InsecureChannelCredentials.create();
    }
    try {
      TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
      if (ca != null) {
        b.trustManager(ca.toFile());
      }
      if (clientCert != null) {
        b.keyManager(clientCert.toFile(), clientKey.toFile());
      }
      return b.build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot load the TLS files: " + e.getMessage(), e);
    }
  }
}
