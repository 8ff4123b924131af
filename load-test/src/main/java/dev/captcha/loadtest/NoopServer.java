package dev.captcha.loadtest;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.concurrent.TimeUnit;

/** A loopback gRPC server running {@link NoopSolverService}; owns its server, thread-safe. */
final class NoopServer implements AutoCloseable {

  private final Server server;

  private NoopServer(Server server) {
    this.server = server;
  }

  /** Starts on {@code host:port} (port 0 picks a free one), answering on the transport threads. */
  static NoopServer start(String host, int port) throws IOException {
    Server server = NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
        .directExecutor()
        .addService(new NoopSolverService())
        .build()
        .start();
    return new NoopServer(server);
  }

  int port() {
    return server.getPort();
  }

  void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() throws InterruptedException {
    server.shutdown();
    if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
      server.shutdownNow();
    }
  }
}
