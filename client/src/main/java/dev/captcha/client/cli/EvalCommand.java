package dev.captcha.client.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.captcha.client.SolveResult;
import dev.captcha.model.Candidate;
import dev.captcha.model.Prediction;
import dev.captcha.model.Tally;
import dev.captcha.report.EvaluationReport;
import dev.captcha.report.Progress;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;
import picocli.CommandLine.Spec;

/** {@code captcha eval}: accuracy and throughput on a folder of labelled images. */
@Command(
    name = "eval",
    mixinStandardHelpOptions = true,
    description = {
      "Measure accuracy and throughput on a folder of labelled images.",
      "Images are named <index>_<text>.<ext> (e.g. 17_aB3x.png). Prints sequence accuracy (exact,"
          + " case-folded, and confusable-folded: {0,O,o} and {1,l,I} merged plus case folding),"
          + " per-character accuracy, throughput, and the most frequent confusions."
    })
final class EvalCommand implements Callable<Integer> {
  static final Pattern LABELLED = Pattern.compile("\\d+_(.+)\\.[A-Za-z]+");

  @Spec CommandLine.Model.CommandSpec spec;

  @Parameters(paramLabel = "DIR", description = "Folder of labelled images (searched recursively).")
  Path dir;

  @Option(
      names = "--unary",
      description = "Use one Solve call per image instead of one SolveStream call for the folder.")
  boolean unary;

  @Option(
      names = "--max-in-flight",
      paramLabel = "N",
      defaultValue = "64",
      description = "Most images sent and not yet answered (default: ${DEFAULT-VALUE}).")
  int maxInFlight;

  @Option(
      names = "--top",
      paramLabel = "N",
      defaultValue = "10",
      description = "How many of the most frequent confusions to list (default: ${DEFAULT-VALUE}).")
  int top;

  @Option(names = "--json", description = "Print the metrics as one JSON object.")
  boolean json;

  @Option(
      names = "--report",
      paramLabel = "DIR",
      description =
          "Also write an HTML report into DIR: the accuracy table, a heat map of misread characters,"
              + " accuracy against confidence and every misread image with its candidates; it opens offline.")
  Path report;

  @Option(names = "--quiet", description = "Show no progress on stderr.")
  boolean quiet;

  private final CaptchaCli cli;

  EvalCommand(CaptchaCli cli) {
    this.cli = cli;
  }

  /** The label in a file name {@code <index>_<text>.<ext>}, or null. */
  static String label(Path file) {
    Matcher m = LABELLED.matcher(file.getFileName().toString());
    return m.matches() ? m.group(1) : null;
  }

