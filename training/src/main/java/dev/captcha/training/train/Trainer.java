package dev.captcha.training.train;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.djl.training.optimizer.Optimizer;
import dev.captcha.generator.Charset;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.report.Progress;
import dev.captcha.training.data.BatchSource;
import dev.captcha.training.model.CaptchaResNet;
import java.io.IOException;
import java.io.PrintStream;
import java.io.Reader;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link CaptchaResNet} on freshly generated captchas with Adam and a warm-up plus cosine
 * schedule, validating on a fixed seeded set, checkpointing to the run folder, and resuming from
 * it; one instance per run, used from one thread.
 */
public final class Trainer {
  private static final Logger log = LoggerFactory.getLogger(Trainer.class);

  /** Name of the checkpoint files inside the run folder. */
  public static final String CHECKPOINT_NAME = "captcha-resnet";

  /** Validation outcome. */
  public record Accuracy(double exact, double perCharacter) {}

  private final TrainingConfig config;
  private final PrintStream progressOut;
  private final Progress.Mode progressMode;

  public Trainer(TrainingConfig config, PrintStream progressOut) {
    this(config, progressOut, Progress.Mode.detect(false));
  }

  /** A trainer that shows its progress on {@code progressOut} in {@code progressMode}. */
  public Trainer(TrainingConfig config, PrintStream progressOut, Progress.Mode progressMode) {
    this.config = config;
    this.progressOut = progressOut;
    this.progressMode = progressMode;
  }

  /** Sets PyTorch's thread pools; must run before the engine loads. */
  public static void configureEngine(int threads) {
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    System.setProperty("ai.djl.offline", "true");
  }

  /** Runs training to the step count or time budget and returns the final validation accuracy. */
  public Accuracy run() throws IOException, InterruptedException, ai.djl.MalformedModelException {
    configureEngine(config.threads());
    Files.createDirectories(config.runDir());
    FontCatalog catalog = FontCatalog.scanDefault();
    CaptchaGenerator generator = CaptchaGenerator.builder().fonts(catalog.resolve(config.fonts())).build();
    CaptchaResNet net = CaptchaResNet.create(CaptchaResNet.Spec.standard(generator.length(), Charset.MODEL_CLASSES.length()));
    CaptchaResNet.Spec spec = net.spec();
    int pixels = spec.height() * spec.width();

    Properties state = new Properties();
    Path stateFile = config.runDir().resolve("training.properties");
    int startStep = 0;
    double priorSeconds = 0;
    if (config.resume() && Files.exists(stateFile)) {
      try (Reader r = Files.newBufferedReader(stateFile, StandardCharsets.UTF_8)) {
        state.load(r);
      }
      startStep = Integer.parseInt(state.getProperty("steps", "0"));
      priorSeconds = Double.parseDouble(state.getProperty("wall_seconds", "0"));
    }

    BatchSource.Batch validation = BatchSource.make(generator, config.validationSize(), pixels, config.validationSeed(), 0);
    ProgressSchedule schedule = new ProgressSchedule(config.peakLr(), config.floorLr(), config.warmupSteps());
    MetricsLog metrics = new MetricsLog(config.runDir().resolve("metrics.csv"), config.runDir().resolve("metrics.png"));

    try (Model model = Model.newInstance(CHECKPOINT_NAME, Device.cpu(), "PyTorch")) {
      model.setBlock(net.block());
      DefaultTrainingConfig tc =
          new DefaultTrainingConfig(new PositionLoss(spec.classes()))
              .optOptimizer(Optimizer.adam().optLearningRateTracker(schedule).build())
              .optDevices(new Device[] {Device.cpu()});
      try (ai.djl.training.Trainer trainer = model.newTrainer(tc)) {
        trainer.initialize(net.inputShape(config.batchSize()));
        if (startStep > 0) {
          model.load(config.runDir(), CHECKPOINT_NAME);
          log.info("Resumed from step {} ({} s of earlier training)", startStep, (long) priorSeconds);
        }
        log.info("Training {} parameters on {} font faces; batch {}, budget {} min, planned steps {}",
            countParameters(model), config.fonts().size(), config.batchSize(), config.maxTime().toMinutes(), config.steps());

        long t0 = System.nanoTime();
        double budget = config.maxTime().toNanos() / 1e9;
        int step = startStep;
        double lossSum = 0;
        long charHits = 0;
        long charTotal = 0;
        int intervalSteps = 0;
        Accuracy last = new Accuracy(0, 0);
        try (BatchSource source = new BatchSource(generator, config.batchSize(), spec.width(), spec.height(), config.seed(), startStep);
            Progress bar = Progress.of("training", "images", 0, progressMode, progressOut)) {
          while (true) {
            double elapsed = priorSeconds + (System.nanoTime() - t0) / 1e9;
            double progress = Math.max(config.steps() > 0 ? (double) step / config.steps() : 0, elapsed / budget);
            boolean done = progress >= 1.0;
            if (done || (step > startStep && step % config.evalEvery() == 0)) {
              last = evaluate(trainer, net, validation, pixels);
              metrics.append(new MetricsLog.Row(step, (long) step * config.batchSize(), elapsed, schedule.current(),
                  intervalSteps == 0 ? Double.NaN : lossSum / intervalSteps,
                  charTotal == 0 ? Double.NaN : (double) charHits / charTotal, last.exact(), last.perCharacter()));
              model.setProperty("Epoch", "0");
              model.save(config.runDir(), CHECKPOINT_NAME);
              writeState(stateFile, step, elapsed, last);
              bar.message(String.format(Locale.ROOT, "[eval] step %d  val exact %.4f  val char %.5f", step, last.exact(), last.perCharacter()));
              lossSum = 0;
              charHits = 0;
              charTotal = 0;
              intervalSteps = 0;
            }
            if (done) {
              break;
            }
            schedule.update(step, progress);
            BatchSource.Batch batch = source.next();
            try (NDManager m = trainer.getManager().newSubManager()) {
              NDArray x = m.create(batch.inputs(), net.inputShape(batch.size()));
              NDArray y = m.create(batch.labels(), new Shape(batch.size(), spec.length()));
              try (GradientCollector gc = trainer.newGradientCollector()) {
                NDList out = trainer.forward(new NDList(x));
                NDArray loss = trainer.getLoss().evaluate(new NDList(y), out);
                gc.backward(loss);
                lossSum += loss.getFloat();
                NDArray predicted = out.singletonOrThrow().argMax(2).toType(DataType.INT32, false);
                charHits += predicted.eq(y).countNonzero().getLong();
                charTotal += (long) batch.size() * spec.length();
              }
              trainer.step();
            }
            step++;
            intervalSteps++;
            if (step % 10 == 0) {
              bar.update((long) (step - startStep) * config.batchSize(), progress,
                  String.format(Locale.ROOT, "step %d, loss %.4f, char acc %.4f, lr %.2e", step, lossSum / intervalSteps,
                      charTotal == 0 ? 0 : (double) charHits / charTotal, schedule.current()));
            }
          }
        }
        return last;
      }
    }
  }

