package dev.captcha.loadtest;

import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/** The {@code noop-server} subcommand: serves the no-op solver until stopped; wiring only. */
@Command(
    name = "noop-server",
    mixinStandardHelpOptions = true,
    description =
        "Serves a no-op CaptchaSolver that answers at once, to test the harness from"
            + " another process or machine. Runs until interrupted.")
final class NoopServerCommand implements Callable<Integer> {

  @Option(
      names = "--port",
      defaultValue = "50051",
      description = "Port. Default: ${DEFAULT-VALUE}.")
  int port;

  @Option(
      names = "--host",
      defaultValue = "127.0.0.1",
      description = "Address to bind. Default: ${DEFAULT-VALUE}.")
  String host;

  @Override
  public Integer call() throws Exception {
    NoopServer server = NoopServer.start(host, port);
    System.err.println("no-op captcha solver listening on " + host + ":" + server.port());
    Runtime.getRuntime().addShutdownHook(new Thread(server::close));
    server.awaitTermination();
    return 0;
  }
}