  @Override
  public Integer call() {
    CommandLine cmd = spec.commandLine();
    if (maxInFlight < 1 || maxInFlight > 100_000) {
      throw new CommandLine.ParameterException(
          cmd, "--max-in-flight must be 1..100000, got " + maxInFlight);
    }
    if (!Files.isDirectory(dir)) {
      throw new CliFailure(ExitCodes.USAGE_OR_CONNECTION, "not a directory: " + dir);
    }
    PrintWriter out = cmd.getOut();
    PrintWriter err = cmd.getErr();
    List<Path> labelled = new ArrayList<>();
    Map<Path, String> labels = new HashMap<>();
    int skipped = 0;
    for (Path f : ImageFiles.collect(List.of(dir))) {
      String label = label(f);
      if (label == null) {
        skipped++;
        err.println("captcha: skipping " + f + ": its name is not <index>_<text>.<ext>");
      } else {
        labelled.add(f);
        labels.put(f, label);
      }
    }
    if (labelled.isEmpty()) {
      throw new CliFailure(
          ExitCodes.USAGE_OR_CONNECTION,
          "no labelled images in " + dir + ": name them <index>_<text>.png, e.g. 0_aB3x.png");
    }
    try (CaptchaCli.Connection c = cli.connect(cmd)) {
      Tally metrics = new Tally();
      EvaluationReport page = report == null ? null : new EvaluationReport();
      AtomicInteger failed = new AtomicInteger();
      AtomicInteger done = new AtomicInteger();
      long start = System.nanoTime();
      try (Progress progress = cli.progress("evaluated", labelled.size(), quiet, err)) {
        new BatchRunner(c.client(), !unary, maxInFlight, false)
            .run(
                labelled,
                item -> {
                  if (item.succeeded()) {
                    metrics.add(labels.get(item.path()), item.result().text());
                    if (page != null) {
                      addToReport(page, item, labels.get(item.path()));
                    }
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
      double seconds = (System.nanoTime() - start) / 1e9;
      out.print(
          json
              ? toJson(
                      metrics,
                      failed.get(),
                      skipped,
                      seconds,
                      c.model().name() + " " + c.model().version())
                  + "\n"
              : report(
                  metrics,
                  failed.get(),
                  skipped,
                  seconds,
                  c.model().name() + " " + c.model().version()));
      out.flush();
      if (page != null) {
        writeReport(page, c.model().name() + " " + c.model().version(), failed.get(), err);
      }
      if (failed.get() > 0) {
        err.println("captcha: " + failed.get() + " of " + labelled.size() + " images failed");
        return ExitCodes.ITEM_FAILURES;
      }
      return ExitCodes.OK;
    }
  }

  private static void addToReport(EvaluationReport page, Item item, String truth) {
    SolveResult r = item.result();
    List<List<Candidate>> positions =
        r.positions().stream()
            .map(
                p ->
                    p.candidates().stream()
                        .map(c -> new Candidate(c.character(), c.probability()))
                        .toList())
            .toList();
    String name = item.path().getFileName().toString();
    String extension = name.substring(name.lastIndexOf('.') + 1);
    try {
      page.add(
          item.path().toString(),
          truth,
          new Prediction(r.text(), r.confidence(), positions),
          List.of(),
          () -> new EvaluationReport.Picture(Files.readAllBytes(item.path()), extension));
    } catch (IOException e) {
      throw new CliFailure(
          ExitCodes.USAGE_OR_CONNECTION,
          "cannot read " + item.path() + " for the report: " + e.getMessage());
    }
  }

  private void writeReport(EvaluationReport page, String model, int failed, PrintWriter err) {
    try {
      Path index =
          page.write(
              report,
              "Evaluation of " + model,
              EvaluationReport.facts(
                  "model",
                  model,
                  "data",
                  dir.toString(),
                  "images",
                  page.tally().images()
                      + " answered"
                      + (failed > 0 ? ", " + failed + " failed (not counted)" : "")));
      err.println("captcha: report written to " + index);
    } catch (IOException | RuntimeException e) {
      throw new CliFailure(
          ExitCodes.USAGE_OR_CONNECTION,
          "cannot write the report to " + report + ": " + e.getMessage());
    }
  }

  private String report(Tally m, int failed, int skipped, double seconds, String model) {
    StringBuilder s = new StringBuilder();
    long n = m.images();
    s.append(String.format(Locale.ROOT, "model: %s%n", model));
    s.append(
        String.format(
            Locale.ROOT, "images: %d solved, %d failed, %d skipped%n", n, failed, skipped));
    s.append(
        String.format(
            Locale.ROOT,
            "sequence accuracy: exact %s  case-folded %s  confusable-folded %s%n",
            pct(m.exact(), n),
            pct(m.caseFolded(), n),
            pct(m.merged(), n)));
    s.append(
        String.format(
            Locale.ROOT,
            "character accuracy: %s%s%n",
            pct(m.characterHits(), m.characters()),
            m.lengthMismatches() > 0
                ? " (" + m.lengthMismatches() + " texts of the wrong length)"
                : ""));
    s.append(
        String.format(
            Locale.ROOT,
            "throughput: %.1f images/s (%d in %.2f s)%n",
            (n + failed) / Math.max(seconds, 1e-9),
            n + failed,
            seconds));
    List<Tally.Confusion> worst = m.topConfusions(top);
    if (worst.isEmpty()) {
      s.append("worst confusions: none\n");
    } else {
      s.append("worst confusions (true -> predicted: count):\n");
      for (Tally.Confusion c : worst) {
        s.append(
            String.format(Locale.ROOT, "  %s -> %s: %d%n", c.truth(), c.predicted(), c.count()));
      }
    }
    return s.toString();
  }

  private static String pct(long part, long whole) {
    return String.format(
        Locale.ROOT, "%.2f%% (%d/%d)", 100.0 * Tally.ratio(part, whole), part, whole);
  }

  private String toJson(Tally m, int failed, int skipped, double seconds, String model) {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("model", model);
    n.put("solved", m.images());
    n.put("failed", failed);
    n.put("skipped", skipped);
    n.put("exact_accuracy", Tally.ratio(m.exact(), m.images()));
    n.put("case_folded_accuracy", Tally.ratio(m.caseFolded(), m.images()));
    n.put("confusable_folded_accuracy", Tally.ratio(m.merged(), m.images()));
    n.put("char_accuracy", Tally.ratio(m.characterHits(), m.characters()));
    n.put("images_per_second", (m.images() + failed) / Math.max(seconds, 1e-9));
    n.put("seconds", seconds);
    var arr = n.putArray("worst_confusions");
    for (Tally.Confusion c : m.topConfusions(top)) {
      arr.addObject()
          .put("true", c.truth())
          .put("predicted", c.predicted())
          .put("count", c.count());
    }
    return n.toString();
  }
}
