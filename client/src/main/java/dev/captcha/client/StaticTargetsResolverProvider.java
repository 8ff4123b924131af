package dev.captcha.client;

import io.grpc.EquivalentAddressGroup;
import io.grpc.NameResolver;
import io.grpc.NameResolverProvider;
import io.grpc.Status;
import io.grpc.StatusOr;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.Executor;

/**
 * A name resolver for a fixed list of {@code host:port} targets: every address of every host
 * becomes one backend for the channel's load-balancing policy (round-robin); immutable and
 * thread-safe. It is registered in a registry private to one channel, never globally.
 */
final class StaticTargetsResolverProvider extends NameResolverProvider {
  static final String SCHEME = "captcha-targets";

  private final List<Targets.HostPort> targets;

  StaticTargetsResolverProvider(List<Targets.HostPort> targets) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("no targets");
    }
    this.targets = List.copyOf(targets);
  }

  /** The channel target that selects this resolver. */
  String channelTarget() {
    return SCHEME + ":///" + targets.get(0);
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
  public NameResolver newNameResolver(URI targetUri, NameResolver.Args args) {
    if (!SCHEME.equals(targetUri.getScheme())) {
      return null;
    }
    return new Resolver(targets, args);
  }

  /** Resolves the hosts off the channel's thread and reports all their addresses. */
  private static final class Resolver extends NameResolver {
    private final List<Targets.HostPort> targets;
    private final Args args;
    private Listener2 listener;
    private volatile boolean shutdown;

    Resolver(List<Targets.HostPort> targets, Args args) {
      this.targets = targets;
      this.args = args;
    }

    @Override
    public String getServiceAuthority() {
      return args.getOverrideAuthority() != null
          ? args.getOverrideAuthority()
          : targets.get(0).toString();
    }

    @Override
    public void start(Listener2 listener) {
      this.listener = listener;
      resolve();
    }

    @Override
    public void refresh() {
      resolve();
    }

    private void resolve() {
      Executor executor = args.getOffloadExecutor();
      if (executor == null) {
        executor = Runnable::run;
      }
      executor.execute(this::lookUp);
    }

    private void lookUp() {
      Set<InetSocketAddress> addresses = new LinkedHashSet<>();
      List<String> failures = new ArrayList<>();
      for (Targets.HostPort target : targets) {
        try {
          for (InetAddress address : InetAddress.getAllByName(target.host())) {
            addresses.add(new InetSocketAddress(address, target.port()));
          }
        } catch (UnknownHostException e) {
          failures.add(target.host());
        }
      }
      args.getSynchronizationContext().execute(() -> deliver(addresses, failures));
    }

    private void deliver(Set<InetSocketAddress> addresses, List<String> failures) {
      if (shutdown) {
        return;
      }
      if (addresses.isEmpty()) {
        listener.onResult2(
            ResolutionResult.newBuilder()
                .setAddressesOrError(
                    StatusOr.fromStatus(
                        Status.UNAVAILABLE.withDescription("cannot resolve host(s) " + failures)))
                .build());
        return;
      }
      List<EquivalentAddressGroup> groups = new ArrayList<>();
      for (InetSocketAddress address : addresses) {
        groups.add(new EquivalentAddressGroup(address));
      }
      listener.onResult2(
          ResolutionResult.newBuilder().setAddressesOrError(StatusOr.fromValue(groups)).build());
    }

    @Override
    public void shutdown() {
      shutdown = true;
    }
  }
}
