package dev.captcha.server;

import dev.captcha.server.grpc.CaptchaServer;
import dev.captcha.server.grpc.HealthState;
import dev.captcha.server.http.HttpServer;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The server's graceful shutdown, run by the JVM's shutdown hook on SIGTERM: health reports
 * draining, the server takes no new calls (HTTP solve requests get 503), accepted requests are
 * answered for up to the drain timeout, then the executors stop and the resources close in order.
 * Runs once, on one thread.
 */
final class GracefulShutdown implements Runnable {
  private static final Logger log = LoggerFactory.getLogger(GracefulShutdown.class);

  private final Duration drainTimeout;
  private final HealthState health;
  private final CaptchaServer server;
  private final List<HttpServer> httpServers;
  private final Drain batcher;
  private final List<ExecutorService> executors;
  private final List<AutoCloseable> resources;

  /**
   * @param executors stopped after draining, in order
   * @param resources closed after the executors, in order
   */
  GracefulShutdown(
      Duration drainTimeout,
      HealthState health,
      CaptchaServer server,
      List<HttpServer> httpServers,
      Drain batcher,
      List<ExecutorService> executors,
      List<AutoCloseable> resources) {
    this.drainTimeout = drainTimeout;
    this.health = health;
    this.server = server;
    this.httpServers = List.copyOf(httpServers);
    this.batcher = batcher;
    this.executors = List.copyOf(executors);
    this.resources = List.copyOf(resources);
  }

  /** Stops taking requests and answers the accepted ones, as {@code MicroBatcher.close} does. */
  @FunctionalInterface
  interface Drain {
    /**
     * @return true if everything accepted was answered normally within the timeout
     */
    boolean close(Duration timeout) throws InterruptedException;
  }

  @Override
  public void run() {
    log.info("shutting down: draining for up to {} ms", drainTimeout.toMillis());
    long deadline = System.nanoTime() + drainTimeout.toNanos();
    health.draining();
    server.shutdown();
    try {
      boolean answered = batcher.close(drainTimeout);
      Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0));
      boolean ended = server.awaitTermination(left.plusMillis(100));
      // HTTP requests answered 503 since draining began; accepted ones are answered by now.
      for (HttpServer http : httpServers) {
        try {
          http.stop(Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0)).plusMillis(100));
        } catch (Exception e) {
          log.warn("could not stop {}", http, e);
        }
      }
      log.info(
          "stopped ({})",
          answered && ended ? "all accepted requests answered" : "drain timeout reached");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    } finally {
      for (ExecutorService executor : executors) {
        executor.shutdownNow();
      }
      for (AutoCloseable resource : resources) {
        try {
          resource.close();
        } catch (Exception e) {
          log.warn("could not close {} at shutdown", resource, e);
        }
      }
    }
  }
}
