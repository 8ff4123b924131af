package dev.captcha.loadtest;

import java.util.List;
import java.util.concurrent.Callable;
import java.util.function.LongSupplier;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The {@code noop} subcommand: measures the harness against a loopback no-op service; wiring only.
 */
@Command(
    name = "noop",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = {
      "Measures the harness's own capacity: starts a no-op CaptchaSolver on loopback in this"
          + " process and drives it like a real server. The result is the most the harness can"
          + " send on this machine (the no-op server shares the CPU)."
    })
final class NoopCommand implements Callable<Integer> {

  @Spec CommandSpec spec;
  @Mixin LoadOptions load = new LoadOptions();
  @Mixin WorkloadOptions workload = new WorkloadOptions();
  @Mixin ReportOptions reports = new ReportOptions();

  @Option(
      names = "--port",
      defaultValue = "0",
      description =
          "Loopback port of the no-op service (0 picks a free one). Default: ${DEFAULT-VALUE}.")
  int port;

  @Override
  public Integer call() throws Exception {
    load.config();
    load.point();
    Workload w = workload.load();
    try (NoopServer server = NoopServer.start("127.0.0.1", port)) {
      String target = "127.0.0.1:" + server.port();
      Channels.Settings settings =
          new Channels.Settings(
              List.of(target),
              load.connections,
              null,
              null,
              null,
              false,
              null,
              null,
              load.eventLoopThreads);
      try (Channels channels = Channels.open(settings)) {
        LongSupplier process = ProcessCpu.process();
        LongSupplier harnessOnly =
            () -> {
              long all = process.getAsLong();
              return all < 0 ? -1 : all - server.cpuNanos();
            };
        new Harness(
                load,
                reports,
                spec.commandLine().getOut(),
                spec.commandLine().getErr(),
                new SystemTicker(),
                harnessOnly)
            .execute(channels.channels(), w, List.of(target + " (no-op)"), load.connections);
      }
    }
    return 0;
  }
}
