package dev.captcha.loadtest;

import java.nio.file.Path;
import picocli.CommandLine.Option;

/** Where the reports go; filled by picocli. */
final class ReportOptions {

  @Option(names = "--json", paramLabel = "FILE", description = "Write the full results as JSON.")
  Path json;

  @Option(names = "--csv", paramLabel = "FILE", description = "Write one CSV row per run.")
  Path csv;

  @Option(
      names = "--csv-intervals",
      paramLabel = "FILE",
      description = "Write one CSV row per reporting interval of every run.")
  Path csvIntervals;

  @Option(
      names = "--html",
      paramLabel = "FILE",
      description = "Write a self-contained HTML report with charts.")
  Path html;

  @Option(
      names = "--title",
      defaultValue = "Captcha solver load test",
      description = "Title of the reports. Default: ${DEFAULT-VALUE}.")
  String title;

  @Option(
      names = {"-q", "--quiet"},
      description = "No progress lines on stderr.")
  boolean quiet;
}
