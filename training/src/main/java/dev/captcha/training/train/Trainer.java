package dev.captcha.training.train;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.training.DefaultTrainingConfig;
import ai.djl.training.GradientCollector;
import ai.onnx.proto.OnnxMl.ModelProto;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.Charset;
import dev.captcha.generator.FontCatalog;
import dev.captcha.report.Progress;
import dev.captcha.training.data.Augmenter;
import dev.captcha.training.data.BatchSource;
import dev.captcha.training.data.Batches;
import dev.captcha.training.export.OnnxImporter;
import dev.captcha.training.model.CaptchaResNet;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.Properties;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Trains a {@link CaptchaResNet} on freshly generated captchas with Adam and a warm-up plus cosine
 * schedule, validating on a fixed seeded set, checkpointing to the run folder, and resuming from
 * it; one instance per run, used from one thread.
 */
public final class Trainer {
  private static final Logger log = LoggerFactory.getLogger(Trainer.class);

  /**
   * Model name of the checkpoint files older versions wrote ({@code captcha-resnet-NNNN.params}).
   */
  public static final String CHECKPOINT_NAME = "captcha-resnet";

  /**
   * Validation outcome.
   *
   * @param groupExact exact accuracy per font group on the per-group validation set, in group name
   *     order (empty when there is none)
   */
  public record Accuracy(double exact, double perCharacter, Map<String, Double> groupExact) {
    public Accuracy {
      groupExact = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(groupExact));
    }

