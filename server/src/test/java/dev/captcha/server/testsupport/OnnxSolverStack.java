package dev.captcha.server.testsupport;

import dev.captcha.model.Prediction;
import dev.captcha.model.Preprocessor;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.batch.NanoClock;
import dev.captcha.server.engine.OnnxModel;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.image.ImageLimits;
import dev.captcha.server.solve.Solver;
import java.util.List;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.ScheduledExecutorService;

/**
 * The serving path of tests over a real ONNX model: one instance, its batcher and the solver in
 * front of it. The caller closes the batcher and owns the executors and the model.
 */
public record OnnxSolverStack(MicroBatcher<float[], Prediction> batcher, Solver solver) {

  /**
   * One instance of {@code model} (sized for {@code settings}' largest batch), batched by {@code
   * settings} on the system clock: delays on {@code timer}, inference on {@code workers}, decoding
   * and preprocessing (default image limits) on {@code preprocess}.
   */
  public static OnnxSolverStack of(
      OnnxModel model,
      BatcherSettings settings,
      ScheduledExecutorService timer,
      ExecutorService workers,
      Executor preprocess) {
    MicroBatcher<float[], Prediction> batcher =
        new MicroBatcher<>(
            settings,
            List.of(model.newInstance(settings.maxBatchSize())),
            NanoClock.SYSTEM,
            DelayScheduler.of(timer),
            workers);
    Solver solver =
        new Solver(
            new ImageDecoder(ImageLimits.DEFAULT),
            new Preprocessor(model.metadata().input()),
            batcher,
            preprocess);
    return new OnnxSolverStack(batcher, solver);
  }
}
