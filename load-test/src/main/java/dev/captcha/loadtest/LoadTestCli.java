package dev.captcha.loadtest;

import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/**
 * The {@code captcha-load-test} command: drives load at one or more captcha solver servers and
 * reports throughput, tail latency, errors, accuracy and the server's batching; wiring only.
 */
@Command(
    name = "captcha-load-test",
    mixinStandardHelpOptions = true,
    version = "captcha-load-test 0.1.0",
    sortOptions = false,
    subcommands = {NoopCommand.class, NoopServerCommand.class},
    description = {
      "Load test for the captcha solver: closed loop (--concurrency) or open loop (--rate,"
          + " latency timed from each request's scheduled send), one run or a sweep with a"
          + " search for the knee. Results to the console, JSON, CSV and HTML.",
      "Subcommands measure the harness itself against a no-op service."
    })
public final class LoadTestCli implements Callable<Integer> {

  @Mixin TargetOptions target = new TargetOptions();
  @Spec CommandSpec spec;
  @Mixin LoadOptions load = new LoadOptions();
  @Mixin WorkloadOptions workload = new WorkloadOptions();
  @Mixin ReportOptions reports = new ReportOptions();

  @Override
  public Integer call() throws Exception {
    Channels.Settings settings = target.settings(load.connections, load.eventLoopThreads);
    load.config();
    load.point(); // validate before spending time on the workload
    HttpTarget http = target.httpTarget();
    Workload w = workload.load();
    try (Channels channels = Channels.open(settings)) {
      new Harness(
              load,
              reports,
              spec.commandLine().getOut(),
              spec.commandLine().getErr(),
              new SystemTicker(),
              ProcessCpu.process())
          .execute(channels.channels(), http, w, settings.targets(), settings.connections());
    }
    return 0;
  }

  /** Builds the command line with the error handling every command shares. */
  static CommandLine commandLine() {
    CommandLine cl = new CommandLine(new LoadTestCli());
    cl.setCaseInsensitiveEnumValuesAllowed(true);
    cl.setExecutionExceptionHandler(
        (e, line, parsed) -> {
          if (e instanceof IllegalArgumentException
              || e instanceof IllegalStateException
              || e instanceof java.io.UncheckedIOException) {
            line.getErr().println("error: " + e.getMessage());
            return 2;
          }
          throw e;
        });
    return cl;
  }

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }
}
