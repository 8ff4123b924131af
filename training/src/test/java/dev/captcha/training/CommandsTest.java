package dev.captcha.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The export, evaluate and bench commands wired end to end on a three-step run. */
class CommandsTest {

  private static int run(String... args) {
    return TrainingCli.commandLine().execute(args);
  }

  @Test
  void exportThenEvaluateThenBench(@TempDir Path dir) throws Exception {
    Path runDir = dir.resolve("run");
    TinyRun.train(runDir);
    Path model = dir.resolve("out/model.onnx");
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertEquals(
          0,
          run(
              "export",
              "--run-dir",
              runDir.toString(),
              "--out",
              model.toString(),
              "--threads",
              "1",
              "--name",
              "tiny",
              "--model-version",
              "0.1",
              "--check-images",
              "3"));
      assertTrue(Files.isRegularFile(model));
      assertTrue(captured.toString(StandardCharsets.UTF_8).contains("max abs logit difference"));
      assertTrue(
          captured
              .toString(StandardCharsets.UTF_8)
              .contains("exported the best checkpoint checkpoint-best.params (step 3,"),
          captured.toString(StandardCharsets.UTF_8));

      Path json = dir.resolve("eval.json");
      assertEquals(
          0,
          run(
              "evaluate",
              "--model",
              model.toString(),
              "--generate",
              "12",
              "--seed",
              "5",
              "--fonts",
              "DejaVu Sans",
              "--batch-size",
              "5",
              "--threads",
              "1",
              "--json",
              json.toString()));
      String report = Files.readString(json);
      assertTrue(report.contains("\"images\": 12"), report);
      assertTrue(report.contains("\"exact_accuracy\""), report);
      String printed = captured.toString(StandardCharsets.UTF_8);
      assertTrue(
          printed.contains("tiny 0.1")
              && printed.contains("case-folded")
              && printed.contains("per char"),
          printed);

      Path bench = dir.resolve("bench.json");
      assertEquals(
          0,
          run(
              "bench",
              "--model",
              model.toString(),
              "--batch-sizes",
              "1,2",
              "--warmup",
              "1",
              "--repetitions",
              "2",
              "--json",
              bench.toString()));
      assertTrue(Files.readString(bench).contains("\"batch_size\": 2"));

      Path concurrent = dir.resolve("bench2.json");
      assertEquals(
          0,
          run(
              "bench",
              "--model",
              model.toString(),
              "--batch-sizes",
              "3",
              "--warmup",
              "1",
              "--repetitions",
              "4",
              "--instances",
              "2",
              "--json",
              concurrent.toString()));
      String both = Files.readString(concurrent);
      assertTrue(both.contains("\"instances\": 2") && both.contains("\"batch_size\": 3"), both);
      double rate =
          Double.parseDouble(both.replaceAll("(?s).*\"images_per_second\": ([0-9.]+).*", "$1"));
      assertTrue(rate > 0, both);

      // Training can start from the file in a network with wider stages, never narrower ones.
      Path wider = dir.resolve("wider");
      String[] widen = {
        "train",
        "--run-dir",
        wider.toString(),
        "--init-from",
        model.toString(),
        "--steps",
        "2",
        "--batch-size",
        "8",
        "--val-size",
        "8",
        "--val-per-group",
        "0",
        "--eval-every",
        "2",
        "--threads",
        "1",
        "--fonts",
        "DejaVu Sans",
        "--quiet",
        "--widths",
        "32,64,128,320"
      };
      assertEquals(0, run(widen));
      String state = Files.readString(wider.resolve("training.properties"));
      assertTrue(state.contains("widths\\=32,64,128,320"), state);
      widen[1] = dir.resolve("narrower").toString();
      widen[widen.length - 1] = "32,64,128,128";
      assertEquals(2, run(widen));
    } finally {
      System.setOut(stdout);
    }
  }

  @Test
  void badArgumentsGiveAnErrorExitCode(@TempDir Path dir) {
    assertEquals(
        2, run("evaluate", "--model", dir.resolve("missing.onnx").toString(), "--generate", "3"));
    assertEquals(
        2, run("export", "--run-dir", dir.toString(), "--out", dir.resolve("m.onnx").toString()));
    assertEquals(2, run("evaluate", "--model", "x.onnx"));
    assertEquals(2, run("bench", "--model", "x.onnx", "--instances", "0"));
    assertEquals(
        2, run("evaluate", "--model", "x.onnx", "--dir", dir.toString(), "--generate", "3"));
    assertEquals(
        2, run("train", "--run-dir", dir.resolve("none").toString(), "--resume", "--threads", "1"));
    assertEquals(
        2, run("train", "--run-dir", dir.resolve("none").toString(), "--allow-config-change"));
    assertEquals(2, run("train", "--run-dir", dir.resolve("none").toString(), "--widths", "8,0"));
    assertEquals(2, run("train", "--run-dir", dir.resolve("none").toString(), "--head", "max"));
    assertEquals(
        2, run("train", "--run-dir", dir.resolve("none").toString(), "--lookalike-share", "1"));
    assertEquals(
        2, run("train", "--run-dir", dir.resolve("none").toString(), "--lookalike-share", "-0.1"));
    assertEquals(
        2, run("train", "--run-dir", dir.resolve("none").toString(), "--val-per-group", "-1"));
    assertEquals(
        2, run("train", "--run-dir", dir.resolve("none").toString(), "--site-fonts", "33"));
    assertEquals(
        2, run("train", "--run-dir", dir.resolve("none").toString(), "--small-digits", "-0.5"));
    assertEquals(
        2, run("train", "--run-dir", dir.resolve("none").toString(), "--jpeg-min-quality", "5"));
    assertEquals(2, run("export", "--run-dir", dir.toString(), "--checkpoint", "first"));
  }
}
