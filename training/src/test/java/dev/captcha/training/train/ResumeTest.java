package dev.captcha.training.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.training.ParameterStore;
import dev.captcha.training.model.CaptchaResNet;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A tiny run copied at a checkpoint and resumed from the copy continues exactly as the original:
 * same outputs before the first new step, same losses after it.
 */
class ResumeTest {
  private static final int CHECKPOINT = 30;
  private static final int STEPS = CHECKPOINT + 10;
  private static final int FIXED_INPUTS = 6;
  private static final PrintStream QUIET = new PrintStream(OutputStream.nullOutputStream());

  static TrainingConfig tiny(Path dir, boolean resume) {
    return new TrainingConfig(
        dir,
        Duration.ofMinutes(30),
        STEPS,
        16,
        5e-3f,
        1e-4f,
        5,
        1,
        16,
        2,
        CHECKPOINT,
        List.of("DejaVu Sans"),
        List.of(8, 16),
        1,
        resume,
        false,
        "resume test");
  }

  private static float[] fixedInputs(CaptchaResNet.Spec spec) {
    SplittableRandom r = new SplittableRandom(11);
    float[] x = new float[FIXED_INPUTS * spec.channels() * spec.height() * spec.width()];
    for (int i = 0; i < x.length; i++) {
      x[i] = (float) r.nextDouble();
    }
    return x;
  }

  /**
   * Records losses; at step {@code copyAt} (just after the checkpoint at that step) copies the run
   * folder.
   */
  private static final class Recorder implements Trainer.Probe {
    final TreeMap<Integer, Float> losses = new TreeMap<>();
    final Path from;
    final Path copyTo;
    final int copyAt;
    float[] outputsAtStart;
    int startStep = -1;

    Recorder(Path from, Path copyTo, int copyAt) {
      this.from = from;
      this.copyTo = copyTo;
      this.copyAt = copyAt;
    }

    @Override
    public void started(ai.djl.training.Trainer trainer, CaptchaResNet net, int step) {
      startStep = step;
      try (NDManager m = trainer.getManager().newSubManager()) {
        outputsAtStart =
            trainer
                .evaluate(
                    new NDList(m.create(fixedInputs(net.spec()), net.inputShape(FIXED_INPUTS))))
                .singletonOrThrow()
                .toFloatArray();
      }
    }

    @Override
    public boolean stepped(int step, float loss, float lr) {
      losses.put(step, loss);
      if (step == copyAt) {
        try (Stream<Path> files = Files.list(from)) {
          Files.createDirectories(copyTo);
          for (Path f : files.toList()) {
            Files.copy(f, copyTo.resolve(f.getFileName()));
          }
        } catch (IOException e) {
          throw new UncheckedIOException(e);
        }
      }
      return true;
    }
  }

  private static float[] checkpointOutputs(Path file, CaptchaResNet.Spec spec) throws IOException {
    CaptchaResNet net = CaptchaResNet.create(spec);
    try (Model model = Model.newInstance("check", Device.cpu(), "PyTorch")) {
      model.setBlock(net.block());
      net.block().initialize(model.getNDManager(), DataType.FLOAT32, net.inputShape(1));
      Checkpoint.load(file, net, model.getNDManager());
      return net.block()
          .forward(
              new ParameterStore(model.getNDManager(), false),
              new NDList(
                  model.getNDManager().create(fixedInputs(spec), net.inputShape(FIXED_INPUTS))),
              false)
          .singletonOrThrow()
          .toFloatArray();
    }
  }

  private static double mean(TreeMap<Integer, Float> losses, int from, int to) {
    return losses.subMap(from, to).values().stream()
        .mapToDouble(Float::doubleValue)
        .average()
        .orElseThrow();
  }

  @Test
  void resumedRunContinuesWeightsOptimiserAndSchedule(@TempDir Path dir) throws Exception {
    Path original = dir.resolve("original");
    Path copy = dir.resolve("copy");
    Recorder whole = new Recorder(original, copy, CHECKPOINT);
    new Trainer(tiny(original, false), QUIET).run(whole);
    assertEquals(STEPS, whole.losses.size());
    Checkpoint.Header saved = Checkpoint.header(copy.resolve(RunFolder.Choice.LAST.file()));
    assertEquals(CHECKPOINT, saved.step());
    CaptchaResNet.Spec spec = Checkpoint.parseNetwork(saved.network());
    double untrained = mean(whole.losses, 0, 5);
    double trained = mean(whole.losses, CHECKPOINT - 5, CHECKPOINT);
    assertTrue(
        trained < untrained - 0.25, "no progress to resume: loss " + untrained + " -> " + trained);

    float[] expected = checkpointOutputs(copy.resolve(RunFolder.Choice.LAST.file()), spec);

    Recorder resumed = new Recorder(copy, dir.resolve("unused"), -1);
    new Trainer(tiny(copy, true), QUIET).run(resumed);

    assertEquals(CHECKPOINT, resumed.startStep);
    // before the first new step, the resumed trainer computes exactly what the checkpoint holds
    assertArrayEquals(expected, resumed.outputsAtStart, 0f);
    // and each step then has the loss of the same step of the uninterrupted run
    assertEquals(whole.losses.tailMap(CHECKPOINT).keySet(), resumed.losses.keySet());
    for (int step : resumed.losses.keySet()) {
      assertEquals(whole.losses.get(step), resumed.losses.get(step), 1e-4, "loss at step " + step);
    }
    assertTrue(
        resumed.losses.firstEntry().getValue() < untrained - 0.25, "resumed at the untrained loss");
  }
}
