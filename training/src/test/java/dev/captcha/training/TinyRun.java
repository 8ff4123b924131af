package dev.captcha.training;

import dev.captcha.training.train.Trainer;
import dev.captcha.training.train.TrainingConfig;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/** Three optimiser steps of the standard network on DejaVu Sans, for commands that read a run. */
final class TinyRun {
  private TinyRun() {}

  /** Trains into {@code runDir}, printing nothing. */
  static void train(Path runDir) throws Exception {
    new Trainer(
            TrainingConfig.builder(runDir)
                .maxTime(Duration.ofMinutes(30))
                .steps(3)
                .batchSize(8)
                .learningRates(1e-3f, 1e-5f, 1)
                .validation(16, 2, 100)
                .fonts(List.of("DejaVu Sans"))
                .threads(1)
                .command("test")
                .build(),
            new PrintStream(OutputStream.nullOutputStream()))
        .run();
  }
}
