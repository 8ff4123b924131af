package dev.captcha.loadtest;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.StatusOr;
import java.net.InetSocketAddress;
import java.net.URI;
import java.util.List;

/**
 * Resolves to a fixed list of addresses, one per target, so that grpc-java's round_robin policy
 * balances over all of them; immutable and thread-safe.
 */
final class StaticResolverProvider extends NameResolverProvider {

  static final String SCHEME = "captcha-load-test";

  private final List<EquivalentAddressGroup> groups;
  private final String authority;

  StaticResolverProvider(List<InetSocketAddress> addresses) {
    if (addresses.isEmpty()) {
      throw new IllegalArgumentException("no addresses");
    }
    this.groups = addresses.stream().map(EquivalentAddressGroup::new).toList();
    this.authority = addresses.get(0).getHostString() + ":" + addresses.get(0).getPort();
  }

  @Override
  protected boolean isAvailable() {
    return true;
  }

  @Override
  protected int priority() {
    return 5;
  }

  @Override
  public String getDefaultScheme() {
    return SCHEME;
  }

  @Override
  public NameResolver newNameResolver(URI target, NameResolver.Args args) {
    if (!SCHEME.equals(target.getScheme())) {
      return null;
    }
    return new NameResolver() {
      @Override
      public String getServiceAuthority() {
        return authority;
      }

      @Override
      public void start(Listener2 listener) {
        listener.onResult2(ResolutionResult.newBuilder()
            .setAddressesOrError(StatusOr.fromValue(groups))
            .build());
      }

      @Override
      public void shutdown() {}
    };
  }
}
