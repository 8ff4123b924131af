package dev.captcha.client.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.captcha.client.ModelDescription;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/** {@code captcha info}: the server's model and batching settings. */
@Command(
    name = "info",
    mixinStandardHelpOptions = true,
    description = "Print the model the server runs and its batching settings.")
final class InfoCommand implements Callable<Integer> {
  @Spec CommandLine.Model.CommandSpec spec;

  @Option(names = "--json", description = "Print one JSON object instead of text.")
  boolean json;

  @Option(names = "--metadata", description = "Also print every metadata entry of the model file.")
  boolean metadata;

  private final CaptchaCli cli;

  InfoCommand(CaptchaCli cli) {
    this.cli = cli;
  }

  @Override
  public Integer call() {
    try (CaptchaCli.Connection c = cli.connect(spec.commandLine())) {
      PrintWriter out = spec.commandLine().getOut();
      ModelDescription m = c.model();
      if (json) {
        out.println(toJson(m));
      } else {
        ModelDescription.Batching b = m.batching();
        out.printf(Locale.ROOT, "model:               %s %s%n", m.name(), m.version());
        out.printf(
            Locale.ROOT,
            "decoder:             %s, %d characters from %s%n",
            m.decoder(),
            m.captchaLength(),
            m.charset());
        out.printf(
            Locale.ROOT,
            "input:               %d x %d x %d (channels x height x width)%n",
            m.channels(),
            m.height(),
            m.width());
        out.printf(Locale.ROOT, "precision:           %s%n", m.precision());
        out.printf(Locale.ROOT, "validation accuracy: %.2f%%%n", 100.0 * m.validationAccuracy());
        out.printf(Locale.ROOT, "execution provider:  %s%n", m.executionProvider());
        out.printf(
            Locale.ROOT,
            "batching:            mode %s, max batch %d, preferred %s, max queue delay %s%n",
            b.mode(),
            b.maxBatchSize(),
            b.preferredBatchSizes(),
            ms(b.maxQueueDelay()));
        out.printf(
            Locale.ROOT,
            "                     %d instance(s), queue up to %d, default timeout %s%s%n",
            b.instances(),
            b.maxQueueLength(),
            ms(b.defaultTimeout()),
            b.latencyBudget().isZero() ? "" : ", latency budget " + ms(b.latencyBudget()));
        if (metadata) {
          m.metadata().forEach((k, v) -> out.printf("  %s = %s%n", k, v));
        }
      }
      out.flush();
      return ExitCodes.OK;
    }
  }

  private static String ms(Duration d) {
    return d.toMillis() >= 1000 && d.toMillis() % 1000 == 0
        ? d.toSeconds() + " s"
        : String.format(Locale.ROOT, "%.1f ms", d.toNanos() / 1e6);
  }

  static String toJson(ModelDescription m) {
    ObjectNode n = new ObjectMapper().createObjectNode();
    n.put("name", m.name());
    n.put("version", m.version());
    n.put("decoder", m.decoder());
    n.put("charset", m.charset());
    n.put("captcha_length", m.captchaLength());
    n.putObject("input")
        .put("channels", m.channels())
        .put("height", m.height())
        .put("width", m.width());
    n.put("validation_accuracy", (double) m.validationAccuracy());
    n.put("execution_provider", m.executionProvider());
    n.put("precision", m.precision());
    ModelDescription.Batching b = m.batching();
    ObjectNode bn = n.putObject("batching");
    bn.put("mode", b.mode());
    bn.put("max_batch_size", b.maxBatchSize());
    bn.put("max_queue_delay_ms", b.maxQueueDelay().toNanos() / 1e6);
    b.preferredBatchSizes().forEach(bn.putArray("preferred_batch_sizes")::add);
    bn.put("instances", b.instances());
    bn.put("max_queue_length", b.maxQueueLength());
    bn.put("default_timeout_ms", b.defaultTimeout().toNanos() / 1e6);
    bn.put("latency_budget_ms", b.latencyBudget().toNanos() / 1e6);
    ObjectNode md = n.putObject("metadata");
    m.metadata().forEach(md::put);
    return n.toString();
  }
}
