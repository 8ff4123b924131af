package dev.captcha.training.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.training.export.ModelMetadata;
import dev.captcha.training.export.RunExporter;
import dev.captcha.training.model.CaptchaResNet;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Properties;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A few optimiser steps on tiny data: files written, resume continues, the folder is guarded, and
 * the run exports.
 */
class TrainerSmokeTest {
  private static final PrintStream QUIET = new PrintStream(java.io.OutputStream.nullOutputStream());

  private static TrainingConfig config(
      Path dir, int steps, int batch, List<Integer> widths, boolean resume, boolean allowChange) {
    return TrainingConfig.builder(dir)
        .maxTime(Duration.ofMinutes(30))
        .steps(steps)
        .batchSize(batch)
        .learningRates(1e-3f, 1e-5f, 1)
        .validation(16, 2, 100)
        .fonts(List.of("DejaVu Sans"))
        .widths(widths)
        .threads(1)
        .resume(resume, allowChange)
        .command("smoke test")
        .build();
  }

  /** {@code base} with another augmentation rate and look-alike share. */
  private static TrainingConfig withTrainingData(
      TrainingConfig base, double augmentRate, double lookalikeShare) {
    return base.toBuilder().augmentRate(augmentRate).lookalikeShare(lookalikeShare).build();
  }

  private static TrainingConfig config(Path dir, int steps, boolean resume) {
    return config(dir, steps, 8, TrainingConfig.STANDARD_WIDTHS, resume, false);
  }

  @Test
  void trainsResumesAndExports(@TempDir Path dir) throws Exception {
    Trainer.Accuracy first = new Trainer(config(dir, 3, false), QUIET).run();
    assertTrue(first.perCharacter() >= 0 && first.perCharacter() <= 1);
    assertTrue(Files.isRegularFile(dir.resolve("checkpoint-last.params")));
    assertTrue(Files.isRegularFile(dir.resolve("checkpoint-best.params")));
    assertTrue(Files.isRegularFile(dir.resolve("metrics.png")));
    Properties p = RunFolder.readState(dir);
    assertEquals("3", p.getProperty("steps"));
    assertEquals("24", p.getProperty("images"));
    assertEquals("3", p.getProperty("last.steps"));
    assertEquals("3", p.getProperty("best.steps"));
    assertEquals("16", p.getProperty("validation_size"));
    assertEquals("smoke test", p.getProperty("command"));
    assertEquals(
        "input=1x64x128 length=4 classes=62 widths=32,64,128,256", p.getProperty("network"));
    assertEquals(3, Checkpoint.header(dir.resolve("checkpoint-last.params")).step());
    List<String> rows = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals(MetricsLog.HEADER, rows.get(0));
    assertEquals(2, rows.size());
    assertTrue(rows.get(1).startsWith("3,24,"), rows.get(1));

    new Trainer(config(dir, 5, true), QUIET).run();
    p = RunFolder.readState(dir);
    assertEquals("5", p.getProperty("steps"));
    assertEquals(5, Checkpoint.header(dir.resolve("checkpoint-last.params")).step());
    Checkpoint.Header best = Checkpoint.header(dir.resolve("checkpoint-best.params"));
    assertEquals(Integer.toString(best.step()), p.getProperty("best.steps"));
    assertEquals(
        String.format(java.util.Locale.ROOT, "%.5f", best.validationExact()),
        p.getProperty("best.validation_exact_accuracy"));
    rows = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals(3, rows.size());
    assertTrue(rows.get(2).startsWith("5,40,"), rows.get(2));

    RunExporter.Report report =
        RunExporter.export(
            dir, RunFolder.Choice.LAST, dir.resolve("model.onnx"), "smoke", "0.0.1", 4, 4, 1);
    assertTrue(report.matches(), "max abs difference " + report.parity().maxAbsDifference());
    assertEquals(0, report.parity().argmaxDisagreements());
    assertTrue(
        report.checkpoint().contains("last") && report.checkpoint().contains("step 5"),
        report.checkpoint());
    assertEquals("5", report.metadata().get("captcha.training.steps"));
    assertEquals("40", report.metadata().get("captcha.training.images"));
    for (String key : ModelMetadata.PROVENANCE_KEYS) {
      assertTrue(report.metadata().containsKey(key), key);
    }
    assertEquals("smoke", dev.captcha.model.ModelMetadata.parse(report.metadata()).name());

    RunExporter.Report fromBest =
        RunExporter.export(
            dir, RunFolder.Choice.BEST, dir.resolve("best.onnx"), "smoke", "0.0.1", 4, 4, 1);
    assertTrue(
        fromBest.checkpoint().contains("best")
            && fromBest.checkpoint().contains("step " + best.step()),
        fromBest.checkpoint());
    assertEquals(Integer.toString(best.step()), fromBest.metadata().get("captcha.training.steps"));
  }

