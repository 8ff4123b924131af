package dev.captcha.training.export;

import ai.djl.Device;
import ai.djl.MalformedModelException;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import dev.captcha.generator.Charset;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.train.Trainer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Map;
import java.util.stream.Stream;

/**
 * Exports the checkpoint of a training run folder to an ONNX file and verifies the file against the
 * DJL network in ONNX Runtime; stateless and thread-safe (each call loads its own network).
 */
public final class RunExporter {

  /** Largest absolute logit difference accepted between DJL and ONNX Runtime. */
  public static final double TOLERANCE = 1e-4;

  /** What was written and how closely ONNX Runtime reproduces DJL. */
  public record Report(Path file, long bytes, Map<String, String> metadata, ParityCheck.Outcome parity) {
    /** Whether the exported model matches the network within {@link #TOLERANCE}. */
    public boolean matches() {
      return parity.maxAbsDifference() <= TOLERANCE;
    }
  }

  private RunExporter() {}

  /**
   * Loads the checkpoint of {@code runDir} into a fresh network of {@code length} positions, exports
   * it to {@code out} and compares both on {@code checkImages} random inputs. The engine must have
   * been configured ({@link Trainer#configureEngine}).
   *
   * @throws IllegalArgumentException if the run folder has no checkpoint or no training.properties
   */
  public static Report export(Path runDir, Path out, String name, String version, int length, int checkImages,
      int threads) throws IOException, MalformedModelException {
    if (checkImages < 1) {
      throw new IllegalArgumentException("the check needs at least one image");
    }
    if (!hasCheckpoint(runDir)) {
      throw new IllegalArgumentException("no checkpoint " + Trainer.CHECKPOINT_NAME + "-NNNN.params in " + runDir);
    }
    CaptchaResNet net = CaptchaResNet.create(CaptchaResNet.Spec.standard(length, Charset.MODEL_CLASSES.length()));
    Map<String, String> metadata = ModelMetadata.forRun(net.spec(), name, version, runDir, Instant.now());
    try (Model model = Model.newInstance(Trainer.CHECKPOINT_NAME, Device.cpu(), "PyTorch")) {
      model.setBlock(net.block());
      net.block().initialize(model.getNDManager(), DataType.FLOAT32, net.inputShape(1));
      model.load(runDir, Trainer.CHECKPOINT_NAME);
      OnnxExporter.export(net, metadata, out);
      try (OnnxModel onnx = OnnxModel.load(out, threads)) {
        ParityCheck.Outcome parity = ParityCheck.compare(net, model.getNDManager(), onnx, checkImages, 7);
        return new Report(out, Files.size(out), onnx.info().all(), parity);
      }
    }
  }

  private static boolean hasCheckpoint(Path runDir) throws IOException {
    if (!Files.isDirectory(runDir)) {
      return false;
    }
    try (Stream<Path> files = Files.list(runDir)) {
      return files.anyMatch(p -> p.getFileName().toString().matches(Trainer.CHECKPOINT_NAME + "-\\d{4}\\.params"));
    }
  }
}
