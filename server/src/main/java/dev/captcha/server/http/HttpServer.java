package dev.captcha.server.http;

import java.time.Duration;
import java.util.concurrent.TimeoutException;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;

/**
 * The running HTTP/JSON server that {@link HttpTransport} builds; {@link #close} stops it, letting
 * requests in progress finish for up to the stop timeout. Thread-safe.
 */
public final class HttpServer implements AutoCloseable {
  private final Server server;
  private final ServerConnector connector;

  HttpServer(Server server, ServerConnector connector) {
    this.server = server;
    this.connector = connector;
  }

  /** Starts listening. */
  public HttpServer start() throws Exception {
    server.start();
    return this;
  }

  /** The port listened on, once started. */
  public int port() {
    return connector.getLocalPort();
  }

  /**
   * Stops, waiting up to {@code timeout} for requests in progress, then closing what is left.
   *
   * @return true if every request in progress ended within the timeout
   */
  public boolean stop(Duration timeout) throws Exception {
    server.setStopTimeout(Math.max(1, timeout.toMillis()));
    try {
      server.stop();
      return true;
    } catch (TimeoutException e) {
      // Jetty has closed the connections regardless; what was left was cut off.
      return false;
    }
  }

  @Override
  public void close() throws Exception {
    stop(Duration.ofSeconds(1));
  }

  @Override
  public String toString() {
    return "HTTP server on port " + port();
  }
}
