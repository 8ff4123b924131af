package dev.captcha.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The chart command and evaluate --report, end to end. */
class ReportCommandsTest {
  static final Path BUNDLED = Path.of("..", "models", "captcha-resnet.onnx");

  private static int run(String... args) {
    return TrainingCli.commandLine().execute(args);
  }

  @Test
  void chartRedrawsTheChartsOfAMetricsFileOrARunFolder(@TempDir Path dir) throws Exception {
    Path run = Files.createDirectories(dir.resolve("run"));
    Files.writeString(
        run.resolve("metrics.csv"),
        "step,images,elapsed_s,lr,train_loss,train_char_acc,val_exact_acc,"
            + "val_char_acc,val_exact_acc:a,val_exact_acc:b\n"
            + "500,32000,60.0,0.001,0.5,0.9,0.8,0.95,0.85,0.6\n1000,64000,120.0,0.0009,0.2,0.95,0.9,0.97,0.93,\n");
    assertEquals(
        0, run("chart", "--metrics", run.toString(), "--out", dir.resolve("charts").toString()));
    assertTrue(Files.size(dir.resolve("charts/metrics.png")) > 0);
    assertTrue(Files.size(dir.resolve("charts/metrics.svg")) > 0);
    assertEquals(0, run("chart", "--metrics", run.resolve("metrics.csv").toString()));
    assertTrue(Files.size(run.resolve("metrics.svg")) > 0);

    Files.writeString(dir.resolve("empty.csv"), "step,images\n");
    assertEquals(2, run("chart", "--metrics", dir.resolve("empty.csv").toString()));
    assertEquals(2, run("chart", "--metrics", dir.resolve("missing.csv").toString()));
  }

  @Test
  void evaluateWritesAReportWithTheFontsOfGeneratedCaptchas(@TempDir Path dir) throws Exception {
    Path report = dir.resolve("report");
    assertEquals(
        0,
        run(
            "evaluate",
            "--model",
            BUNDLED.toString(),
            "--generate",
            "40",
            "--seed",
            "11",
            "--held-out-fonts",
            "--batch-size",
            "20",
            "--threads",
            "1",
            "--quiet",
            "--report",
            report.toString()));
    String html = Files.readString(report.resolve("index.html"));
    assertTrue(
        html.contains("By font") && html.contains("Open Sans") && html.contains("Caladea"), html);
    assertTrue(Files.isRegularFile(report.resolve("reliability.png")));
  }
}
