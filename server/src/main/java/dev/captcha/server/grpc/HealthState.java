package dev.captcha.server.grpc;

import io.grpc.BindableService;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.protobuf.services.HealthStatusManager;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicBoolean;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's readiness as the standard {@code grpc.health.v1} service reports it, for the whole
 * server ("") and for each named service: NOT_SERVING from creation until {@link #serving}, and for
 * good after {@link #draining}. Thread-safe.
 */
public final class HealthState {
  private static final Logger log = LoggerFactory.getLogger(HealthState.class);

  private final HealthStatusManager manager = new HealthStatusManager();
  private final List<String> services;
  private final AtomicBoolean draining = new AtomicBoolean();
  private final AtomicBoolean serving = new AtomicBoolean();

  /** Starts NOT_SERVING for the server and for {@code services} (fully qualified names). */
  public HealthState(List<String> services) {
    this.services = List.copyOf(services);
    set(ServingStatus.NOT_SERVING);
  }

  /** The health service to add to the server. */
  public BindableService service() {
    return manager.getHealthService();
  }

  /** Reports SERVING: the model is loaded and warmed up. Has no effect once draining. */
  public void serving() {
    if (draining.get()) {
      return;
    }
    set(ServingStatus.SERVING);
    serving.set(true);
    log.info("health: SERVING");
  }

  /**
   * Reports NOT_SERVING for good, so load balancers stop sending new calls while the server drains.
   */
  public void draining() {
    if (draining.getAndSet(true)) {
      return;
    }
    serving.set(false);
    manager.enterTerminalState();
    log.info("health: NOT_SERVING (draining)");
  }

  /** Whether the server reports SERVING: warmed up and not draining. */
  public boolean isServing() {
    return serving.get() && !draining.get();
  }

  /** Whether the server is draining for shutdown. */
  public boolean isDraining() {
    return draining.get();
  }

  private void set(ServingStatus status) {
    manager.setStatus(HealthStatusManager.SERVICE_NAME_ALL_SERVICES, status);
    for (String service : services) {
      manager.setStatus(Objects.requireNonNull(service, "service"), status);
    }
  }
}
