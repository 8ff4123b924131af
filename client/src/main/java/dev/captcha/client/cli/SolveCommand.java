package dev.captcha.client.cli;

import dev.captcha.report.Progress;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code captcha solve}: prints each image's text. */
@Command(
    name = "solve",
    mixinStandardHelpOptions = true,
    description = {
      "Solve captcha images and print one line per image: path<TAB>text<TAB>confidence.",
      "Directories are searched recursively for .png, .jpg, .jpeg, .gif and .bmp files.",
      "Images that fail are reported on stderr and make the exit code 1."
    })
final class SolveCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(
      paramLabel = "FILE|DIR",
      arity = "1..*",
      description = "Image files and directories of images.")
  List<Path> paths;

  @Option(
      names = "--json",
      description = "Print JSON lines with the candidates per position and the server's timing.")
  boolean json;

  @Option(names = "--csv", description = "Print CSV with a header: path,text,confidence.")
  boolean csv;

  @Option(
      names = "--stream",
      description =
          "Send the images over one SolveStream call instead of one Solve call per image.")
  boolean stream;

  @Option(
      names = "--max-in-flight",
      paramLabel = "N",
      defaultValue = "64",
      description = "Most images sent and not yet answered (default: ${DEFAULT-VALUE}).")
  int maxInFlight;

  @Option(
      names = "--unordered",
      description = "Print results as they come instead of in input order.")
  boolean unordered;

  @Option(names = "--quiet", description = "Show no progress on stderr.")
  boolean quiet;

  private final CaptchaCli cli;

  SolveCommand(CaptchaCli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    if (json && csv) {
      throw new CommandLine.ParameterException(
          cmd, "--json and --csv exclude each other: pick one");
    }
    if (maxInFlight < 1 || maxInFlight > 100_000) {
      throw new CommandLine.ParameterException(
          cmd, "--max-in-flight must be 1..100000, got " + maxInFlight);
    }
    List<Path> files = ImageFiles.collect(paths);
    ResultWriter.Format format =
        json ? ResultWriter.Format.JSON : csv ? ResultWriter.Format.CSV : ResultWriter.Format.TEXT;
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    try (CaptchaCli.Connection c = cli.connect(cmd)) {
      ResultWriter writer = new ResultWriter(out, format);
      AtomicInteger failed = new AtomicInteger();
      AtomicInteger done = new AtomicInteger();
      writer.header();
      try (Progress progress = cli.progress("solved", files.size(), quiet, err)) {
        new BatchRunner(c.client(), stream, maxInFlight, !unordered)
            .run(
                files,
                item -> {
                  if (item.succeeded()) {
                    writer.write(item);
                  } else {
                    failed.incrementAndGet();
                    progress.message(item.path() + ": error: " + item.error().getMessage());
                  }
                  progress.update(
                      done.incrementAndGet(),
                      Double.NaN,
                      failed.get() > 0 ? failed.get() + " failed" : "");
                });
      }
      out.flush();
      if (failed.get() > 0) {
        err.println("captcha: " + failed.get() + " of " + files.size() + " images failed");
        return ExitCodes.ITEM_FAILURES;
      }
      return ExitCodes.OK;
    }
  }
}