    /** An outcome without per-group figures. */
    public Accuracy(double exact, double perCharacter) {
      this(exact, perCharacter, Map.of());
    }
  }

  /**
   * Where a run's training batches and validation sets come from; the default draws captchas of the
   * configured fonts, fine-tuning mixes in other fonts and labelled images.
   */
  public interface Data {
    /**
     * The validation sets, each with a name, in order. With one set its figures are the run's; with
     * several, each gets a column of metrics.csv ({@code val_exact_acc:<name>}) and the run's
     * figures are their mean, so each set weighs the same. The first set also measures the
     * statistics when a run starts from a model file.
     */
    Map<String, BatchSource.Batch> validation(CaptchaResNet.Spec spec);

    /** Characters per captcha. */
    int length();

    /** Training batches of {@code batchSize} images from batch number {@code firstBatch} on. */
    Batches batches(CaptchaResNet.Spec spec, int batchSize, long firstBatch);

    /**
     * A second validation set that measures exact accuracy per font group (style), or null when
     * there is none; its figures are informational, the run's figure is the validation sets'.
     */
    default GroupValidation groupValidation(int pixels) {
      return null;
    }
  }

  private final TrainingConfig config;
  private final PrintStream progressOut;
  private final Progress.Mode progressMode;
  private final Data data;

  public Trainer(TrainingConfig config, PrintStream progressOut) {
    this(config, progressOut, Progress.Mode.detect(false));
  }

  /** A trainer that shows its progress on {@code progressOut} in {@code progressMode}. */
  public Trainer(TrainingConfig config, PrintStream progressOut, Progress.Mode progressMode) {
    this(config, progressOut, progressMode, null);
  }

  /**
   * A trainer whose batches and validation sets come from {@code data} (null: captchas of the
   * configured fonts).
   */
  public Trainer(
      TrainingConfig config, PrintStream progressOut, Progress.Mode progressMode, Data data) {
    this.config = config;
    this.progressOut = progressOut;
    this.progressMode = progressMode;
    this.data = data;
  }

  /** Sets PyTorch's thread pools; must run before the engine loads. */
  public static void configureEngine(int threads) {
    System.setProperty("ai.djl.pytorch.num_interop_threads", "1");
    System.setProperty("ai.djl.pytorch.num_threads", Integer.toString(threads));
    System.setProperty("ai.djl.offline", "true");
  }

  /** Runs training to the step count or time budget and returns the final validation accuracy. */
  public Accuracy run() throws IOException, InterruptedException, MalformedModelException {
    return run(Probe.NONE);
  }

  /** Looks into a run from inside the loop (tests). */
  interface Probe {
    Probe NONE = new Probe() {};

    /** Called once the network is loaded, before the first step of this invocation. */
    default void started(ai.djl.training.Trainer trainer, CaptchaResNet net, int step) {}

    /**
     * Called after each optimiser step with its index, loss and learning rate; {@code false} stops
     * the run at once without writing anything, as if the process were killed.
     */
    default boolean stepped(int step, float loss, float lr) {
      return true;
    }
  }

  Accuracy run(Probe probe) throws IOException, InterruptedException, MalformedModelException {
    configureEngine(config.threads());
    Path runDir = config.runDir();
    Files.createDirectories(runDir);
    Data source = data != null ? data : generatedData();
    int length = source.length();
    ModelProto initial = config.initFrom() == null ? null : OnnxImporter.read(config.initFrom());
    int[] widths = config.widths().stream().mapToInt(Integer::intValue).toArray();
    CaptchaResNet.Spec wanted;
    if (initial == null) {
      wanted =
          new CaptchaResNet.Spec(
              1, 64, 128, length, Charset.MODEL_CLASSES.length(), widths, config.head());
    } else {
      CaptchaResNet.Spec file = OnnxImporter.spec(initial);
      wanted =
          new CaptchaResNet.Spec(
              file.channels(),
              file.height(),
              file.width(),
              file.length(),
              file.classes(),
              widths,
              config.head());
      if (!OnnxImporter.canStartFrom(file, wanted)) {
        throw new IllegalArgumentException(
            "--widths "
                + config.widths()
                + " --head "
                + config.head().label()
                + " cannot start from "
                + config.initFrom()
                + ", whose stages are "
                + Arrays.toString(file.widths())
                + " with head "
                + file.head().label()
                + ": give its widths, or as many stages each at least as wide, and its head"
                + " (or rows from mean)");
      }
    }
    CaptchaResNet net = CaptchaResNet.create(wanted);
    CaptchaResNet.Spec spec = net.spec();
    int pixels = spec.height() * spec.width();

    Path lastFile = RunFolder.checkpoint(runDir, RunFolder.Choice.LAST);
    Path bestFile = RunFolder.checkpoint(runDir, RunFolder.Choice.BEST);
    Optional<Path> legacy = RunFolder.legacyCheckpoint(runDir);
    Properties recorded = RunFolder.readState(runDir);
    Map<String, String> settings = RunFolder.configOf(config, spec, Charset.MODEL_CLASSES);
    checkRunFolder(recorded, settings, Files.exists(lastFile) || legacy.isPresent());

    Map<String, BatchSource.Batch> validationSets = source.validation(spec);
    if (validationSets.isEmpty()) {
      throw new IllegalArgumentException("no validation set");
    }
    BatchSource.Batch validation = validationSets.values().iterator().next();
    GroupValidation groupValidation = source.groupValidation(pixels);
    if (groupValidation != null) {
      log.info(
          "Validating on {} captchas per font group too ({} groups: {})",
          groupValidation.perGroup(),
          groupValidation.groups().size(),
          String.join(", ", groupValidation.groups()));
    }
    ProgressSchedule schedule =
        new ProgressSchedule(config.peakLr(), config.floorLr(), config.warmupSteps());

    try (Model model = Model.newInstance(CHECKPOINT_NAME, Device.cpu(), "PyTorch")) {
      model.setBlock(net.block());
      // the same seed gives the same initial weights (and, on one thread, the same run)
      Engine.getInstance().setRandomSeed((int) config.seed());
      net.block()
          .initialize(model.getNDManager(), DataType.FLOAT32, net.inputShape(config.batchSize()));
      ResumableAdam adam =
          new ResumableAdam(schedule, net.block().getParameters(), model.getNDManager());
      int startStep = 0;
      double priorSeconds = 0;
      Checkpoint.Header best = null;
      if (initial != null) {
        OnnxImporter.load(
            initial,
            net,
            validation.inputs(),
            Math.min(validation.size(), OnnxImporter.DEFAULT_STATISTICS_IMAGES));
        log.info("Started from the weights of {}", config.initFrom());
      }
      if (config.resume()) {
        // Load before the DJL trainer exists: its parameter store holds on to the arrays it finds
        // when it is created, and loading replaces them (see Checkpoint).
        if (Files.exists(lastFile)) {
          Checkpoint.Header h = Checkpoint.load(lastFile, net, model.getNDManager(), adam);
          startStep = h.step();
          priorSeconds = h.wallSeconds();
          best = Files.exists(bestFile) ? Checkpoint.header(bestFile) : null;
          log.info(
              "Resumed from step {} ({} s of earlier training, validation exact {}); best so far {}",
              startStep,
              (long) priorSeconds,
              h.validationExact(),
              best == null ? "none" : best.validationExact() + " at step " + best.step());
        } else {
          model.load(runDir, CHECKPOINT_NAME);
          startStep = Integer.parseInt(recorded.getProperty("steps", "0"));
          priorSeconds = Double.parseDouble(recorded.getProperty("wall_seconds", "0"));
          best =
              new Checkpoint.Header(
                  startStep,
                  priorSeconds,
                  Double.parseDouble(recorded.getProperty("validation_exact_accuracy", "0")),
                  Double.parseDouble(recorded.getProperty("validation_char_accuracy", "0")),
                  Checkpoint.describe(spec));
          log.warn(
              "Resumed from step {} of {} (written by an older version): it has no optimiser state, so Adam's"
                  + " moments start from zero",
              startStep,
              legacy.get().getFileName());
        }
      }
      DefaultTrainingConfig tc =
          new DefaultTrainingConfig(new PositionLoss(spec.classes()))
              .optOptimizer(adam)
              .optDevices(new Device[] {Device.cpu()});
      try (ai.djl.training.Trainer trainer = model.newTrainer(tc)) {
        // The parameters are initialised or loaded already; this only registers them with the
        // trainer.
        trainer.initialize(net.inputShape(config.batchSize()));
        log.info(
            "Training {} parameters on {} font faces; batch {}, budget {} min, planned steps {}",
            countParameters(model),
            config.fonts().size(),
            config.batchSize(),
            config.maxTime().toMinutes(),
            config.steps());
        probe.started(trainer, net, startStep);

        long t0 = System.nanoTime();
        double budget = config.maxTime().toNanos() / 1e9;
        int step = startStep;
        double lossSum = 0;
        long charHits = 0;
        long charTotal = 0;
        int intervalSteps = 0;
        Accuracy last = new Accuracy(0, 0);
        MetricsLog metrics = null;
        try (Batches batches = source.batches(spec, config.batchSize(), startStep);
            Progress bar = Progress.of("training", "images", 0, progressMode, progressOut)) {
          while (true) {
            double elapsed = priorSeconds + (System.nanoTime() - t0) / 1e9;
            double progress =
                Math.max(config.steps() > 0 ? (double) step / config.steps() : 0, elapsed / budget);
            boolean done = progress >= 1.0;
            if (done && step == startStep && startStep > 0) {
              progressOut.printf(
                  Locale.ROOT,
                  "the run is complete at step %d; raise --steps or --max-minutes to continue it%n",
                  step);
              return new Accuracy(
                  Double.parseDouble(recorded.getProperty("validation_exact_accuracy", "0")),
                  Double.parseDouble(recorded.getProperty("validation_char_accuracy", "0")));
            }
            if (done || (step > startStep && step % config.evalEvery() == 0)) {
              last = evaluate(trainer, net, validationSets, groupValidation, pixels);
              if (metrics == null) {
                metrics =
                    new MetricsLog(runDir.resolve("metrics.csv"), runDir.resolve("metrics.png"));
              }
              metrics.append(
                  new MetricsLog.Row(
                      step,
                      (long) step * config.batchSize(),
                      elapsed,
                      schedule.current(),
                      intervalSteps == 0 ? Double.NaN : lossSum / intervalSteps,
                      charTotal == 0 ? Double.NaN : (double) charHits / charTotal,
                      last.exact(),
                      last.perCharacter(),
                      last.groupExact()));
              Checkpoint.Header h =
                  new Checkpoint.Header(
                      step, elapsed, last.exact(), last.perCharacter(), Checkpoint.describe(spec));
              Checkpoint.write(lastFile, h, net.block(), adam);
              if (improves(h, best)) {
                Checkpoint.write(bestFile, h, net.block(), null);
                best = h;
              } else {
                log.info(
                    "Validation exact {} at step {} is below the best ({} at step {}); the best checkpoint is kept",
                    h.validationExact(),
                    step,
                    best.validationExact(),
                    best.step());
              }
              writeState(recorded, settings, h, best);
              bar.message(
                  String.format(
                      Locale.ROOT,
                      "[eval] step %d  val exact %.4f  val char %.5f  (best %.4f at step %d)",
                      step,
                      last.exact(),
                      last.perCharacter(),
                      best.validationExact(),
                      best.step()));
              if (!last.groupExact().isEmpty()) {
                bar.message(
                    String.format(Locale.ROOT, "[eval] step %d  val exact per font group: ", step)
                        + groupLine(last.groupExact()));
              }
              lossSum = 0;
              charHits = 0;
              charTotal = 0;
              intervalSteps = 0;
            }
            if (done) {
              break;
            }
            schedule.update(step, progress);
            BatchSource.Batch batch = batches.next();
            float stepLoss;
            try (NDManager m = trainer.getManager().newSubManager()) {
              NDArray x = m.create(batch.inputs(), net.inputShape(batch.size()));
              NDArray y = m.create(batch.labels(), new Shape(batch.size(), spec.length()));
              try (GradientCollector gc = trainer.newGradientCollector()) {
                NDList out = trainer.forward(new NDList(x));
                NDArray loss = trainer.getLoss().evaluate(new NDList(y), out);
                gc.backward(loss);
                stepLoss = loss.getFloat();
                NDArray predicted = out.singletonOrThrow().argMax(2).toType(DataType.INT32, false);
                charHits += predicted.eq(y).countNonzero().getLong();
                charTotal += (long) batch.size() * spec.length();
              }
              trainer.step();
            }
            lossSum += stepLoss;
            if (!probe.stepped(step, stepLoss, schedule.current())) {
              return last;
            }
            step++;
            intervalSteps++;
            if (step % 10 == 0) {
              bar.update(
                  (long) (step - startStep) * config.batchSize(),
                  progress,
                  String.format(
                      Locale.ROOT,
                      "step %d, loss %.4f, char acc %.4f, lr %.2e",
                      step,
                      lossSum / intervalSteps,
                      charTotal == 0 ? 0 : (double) charHits / charTotal,
                      schedule.current()));
            }
          }
        }
        return last;
      }
    }
  }

  /**
   * Refuses to start a new run over an existing one, to resume a folder without a checkpoint, or to
   * resume with settings other than the run folder's (unless the config allows the change).
   */
  private void checkRunFolder(
      Properties recorded, Map<String, String> settings, boolean hasCheckpoint) {
    Path dir = config.runDir();
    if (!config.resume()) {
      if (hasCheckpoint || Files.exists(dir.resolve(RunFolder.STATE))) {
        throw new IllegalArgumentException(
            "the run folder "
                + dir
                + " already holds a run (step "
                + recorded.getProperty("steps", "?")
                + "); pass --resume to continue it, or choose another --run-dir");
      }
      return;
    }
    if (!hasCheckpoint) {
      throw new IllegalArgumentException("nothing to resume: " + dir + " holds no checkpoint");
    }
    List<RunFolder.Difference> diffs = RunFolder.differences(recorded, settings);
    boolean network = diffs.stream().anyMatch(d -> d.key().equals("network"));
    if (network || (!diffs.isEmpty() && !config.allowConfigChange())) {
      StringBuilder b =
          new StringBuilder(
              "cannot resume " + dir + ": the requested settings differ from the run's:");
      diffs.forEach(d -> b.append("\n  ").append(d));
      b.append(
          network
              ? "\nthe network must match the checkpoint"
              : "\npass the run's settings, or --allow-config-change if the change is meant");
      throw new IllegalArgumentException(b.toString());
    }
    List<String> notRecorded =
        RunFolder.CONFIG_KEYS.stream().filter(k -> recorded.getProperty(k) == null).toList();
    if (!notRecorded.isEmpty()) {
      log.warn("The run folder does not record {}; they cannot be checked", notRecorded);
    }
    diffs.forEach(d -> log.warn("Resuming with a changed setting (allowed): {}", d));
  }

  /**
   * Whether {@code candidate} replaces {@code best} as the best checkpoint: a higher validation
   * exact accuracy, or the same and a higher per-character accuracy; never a worse one.
   */
  static boolean improves(Checkpoint.Header candidate, Checkpoint.Header best) {
    return best == null
        || candidate.validationExact() > best.validationExact()
        || (candidate.validationExact() == best.validationExact()
            && candidate.validationChar() > best.validationChar());
  }

  private static long countParameters(Model model) {
    return model.getBlock().getParameters().values().stream()
        .filter(p -> p.requiresGradient())
        .mapToLong(p -> p.getArray().getShape().size())
        .sum();
  }

  /** "mono 0.9880, sans 0.9960, ...": exact accuracy per group, in the map's order. */
  public static String groupLine(Map<String, Double> groupExact) {
    return groupExact.entrySet().stream()
        .map(e -> String.format(Locale.ROOT, "%s %.4f", e.getKey(), e.getValue()))
        .collect(Collectors.joining(", "));
  }

  /**
   * The captchas of the configured fonts: clean for validation, varied as configured for training.
   */
  private Data generatedData() {
    FontCatalog catalog = FontCatalog.scanDefault();
    List<FontCatalog.WeightedFont> faces = catalog.weighted(config.fonts());
    // Validation draws clean captchas as the library does; training may vary glyphs, draw more
    // look-alike characters and degrade images.
    CaptchaGenerator generator = CaptchaGenerator.builder().weightedFonts(faces).build();
    CaptchaGenerator trainingGenerator =
        CaptchaGenerator.builder()
            .weightedFonts(faces)
            .glyphVariation(config.glyphVariation())
            .variationKeepsCues(config.keepLookalikeCues() ? TrainingConfig.LOOKALIKES : null)
            .oversample(TrainingConfig.LOOKALIKES, config.lookalikeShare())
            .siteFonts(config.siteFonts())
            .smallDigits(config.smallDigits())
            .build();
    Augmenter augmenter =
        new Augmenter(config.augmentRate(), config.jpegMinQuality(), config.shiftWeight());
    return new Data() {
      @Override
      public int length() {
        return generator.length();
      }

      @Override
      public Map<String, BatchSource.Batch> validation(CaptchaResNet.Spec spec) {
        return Map.of(
            "validation",
            BatchSource.make(
                generator,
                null,
                config.inputColor(),
                config.validationSize(),
                spec.height() * spec.width(),
                config.validationSeed(),
                0));
      }

      @Override
      public GroupValidation groupValidation(int pixels) {
        return GroupValidation.of(
            faces,
            config.groupValidationSize(),
            config.validationSeed(),
            pixels,
            config.inputColor());
      }

      @Override
      public Batches batches(CaptchaResNet.Spec spec, int batchSize, long firstBatch) {
        return new BatchSource(
            trainingGenerator,
            augmenter,
            config.inputColor(),
            batchSize,
            spec.width(),
            spec.height(),
            config.seed(),
            firstBatch);
      }
    };
  }

  /**
   * The accuracy on the validation sets: one set's own (with the exact accuracy per font group of
   * {@code groups}, when not null), or the mean over several, whose exact accuracies are then the
   * per-set figures by name.
   */
  static Accuracy evaluate(
      ai.djl.training.Trainer trainer,
      CaptchaResNet net,
      Map<String, BatchSource.Batch> sets,
      GroupValidation groups,
      int pixels) {
    if (sets.size() == 1) {
      return evaluate(trainer, net, sets.values().iterator().next(), groups, pixels);
    }
    double exact = 0;
    double chars = 0;
    Map<String, Double> perSet = new LinkedHashMap<>();
    for (Map.Entry<String, BatchSource.Batch> e : sets.entrySet()) {
      Accuracy a = evaluate(trainer, net, e.getValue(), null, pixels);
      perSet.put(e.getKey(), a.exact());
      exact += a.exact();
      chars += a.perCharacter();
    }
    return new Accuracy(exact / sets.size(), chars / sets.size(), perSet);
  }

  /**
   * Exact and per-character accuracy of the current weights on the validation set, and exact
   * accuracy per font group on {@code groups} (null: none).
   */
  static Accuracy evaluate(
      ai.djl.training.Trainer trainer,
      CaptchaResNet net,
      BatchSource.Batch val,
      GroupValidation groups,
      int pixels) {
    boolean[] exact = new boolean[val.size()];
    long chars = evaluate(trainer, net, val, pixels, exact);
    long hits = 0;
    for (boolean e : exact) {
      hits += e ? 1 : 0;
    }
    Map<String, Double> perGroup = Map.of();
    if (groups != null) {
      boolean[] groupExact = new boolean[groups.batch().size()];
      evaluate(trainer, net, groups.batch(), pixels, groupExact);
      perGroup = groups.accuracy(groupExact);
    }
    int length = net.spec().length();
    return new Accuracy(
        (double) hits / val.size(), (double) chars / ((long) val.size() * length), perGroup);
  }

  /**
   * Runs {@code val} through the network, sets {@code exact[i]} when captcha {@code i} was read
   * whole, and returns the number of characters read right.
   */
  private static long evaluate(
      ai.djl.training.Trainer trainer,
      CaptchaResNet net,
      BatchSource.Batch val,
      int pixels,
      boolean[] exact) {
    int length = net.spec().length();
    int chunk = 250;
    long chars = 0;
    for (int start = 0; start < val.size(); start += chunk) {
      int n = Math.min(chunk, val.size() - start);
      try (NDManager m = trainer.getManager().newSubManager()) {
        float[] xs = new float[n * pixels];
        System.arraycopy(val.inputs(), start * pixels, xs, 0, n * pixels);
        int[] ys = new int[n * length];
        System.arraycopy(val.labels(), start * length, ys, 0, n * length);
        NDArray out =
            trainer.evaluate(new NDList(m.create(xs, net.inputShape(n)))).singletonOrThrow();
        NDArray hits =
            out.argMax(2).toType(DataType.INT32, false).eq(m.create(ys, new Shape(n, length)));
        chars += hits.countNonzero().getLong();
        boolean[] whole =
            hits.toType(DataType.INT32, false).sum(new int[] {1}).eq(length).toBooleanArray();
        System.arraycopy(whole, 0, exact, start, n);
      }
    }
    return chars;
  }

  private void writeState(
      Properties recorded,
      Map<String, String> settings,
      Checkpoint.Header last,
      Checkpoint.Header best)
      throws IOException {
    Properties p = new Properties();
    p.putAll(recorded);
    p.putAll(settings);
    p.setProperty("seed", Long.toString(config.seed()));
    p.setProperty("command", config.command());
    p.setProperty("head", config.head().label());
    p.setProperty("validation_group_size", Integer.toString(config.groupValidationSize()));
    if (config.initFrom() != null) {
      p.setProperty("init_from", config.initFrom().toString());
    }
    p.setProperty("planned_steps", Integer.toString(config.steps()));
    p.setProperty(
        "max_minutes", String.format(Locale.ROOT, "%.1f", config.maxTime().toMillis() / 60_000.0));
    putCheckpoint(p, "", last);
    putCheckpoint(p, RunFolder.Choice.LAST.keyPrefix(), last);
    putCheckpoint(p, RunFolder.Choice.BEST.keyPrefix(), best);
    p.setProperty("last.file", RunFolder.Choice.LAST.file());
    p.setProperty("best.file", RunFolder.Choice.BEST.file());
    RunFolder.writeState(config.runDir(), p);
  }

  private void putCheckpoint(Properties p, String prefix, Checkpoint.Header h) {
    p.setProperty(prefix + "steps", Integer.toString(h.step()));
    p.setProperty(prefix + "images", Long.toString((long) h.step() * config.batchSize()));
    p.setProperty(prefix + "wall_seconds", String.format(Locale.ROOT, "%.1f", h.wallSeconds()));
    p.setProperty(
        prefix + "validation_exact_accuracy",
        String.format(Locale.ROOT, "%.5f", h.validationExact()));
    p.setProperty(
        prefix + "validation_char_accuracy",
        String.format(Locale.ROOT, "%.5f", h.validationChar()));
  }
}
