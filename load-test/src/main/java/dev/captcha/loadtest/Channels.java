package dev.captcha.loadtest;

import io.grpc.CallOptions;
import io.grpc.Channel;
import io.grpc.ChannelCredentials;
import io.grpc.ClientCall;
import io.grpc.ClientInterceptor;
import io.grpc.ClientInterceptors;
import io.grpc.ForwardingClientCall;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.MethodDescriptor;
import io.grpc.TlsChannelCredentials;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connections of one invocation: several channels, each balancing round-robin over every
 * target with grpc-java's own {@code round_robin} policy, with optional TLS and bearer token;
 * owns its channels, thread-safe.
 */
final class Channels implements AutoCloseable {

  static final Metadata.Key<String> AUTHORIZATION =
      Metadata.Key.of("authorization", Metadata.ASCII_STRING_MARSHALLER);

  /** How to reach the server(s); immutable. */
  record Settings(
      List<String> targets, int connections, Path tlsCa, Path tlsCert, Path tlsKey, boolean tls,
      Path tokenFile, String authority, int eventLoopThreads) {

    Settings {
      if (targets == null || targets.isEmpty()) {
        throw new IllegalArgumentException("at least one --target is required");
      }
      targets = List.copyOf(targets);
      if (connections < 1) {
        throw new IllegalArgumentException("--connections must be at least 1, got " + connections);
      }
      if (eventLoopThreads < 0) {
        throw new IllegalArgumentException("--event-loop-threads must not be negative");
      }
      if ((tlsCert == null) != (tlsKey == null)) {
        throw new IllegalArgumentException("--tls-cert and --tls-key go together");
      }
      for (Path p : new Path[] {tlsCa, tlsCert, tlsKey, tokenFile}) {
        if (p != null && !Files.isRegularFile(p)) {
          throw new IllegalArgumentException("file " + p + " does not exist");
        }
      }
    }

    boolean usesTls() {
      return tls || tlsCa != null || tlsCert != null;
    }
  }

  private final List<ManagedChannel> managed;
  private final List<Channel> channels;
  private final EventLoopGroup group;

  private Channels(List<ManagedChannel> managed, List<Channel> channels, EventLoopGroup group) {
    this.managed = managed;
    this.channels = channels;
    this.group = group;
  }

  static Channels open(Settings s) {
    ChannelCredentials credentials = credentials(s);
    ClientInterceptor token = s.tokenFile() == null ? null : bearer(readToken(s.tokenFile()));
    EventLoopGroup group = s.eventLoopThreads() == 0 ? null
        : new MultiThreadIoEventLoopGroup(s.eventLoopThreads(), daemonThreads(),
            NioIoHandler.newFactory());
    List<ManagedChannel> managed = new ArrayList<>();
    List<Channel> channels = new ArrayList<>();
    for (int i = 0; i < s.connections(); i++) {
      NettyChannelBuilder b = builder(s, credentials);
      if (group != null) {
        b.eventLoopGroup(group).channelType(NioSocketChannel.class);
      }
      ManagedChannel ch = b.build();
      managed.add(ch);
      channels.add(token == null ? ch : ClientInterceptors.intercept(ch, token));
    }
    return new Channels(managed, channels, group);
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "load-test-io-" + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    };
  }

  @SuppressWarnings("deprecation") // per-channel resolver: no process-wide registry to mutate
  private static NettyChannelBuilder builder(Settings s, ChannelCredentials credentials) {
    NettyChannelBuilder b;
    if (s.targets().size() == 1) {
      // A DNS name that resolves to several addresses is balanced over all of them.
      b = NettyChannelBuilder.forTarget(s.targets().get(0), credentials);
    } else {
      List<InetSocketAddress> addresses = s.targets().stream().map(Channels::address).toList();
      StaticResolverProvider provider = new StaticResolverProvider(addresses);
      b = NettyChannelBuilder.forTarget(StaticResolverProvider.SCHEME + ":///targets", credentials);
      b.nameResolverFactory(provider);
      if (s.authority() == null) {
        b.overrideAuthority(addresses.get(0).getHostString());
      }
    }
    if (s.authority() != null) {
      b.overrideAuthority(s.authority());
    }
    b.defaultLoadBalancingPolicy("round_robin")
        .directExecutor()
        .maxInboundMessageSize(16 * 1024 * 1024);
    return b;
  }

  private static ChannelCredentials credentials(Settings s) {
    if (!s.usesTls()) {
      return InsecureChannelCredentials.create();
    }
    try {
      TlsChannelCredentials.Builder b = TlsChannelCredentials.newBuilder();
      if (s.tlsCa() != null) {
        b.trustManager(s.tlsCa().toFile());
      }
      if (s.tlsCert() != null) {
        b.keyManager(s.tlsCert().toFile(), s.tlsKey().toFile());
      }
      return b.build();
    } catch (IOException | RuntimeException e) {
      throw new IllegalArgumentException("cannot read the TLS files: " + e.getMessage(), e);
    }
  }

  static String readToken(Path file) {
    try {
      String token = Files.readString(file, StandardCharsets.UTF_8).strip();
      if (token.isEmpty()) {
        throw new IllegalArgumentException("token file " + file + " is empty");
      }
      return token;
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read token file " + file, e);
    }
  }

  /** An interceptor that sends {@code authorization: Bearer <token>} on every call. */
  static ClientInterceptor bearer(String token) {
    String value = "Bearer " + token;
    return new ClientInterceptor() {
      @Override
      public <Q, R> ClientCall<Q, R> interceptCall(
          MethodDescriptor<Q, R> method, CallOptions options, Channel next) {
        return new ForwardingClientCall.SimpleForwardingClientCall<>(next.newCall(method, options)) {
          @Override
          public void start(Listener<R> listener, Metadata headers) {
            headers.put(AUTHORIZATION, value);
            super.start(listener, headers);
          }
        };
      }
    };
  }

  /** Parses {@code host:port} or {@code [v6-address]:port}. */
  static InetSocketAddress address(String target) {
    int colon = target.lastIndexOf(':');
    if (colon <= 0 || colon == target.length() - 1) {
      throw new IllegalArgumentException(
          "target '" + target + "' must be host:port when several targets are given");
    }
    String host = target.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(target.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("target '" + target + "' has no numeric port");
    }
    if (port < 1 || port > 65535) {
      throw new IllegalArgumentException("target '" + target + "' has port out of range");
    }
    return new InetSocketAddress(host, port);
  }

  List<Channel> channels() {
    return channels;
  }

  @Override
  public void close() {
    for (ManagedChannel ch : managed) {
      ch.shutdown();
    }
    try {
      for (ManagedChannel ch : managed) {
        if (!ch.awaitTermination(5, TimeUnit.SECONDS)) {
          ch.shutdownNow();
        }
      }
    } catch (InterruptedException e) {
      managed.forEach(ManagedChannel::shutdownNow);
      Thread.currentThread().interrupt();
    }
    if (group != null) {
      group.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    }
  }

}
