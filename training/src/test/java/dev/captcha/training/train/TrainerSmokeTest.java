package dev.captcha.training.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.training.export.ModelMetadata;
import dev.captcha.training.export.RunExporter;
import java.io.PrintStream;
import java.io.Reader;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A few optimiser steps on tiny data: files written, resume continues, and the run exports. */
class TrainerSmokeTest {

  private static TrainingConfig config(Path dir, int steps, boolean resume) {
    return new TrainingConfig(dir, Duration.ofMinutes(30), steps, 8, 1e-3f, 1e-5f, 1, 1, 16, 2, 100,
        List.of("DejaVu Sans"), 1, resume, "smoke test");
  }

  private static Properties state(Path dir) throws Exception {
    Properties p = new Properties();
    try (Reader r = Files.newBufferedReader(dir.resolve("training.properties"))) {
      p.load(r);
    }
    return p;
  }

  @Test
  void trainsResumesAndExports(@TempDir Path dir) throws Exception {
    PrintStream quiet = new PrintStream(java.io.OutputStream.nullOutputStream());
    Trainer.Accuracy first = new Trainer(config(dir, 3, false), quiet).run();
    assertTrue(first.perCharacter() >= 0 && first.perCharacter() <= 1);
    assertTrue(Files.isRegularFile(dir.resolve("captcha-resnet-0000.params")));
    assertTrue(Files.isRegularFile(dir.resolve("metrics.png")));
    Properties p = state(dir);
    assertEquals("3", p.getProperty("steps"));
    assertEquals("24", p.getProperty("images"));
    assertEquals("16", p.getProperty("validation_size"));
    assertEquals("smoke test", p.getProperty("command"));
    List<String> rows = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals(MetricsLog.HEADER, rows.get(0));
    assertEquals(2, rows.size());
    assertTrue(rows.get(1).startsWith("3,24,"), rows.get(1));

    new Trainer(config(dir, 5, true), quiet).run();
    assertEquals("5", state(dir).getProperty("steps"));
    rows = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals(3, rows.size());
    assertTrue(rows.get(2).startsWith("5,40,"), rows.get(2));

    RunExporter.Report report = RunExporter.export(dir, dir.resolve("model.onnx"), "smoke", "0.0.1", 4, 4, 1);
    assertTrue(report.matches(), "max abs difference " + report.parity().maxAbsDifference());
    assertEquals(0, report.parity().argmaxDisagreements());
    assertEquals("5", report.metadata().get("captcha.training.steps"));
    assertEquals("40", report.metadata().get("captcha.training.images"));
    for (String key : ModelMetadata.PROVENANCE_KEYS) {
      assertTrue(report.metadata().containsKey(key), key);
    }
    assertEquals("smoke", dev.captcha.model.ModelMetadata.parse(report.metadata()).name());
  }
}
