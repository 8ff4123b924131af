package dev.captcha.training.export;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import dev.captcha.generator.Charset;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.train.Checkpoint;
import dev.captcha.training.train.RunFolder;
import dev.captcha.training.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/**
 * Exports a checkpoint of a training run folder (the best by default) to an ONNX file and verifies
 * the file against the DJL network in ONNX Runtime; stateless and thread-safe (each call loads its
 * own network).
 */
public final class RunExporter {

  /** Largest absolute logit difference accepted between DJL and ONNX Runtime. */
  public static final double TOLERANCE = 1e-4;

  /**
   * What was written and how closely ONNX Runtime reproduces DJL.
   *
   * @param checkpoint which checkpoint was exported, in words (file, step, validation exact
   *     accuracy)
   */
  public record Report(
      Path file,
      long bytes,
      String checkpoint,
      Map<String, String> metadata,
      ParityCheck.Outcome parity) {
    /** Whether the exported model matches the network within {@link #TOLERANCE}. */
    public boolean matches() {
      return parity.maxAbsDifference() <= TOLERANCE;
    }
  }

  /**
   * Metadata key recording that the run drew this share of look-alike characters and the head's
   * bias was corrected back to the library's odds (see {@link PriorCorrection}).
   */
  public static final String LOOKALIKE_SHARE_KEY = "captcha.training.lookalike_share";

  private RunExporter() {}

  private static double lookalikeShare(Path runDir) throws IOException {
    String v = RunFolder.readState(runDir).getProperty("lookalike_share", "0");
    try {
      double share = Double.parseDouble(v.trim());
      if (!(share >= 0 && share < 1)) {
        throw new NumberFormatException();
      }
      return share;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(
          "training.properties of " + runDir + " has lookalike_share '" + v + "', not in [0, 1)");
    }
  }

  /**
   * Loads checkpoint {@code choice} of {@code runDir} into a fresh network, exports it to {@code
   * out} and compares both on {@code checkImages} random inputs. A run folder of an older version
   * has a single checkpoint, exported whatever the choice. The engine must have been configured
   * ({@link Trainer#configureEngine}).
   *
   * @param length characters per captcha; must match the checkpoint's network
   * @throws IllegalArgumentException if the run folder has no checkpoint or no training.properties,
   *     or the network reads another number of characters
   */
  public static Report export(
      Path runDir,
      RunFolder.Choice choice,
      Path out,
      String name,
      String version,
      int length,
      int checkImages,
      int threads)
      throws IOException, MalformedModelException {
    if (checkImages < 1) {
      throw new IllegalArgumentException("the check needs at least one image");
    }
    Path file = RunFolder.checkpoint(runDir, choice);
    Optional<Path> legacy =
        Files.exists(file) ? Optional.empty() : RunFolder.legacyCheckpoint(runDir);
    if (!Files.exists(file) && legacy.isEmpty()) {
      throw new IllegalArgumentException("no checkpoint " + choice.file() + " in " + runDir);
    }
    CaptchaResNet.Spec spec;
    String described;
    String prefix;
    if (legacy.isEmpty()) {
      Checkpoint.Header h = Checkpoint.header(file);
      spec = Checkpoint.parseNetwork(h.network());
      described =
          String.format(
              Locale.ROOT,
              "the %s checkpoint %s (step %d, validation exact %.4f)",
              choice.name().toLowerCase(Locale.ROOT),
              file.getFileName(),
              h.step(),
              h.validationExact());
      prefix = choice.keyPrefix();
    } else {
      spec = CaptchaResNet.Spec.standard(length, Charset.MODEL_CLASSES.length());
      described =
          "the only checkpoint " + legacy.get().getFileName() + " (run folder of an older version)";
      prefix = "";
    }
    if (spec.length() != length) {
      throw new IllegalArgumentException(
          "the checkpoint's network reads " + spec.length() + " characters, not " + length);
    }
    CaptchaResNet net = CaptchaResNet.create(spec);
    Map<String, String> metadata =
        ModelMetadata.forRun(net.spec(), name, version, runDir, prefix, Instant.now());
    try (Model model = Model.newInstance(Trainer.CHECKPOINT_NAME, Device.cpu(), "PyTorch")) {
      model.setBlock(net.block());
      net.block().initialize(model.getNDManager(), DataType.FLOAT32, net.inputShape(1));
      if (legacy.isEmpty()) {
        Checkpoint.load(file, net, model.getNDManager());
      } else {
        model.load(runDir, Trainer.CHECKPOINT_NAME);
      }
      double lookalikeShare = lookalikeShare(runDir);
      if (lookalikeShare > 0) {
        // the exported model answers at the library's odds, not the training's
        PriorCorrection.apply(net, lookalikeShare);
        metadata.put(LOOKALIKE_SHARE_KEY, Double.toString(lookalikeShare));
      }
      OnnxExporter.export(net, metadata, out);
      try (OnnxModel onnx = OnnxModel.load(out, threads)) {
        ParityCheck.Outcome parity =
            ParityCheck.compare(net, model.getNDManager(), onnx, checkImages, 7);
        return new Report(out, Files.size(out), described, onnx.info().all(), parity);
      }
    }
  }
}
