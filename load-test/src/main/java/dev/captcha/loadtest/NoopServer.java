package dev.captcha.loadtest;

import io.grpc.Server;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.netty.shaded.io.netty.channel.EventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.MultiThreadIoEventLoopGroup;
import io.grpc.netty.shaded.io.netty.channel.nio.NioIoHandler;
import io.grpc.netty.shaded.io.netty.channel.socket.nio.NioServerSocketChannel;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A loopback gRPC server running {@link NoopSolverService} on its own event-loop threads, so the
 * CPU it uses can be told apart from the harness's; owns its server and threads, thread-safe.
 */
final class NoopServer implements AutoCloseable {

  private final Server server;
  private final EventLoopGroup boss;
  private final EventLoopGroup workers;
  private final List<Thread> threads;

  private NoopServer(
      Server server, EventLoopGroup boss, EventLoopGroup workers, List<Thread> threads) {
    this.server = server;
    this.boss = boss;
    this.workers = workers;
    this.threads = threads;
  }

  /** Starts on {@code host:port} (port 0 picks a free one), answering on the transport threads. */
  static NoopServer start(String host, int port) throws IOException {
    List<Thread> threads = new CopyOnWriteArrayList<>();
    AtomicInteger n = new AtomicInteger();
    ThreadFactory factory =
        r -> {
          Thread t = new Thread(r, "noop-server-" + n.getAndIncrement());
          t.setDaemon(true);
          threads.add(t);
          return t;
        };
    EventLoopGroup boss = new MultiThreadIoEventLoopGroup(1, factory, NioIoHandler.newFactory());
    EventLoopGroup workers = new MultiThreadIoEventLoopGroup(2, factory, NioIoHandler.newFactory());
    try {
      Server server =
          NettyServerBuilder.forAddress(new InetSocketAddress(host, port))
              .bossEventLoopGroup(boss)
              .workerEventLoopGroup(workers)
              .channelType(NioServerSocketChannel.class)
              .directExecutor()
              .addService(new NoopSolverService())
              .build()
              .start();
      return new NoopServer(server, boss, workers, threads);
    } catch (IOException | RuntimeException e) {
      boss.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      workers.shutdownGracefully(0, 0, TimeUnit.SECONDS);
      throw e;
    }
  }

  int port() {
    return server.getPort();
  }

  /** CPU nanoseconds used so far by the server's threads (0 where the JVM cannot tell). */
  long cpuNanos() {
    ThreadMXBean mx = ManagementFactory.getThreadMXBean();
    if (!mx.isThreadCpuTimeSupported()) {
      return 0;
    }
    long sum = 0;
    for (Thread t : threads) {
      long v = mx.getThreadCpuTime(t.getId());
      if (v > 0) {
        sum += v;
      }
    }
    return sum;
  }

  void awaitTermination() throws InterruptedException {
    server.awaitTermination();
  }

  @Override
  public void close() {
    server.shutdown();
    try {
      if (!server.awaitTermination(5, TimeUnit.SECONDS)) {
        server.shutdownNow();
      }
    } catch (InterruptedException e) {
      server.shutdownNow();
      Thread.currentThread().interrupt();
    }
    boss.shutdownGracefully(0, 1, TimeUnit.SECONDS);
    workers.shutdownGracefully(0, 1, TimeUnit.SECONDS);
  }
}