  @Test
  void validatesPerFontGroupWhenTheFontsSpanSeveral(@TempDir Path dir) throws Exception {
    TrainingConfig c =
        TrainingConfig.builder(dir)
            .maxTime(Duration.ofMinutes(30))
            .steps(2)
            .batchSize(4)
            .learningRates(1e-3f, 1e-5f, 1)
            .validation(8, 2, 100)
            .fonts(List.of("DejaVu Sans", "DejaVu Serif", "DejaVu Sans Mono"))
            .widths(List.of(4, 8))
            .threads(1)
            .command("group test")
            .groupValidationSize(3)
            .head(CaptchaResNet.Head.ROWS)
            .lookalikeShare(0.3)
            .inputColor(dev.captcha.model.ColorMode.TEXT_ALPHA)
            .build();
    java.io.ByteArrayOutputStream console = new java.io.ByteArrayOutputStream();
    Trainer.Accuracy acc =
        new Trainer(
                c,
                new PrintStream(console, true, java.nio.charset.StandardCharsets.UTF_8),
                dev.captcha.report.Progress.Mode.LINES)
            .run();
    assertEquals(List.of("mono", "sans", "serif"), List.copyOf(acc.groupExact().keySet()));
    acc.groupExact().values().forEach(v -> assertTrue(v >= 0 && v <= 1, "accuracy " + v));
    List<String> rows = Files.readAllLines(dir.resolve("metrics.csv"));
    assertEquals(
        MetricsLog.HEADER + ",val_exact_acc:mono,val_exact_acc:sans,val_exact_acc:serif",
        rows.get(0));
    assertEquals(2, rows.size());
    assertEquals(11, rows.get(1).split(",", -1).length, rows.get(1));
    MetricsLog.Row row = MetricsLog.read(dir.resolve("metrics.csv")).get(0);
    assertEquals(acc.groupExact().get("serif"), row.groupExact().get("serif"), 1e-5);
    assertTrue(Files.size(dir.resolve("metrics.png")) > 0);
    assertTrue(
        console
            .toString(java.nio.charset.StandardCharsets.UTF_8)
            .contains("val exact per font group: mono "),
        console.toString(java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("3", RunFolder.readState(dir).getProperty("validation_group_size"));
    assertEquals("rows", RunFolder.readState(dir).getProperty("head"));
    assertEquals("0.3", RunFolder.readState(dir).getProperty("lookalike_share"));
    // Trained on text-alpha: recorded, and the export declares it.
    assertEquals("text-alpha", RunFolder.readState(dir).getProperty("input_color"));
    assertEquals(
        "text-alpha",
        dev.captcha.training.export.ModelMetadata.forRun(
                Checkpoint.parseNetwork(
                    Checkpoint.header(RunFolder.checkpoint(dir, RunFolder.Choice.LAST)).network()),
                "g",
                "0.0.1",
                dir,
                java.time.Instant.now())
            .get("captcha.input.color"));

    assertEquals(
        CaptchaResNet.Head.ROWS,
        Checkpoint.parseNetwork(
                Checkpoint.header(RunFolder.checkpoint(dir, RunFolder.Choice.LAST)).network())
            .head());
  }

  @Test
  void exportsALookalikeRunAtTheLibrarysOdds(@TempDir Path dir) throws Exception {
    // The standard widths: PyTorch on this CPU can turn a network of a few channels to NaN.
    TrainingConfig base = config(dir, 2, 4, TrainingConfig.STANDARD_WIDTHS, false, false);
    TrainingConfig c = withTrainingData(base, 0, 0.3);
    new Trainer(c, QUIET).run();
    assertEquals("0.3", RunFolder.readState(dir).getProperty("lookalike_share"));

    // Trained with more look-alikes: the export moves the head's bias back to the library's odds.
    RunExporter.Report corrected =
        RunExporter.export(
            dir, RunFolder.Choice.LAST, dir.resolve("corrected.onnx"), "g", "0.0.1", 4, 4, 1);
    assertTrue(corrected.matches(), "max abs " + corrected.parity().maxAbsDifference());
    assertEquals("0.3", corrected.metadata().get(RunExporter.LOOKALIKE_SHARE_KEY));
    Properties state = RunFolder.readState(dir);
    state.setProperty("lookalike_share", "0.0");
    try (java.io.Writer w = Files.newBufferedWriter(dir.resolve("training.properties"))) {
      state.store(w, null);
    }
    RunExporter.Report plain =
        RunExporter.export(
            dir, RunFolder.Choice.LAST, dir.resolve("plain.onnx"), "g", "0.0.1", 4, 4, 1);
    assertFalse(plain.metadata().containsKey(RunExporter.LOOKALIKE_SHARE_KEY));
    float[] a = headBias(dir.resolve("corrected.onnx"));
    float[] b = headBias(dir.resolve("plain.onnx"));
    String classes = dev.captcha.generator.Charset.MODEL_CLASSES;
    assertEquals(4 * classes.length(), a.length);
    for (int i = 0; i < a.length; i++) {
      char ch = classes.charAt(i % classes.length());
      double trained =
          dev.captcha.generator.CaptchaGenerator.characterProbability(
              dev.captcha.generator.Charset.ALL, TrainingConfig.LOOKALIKES, 0.3, ch);
      double library = dev.captcha.generator.Charset.ALL.probability(ch);
      assertEquals(Math.log(library / trained), a[i] - b[i], 1e-5, "bias of " + ch);
    }
  }

  @Test
  void guardsTheRunFolder(@TempDir Path dir) throws Exception {
    List<Integer> tiny = List.of(4, 8);
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Trainer(config(dir, 2, 8, tiny, true, false), QUIET).run());
    assertTrue(e.getMessage().contains("nothing to resume"), e.getMessage());

    new Trainer(config(dir, 2, 8, tiny, false, false), QUIET).run();
    byte[] checkpoint = Files.readAllBytes(dir.resolve("checkpoint-last.params"));

    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Trainer(config(dir, 2, 8, tiny, false, false), QUIET).run());
    assertTrue(
        e.getMessage().contains("already holds a run") && e.getMessage().contains("--resume"),
        e.getMessage());

    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Trainer(config(dir, 4, 4, tiny, true, false), QUIET).run());
    assertTrue(
        e.getMessage().contains("batch_size: run folder '8', requested '4'"), e.getMessage());
    assertTrue(e.getMessage().contains("--allow-config-change"), e.getMessage());
    assertFalse(e.getMessage().contains("network"), e.getMessage());

