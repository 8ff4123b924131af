package dev.captcha.loadtest;

import dev.captcha.client.ClientChannels;
import dev.captcha.client.RetrySettings;
import io.grpc.Channel;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioSocketChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The connections of one invocation: several channels from the client library's {@link
 * ClientChannels}, each balancing round-robin over every target, with optional TLS and bearer
 * token; owns its channels, thread-safe.
 */
final class Channels implements AutoCloseable {

  /** How to reach the server(s); immutable. */
  record Settings(
      List<String> targets,
      int connections,
      Path tlsCa,
      Path tlsCert,
      Path tlsKey,
      boolean tls,
      Path tokenFile,
      String authority,
      int eventLoopThreads) {

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

  /**
   * Opens the channels, built by the client library: round-robin over the targets (a private
   * resolver for several), TLS and the bearer token, without retries (a load test counts each
   * refusal), on the load test's own event loops when asked.
   */
  static Channels open(Settings s) {
    String token = s.tokenFile() == null ? null : ClientChannels.readToken(s.tokenFile());
    EventLoopGroup group =
        s.eventLoopThreads() == 0
            ? null
            : new MultiThreadIoEventLoopGroup(
                s.eventLoopThreads(), daemonThreads(), NioIoHandler.newFactory());
    ClientChannels builder =
        ClientChannels.forTargets(s.targets())
            .tls(s.usesTls())
            .trustCa(s.tlsCa())
            .clientCertificate(s.tlsCert(), s.tlsKey())
            .overrideAuthority(s.authority())
            .retry(NO_RETRIES)
            .transport(b -> tune(b, group));
    List<ManagedChannel> managed = new ArrayList<>();
    List<Channel> channels = new ArrayList<>();
    for (int i = 0; i < s.connections(); i++) {
      ManagedChannel ch = builder.build();
      managed.add(ch);
      channels.add(token == null ? ch : ClientChannels.withBearerToken(ch, token));
    }
    return new Channels(managed, channels, group);
  }

  private static final RetrySettings NO_RETRIES =
      new RetrySettings(
          1,
          RetrySettings.defaults().initialBackoff(),
          RetrySettings.defaults().maxBackoff(),
          RetrySettings.defaults().backoffMultiplier());

  private static void tune(ManagedChannelBuilder<?> b, EventLoopGroup group) {
    b.directExecutor().maxInboundMessageSize(16 * 1024 * 1024);
    if (group != null && b instanceof NettyChannelBuilder netty) {
      netty.eventLoopGroup(group).channelType(NioSocketChannel.class);
    }
  }

  private static ThreadFactory daemonThreads() {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, "load-test-io-" + n.getAndIncrement());
      t.setDaemon(true);
      return t;
    };
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
