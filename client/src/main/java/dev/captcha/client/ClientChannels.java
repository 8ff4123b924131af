package dev.captcha.client;

import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.ManagedChannelBuilder;
import io.grpc.NameResolverRegistry;
import io.grpc.TlsChannelCredentials;
import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

/**
 * Makes the channel a client owns: round-robin over every address of the targets, the retry
 * policy in the default service config, and plaintext or TLS credentials. Stateless.
 */
final class ChannelFactory {
  private ChannelFactory() {}

  /**
   * A channel to one target (any gRPC target, such as {@code host:port} or {@code dns:///name:port})
   * or to several {@code host:port} targets, resolved by a name resolver private to this channel.
   */
  static ManagedChannel create(
      List<String> targets, ChannelCredentials credentials, String authority, RetrySettings retry) {
    ManagedChannelBuilder<?> b;
    if (targets.size() == 1) {
      b = Grpc.newChannelBuilder(targets.get(0), credentials);
    } else {
      StaticTargetsResolverProvider provider = new StaticTargetsResolverProvider(Targets.parseAll(targets));
      NameResolverRegistry registry = new NameResolverRegistry();
      registry.register(provider);
      b = Grpc.newChannelBuilder(provider.channelTarget(), credentials, registry);
    }
    if (authority != null) {
      b.overrideAuthority(authority);
    }
    return b.defaultServiceConfig(retry.toServiceConfig("round_robin"))
        .disableServiceConfigLookUp()
        .enableRetry()
        .maxRetryAttempts(retry.maxAttempts())
        .build();
  }

  /** Plaintext, or TLS trusting {@code ca} (the system's CAs when null) with an optional client certificate. */
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
