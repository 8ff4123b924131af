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

  /** Training seeds to try; the validation seed is 2. */
  private static final long[] SEEDS = {1, 3, 4};

  static TrainingConfig tiny(Path dir, boolean resume, long seed) {
    return TrainingConfig.builder(dir)
        .maxTime(Duration.ofMinutes(30))
        .steps(STEPS)
        .batchSize(16)
        .learningRates(5e-3f, 1e-4f, 5)
        .seed(seed)
        .validation(16, 2, CHECKPOINT)
        .fonts(List.of("DejaVu Sans"))
        .widths(List.of(8, 16))
        .threads(1)
        .resume(resume, false)
        .command("resume test")
        .build();
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

  /**
   * Tiny runs on this engine occasionally diverge to a NaN loss, with DJL's own Adam too (not a
   * resume fault; the cause is not known). Such a reference run cannot show anything about
   * resuming, so it is set aside and the next seed tried; every check below applies to the first
   * run that stays finite.
   */
  @Test
  void resumedRunContinuesWeightsOptimiserAndSchedule(@TempDir Path dir) throws Exception {
    List<Long> diverged = new java.util.ArrayList<>();
    for (long seed : SEEDS) {
      Path runs = dir.resolve("seed" + seed);
      Recorder whole = new Recorder(runs.resolve("original"), runs.resolve("copy"), CHECKPOINT);
      new Trainer(tiny(runs.resolve("original"), false, seed), QUIET).run(whole);
      if (whole.losses.values().stream().anyMatch(l -> !Float.isFinite(l))) {
        diverged.add(seed);
        continue;
      }
      checkResume(runs, whole, seed);
      return;
    }
    throw new AssertionError("every reference run diverged to a NaN loss (seeds " + diverged + ")");
  }

  private static void checkResume(Path dir, Recorder whole, long seed) throws Exception {
    Path copy = dir.resolve("copy");
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
    new Trainer(tiny(copy, true, seed), QUIET).run(resumed);

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