  private static long countParameters(Model model) {
    return model.getBlock().getParameters().values().stream()
        .filter(p -> p.requiresGradient())
        .mapToLong(p -> p.getArray().getShape().size())
        .sum();
  }

  /** Exact and per-character accuracy of the current weights on the validation set. */
  static Accuracy evaluate(ai.djl.training.Trainer trainer, CaptchaResNet net, BatchSource.Batch val, int pixels) {
    int length = net.spec().length();
    int chunk = 250;
    long exact = 0;
    long chars = 0;
    for (int start = 0; start < val.size(); start += chunk) {
      int n = Math.min(chunk, val.size() - start);
      try (NDManager m = trainer.getManager().newSubManager()) {
        float[] xs = new float[n * pixels];
        System.arraycopy(val.inputs(), start * pixels, xs, 0, n * pixels);
        int[] ys = new int[n * length];
        System.arraycopy(val.labels(), start * length, ys, 0, n * length);
        NDArray out = trainer.evaluate(new NDList(m.create(xs, net.inputShape(n)))).singletonOrThrow();
        NDArray hits = out.argMax(2).toType(DataType.INT32, false).eq(m.create(ys, new Shape(n, length)));
        chars += hits.countNonzero().getLong();
        exact += hits.toType(DataType.INT32, false).sum(new int[] {1}).eq(length).countNonzero().getLong();
      }
    }
    return new Accuracy((double) exact / val.size(), (double) chars / ((long) val.size() * length));
  }

  private void writeState(Path file, int step, double elapsed, Accuracy acc) throws IOException {
    Properties p = new Properties();
    p.setProperty("steps", Integer.toString(step));
    p.setProperty("images", Long.toString((long) step * config.batchSize()));
    p.setProperty("wall_seconds", String.format(Locale.ROOT, "%.1f", elapsed));
    p.setProperty("seed", Long.toString(config.seed()));
    p.setProperty("batch_size", Integer.toString(config.batchSize()));
    p.setProperty("fonts", String.join(";", config.fonts()));
    p.setProperty("command", config.command());
    p.setProperty("validation_seed", Long.toString(config.validationSeed()));
    p.setProperty("validation_size", Integer.toString(config.validationSize()));
    p.setProperty("validation_exact_accuracy", String.format(Locale.ROOT, "%.5f", acc.exact()));
    p.setProperty("validation_char_accuracy", String.format(Locale.ROOT, "%.5f", acc.perCharacter()));
    try (Writer w = Files.newBufferedWriter(file, StandardCharsets.UTF_8)) {
      p.store(w, "state of a captcha-resnet training run");
    }
  }
}
