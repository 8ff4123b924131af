package dev.captcha.server.grpc;

import io.grpc.BindableService;
import io.grpc.Server;
import io.grpc.ServerBuilder;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.TimeUnit;

/**
 * The gRPC server around the captcha service, built from a {@link ServerBuilder} so tests pass an
 * in-process one; {@link GrpcTransport} configures it. Thread-safe.
 */
public final class CaptchaServer {
  private final Server server;

  /**
   * @param builder a transport-specific builder, already configured with anything else to serve
   *     (health, reflection, interceptors)
   */
  public CaptchaServer(ServerBuilder<?> builder, BindableService service) {
    this.server = builder.addService(service).build();
  }

  public CaptchaServer start() throws IOException {
    server.start();
    return this;
  }

  /** The port listened on, once started. */
  public int port() {
    return server.getPort();
  }

  /** Stops accepting new calls; calls in progress continue. */
  public void shutdown() {
    server.shutdown();
  }

  /** Stops accepting new calls and cancels the calls in progress. */
  public void shutdownNow() {
    server.shutdownNow();
  }

  /**
   * Waits up to {@code timeout} for the calls in progress to end, then cancels what is left.
   *
   * @return true if every call ended within the timeout
   */
  public boolean awaitTermination(Duration timeout) throws InterruptedException {
    boolean done = server.awaitTermination(timeout.toNanos(), TimeUnit.NANOSECONDS);
    if (!done) {
      server.shutdownNow();
      server.awaitTermination(1, TimeUnit.SECONDS);
    }
    return done;
  }

  /** Blocks until the server has terminated. */
  public void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }
}