    e =
        assertThrows(
            IllegalArgumentException.class,
            () -> new Trainer(config(dir, 4, 8, List.of(4, 16), true, true), QUIET).run());
    assertTrue(
        e.getMessage()
            .contains(
                "network: run folder 'input=1x64x128 length=4 classes=62 widths=4,8', requested"
                    + " 'input=1x64x128 length=4 classes=62 widths=4,16'"),
        e.getMessage());

    // the training data's settings are the run's too (a folder that does not record one, from an
    // older version, accepts any)
    TrainingConfig base = config(dir, 2, 8, tiny, true, false);
    TrainingConfig moreLookalikes = withTrainingData(base, 0.4, 0.3);
    e =
        assertThrows(
            IllegalArgumentException.class, () -> new Trainer(moreLookalikes, QUIET).run());
    assertTrue(
        e.getMessage().contains("augment_rate: run folder '0.0', requested '0.4'")
            && e.getMessage().contains("lookalike_share: run folder '0.0', requested '0.3'"),
        e.getMessage());

    // nothing was written by the refused attempts
    assertTrue(
        java.util.Arrays.equals(
            checkpoint, Files.readAllBytes(dir.resolve("checkpoint-last.params"))));

    // an allowed change: the run is complete at its planned steps, so nothing more is trained
    new Trainer(config(dir, 2, 4, tiny, true, true), QUIET).run();
    assertEquals("2", RunFolder.readState(dir).getProperty("steps"));
  }

  @Test
  void aWorseCheckpointNeverReplacesTheBest() {
    Checkpoint.Header best = new Checkpoint.Header(500, 60, 0.90, 0.97, "n");
    assertTrue(Trainer.improves(best, null));
    assertFalse(Trainer.improves(new Checkpoint.Header(1000, 120, 0.0, 0.016, "n"), best));
    assertFalse(Trainer.improves(new Checkpoint.Header(1000, 120, 0.90, 0.97, "n"), best));
    assertFalse(Trainer.improves(new Checkpoint.Header(1000, 120, 0.89, 0.99, "n"), best));
    assertTrue(Trainer.improves(new Checkpoint.Header(1000, 120, 0.90, 0.98, "n"), best));
    assertTrue(Trainer.improves(new Checkpoint.Header(1000, 120, 0.91, 0.90, "n"), best));
  }

  private static float[] headBias(Path onnx) throws java.io.IOException {
    ai.onnx.proto.OnnxMl.ModelProto m =
        ai.onnx.proto.OnnxMl.ModelProto.parseFrom(Files.readAllBytes(onnx));
    for (ai.onnx.proto.OnnxMl.TensorProto t : m.getGraph().getInitializerList()) {
      if (t.getName().equals("head_bias")) {
        java.nio.FloatBuffer f =
            t.getRawData()
                .asReadOnlyByteBuffer()
                .order(java.nio.ByteOrder.LITTLE_ENDIAN)
                .asFloatBuffer();
        float[] out = new float[f.remaining()];
        f.get(out);
        return out;
      }
    }
    throw new AssertionError("no head_bias in " + onnx);
  }
}
