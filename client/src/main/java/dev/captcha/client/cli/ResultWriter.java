package dev.captcha.client.cli;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.captcha.client.SolveResult;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.Locale;

/** Writes solved images to stdout as tab-separated text, JSON lines or CSV. */
final class ResultWriter {
  enum Format {
    TEXT,
    JSON,
    CSV
  }

  private static final ObjectMapper JSON = new ObjectMapper();

  private final PrintWriter out;
  private final Format format;

  ResultWriter(PrintWriter out, Format format) {
    this.out = out;
    this.format = format;
  }

  void header() {
    if (format == Format.CSV) {
      out.println("path,text,confidence");
    }
  }

  void write(Item item) {
    SolveResult r = item.result();
    String path = item.path().toString();
    switch (format) {
      case TEXT -> out.println(path + "\t" + r.text() + "\t" + confidence(r.confidence()));
      case CSV -> out.println(csv(path) + "," + csv(r.text()) + "," + confidence(r.confidence()));
      case JSON -> out.println(json(path, r));
    }
  }

  static String confidence(float c) {
    return String.format(Locale.ROOT, "%.4f", c);
  }

  static String csv(String field) {
    if (field.indexOf(',') < 0
        && field.indexOf('"') < 0
        && field.indexOf('\n') < 0
        && field.indexOf('\r') < 0) {
      return field;
    }
    return '"' + field.replace("\"", "\"\"") + '"';
  }

  static String json(String path, SolveResult r) {
    ObjectNode node = JSON.createObjectNode();
    node.put("path", path);
    node.put("text", r.text());
    node.put("confidence", (double) r.confidence());
    ArrayNode positions = node.putArray("positions");
    for (SolveResult.Position p : r.positions()) {
      ArrayNode candidates = positions.addArray();
      for (SolveResult.Candidate c : p.candidates()) {
        candidates.addObject().put("char", c.character()).put("p", (double) c.probability());
      }
    }
    ObjectNode timing = node.putObject("timing");
    timing.put("queue_ms", millis(r.timing().queueTime()));
    timing.put("inference_ms", millis(r.timing().inferenceTime()));
    timing.put("preprocess_ms", millis(r.timing().preprocessTime()));
    timing.put("batch_size", r.timing().batchSize());
    return node.toString();
  }

  static double millis(Duration d) {
    return d.toNanos() / 1e6;
  }
}
