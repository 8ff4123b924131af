package dev.captcha.training.quantize;

import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.model.ModelFormatException;
import dev.captcha.model.ModelMetadata;
import dev.captcha.model.Preprocessor;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.IntStream;

/**
 * Post-training static quantization of a float captcha model file to an int8 QDQ model: per-channel
 * symmetric int8 weights, 8-bit activations with ranges calibrated on generated captchas, metadata
 * kept and the precision recorded; stateless and thread-safe.
 */
public final class Int8Quantizer {

  /** Metadata key of the numeric precision ({@code int8} here; absent means float32). */
  public static final String PRECISION_KEY = "captcha.precision";

  /**
   * What to calibrate on and how; immutable.
   *
   * @param calibrationImages generated captchas the activation ranges are calibrated on
   * @param calibrationSeed their seed (keep it apart from training, validation and evaluation
   *     seeds)
   * @param fonts font families of the calibration captchas
   * @param method how a range is chosen from each tensor's histogram
   * @param percentile the percentile of {@link CalibrationMethod#PERCENTILE}, in (0, 100]
   * @param activations the 8-bit type of activations
   * @param keepFloat names of nodes left in float
   * @param threads ONNX Runtime threads for calibration
   */
  public record Settings(
      int calibrationImages,
      long calibrationSeed,
      List<String> fonts,
      CalibrationMethod method,
      double percentile,
      ActivationType activations,
      Set<String> keepFloat,
      int threads) {
    public Settings {
      if (calibrationImages < 1) {
        throw new IllegalArgumentException("--calibration must be >= 1, got " + calibrationImages);
      }
      if (!(percentile > 0 && percentile <= 100)) {
        throw new IllegalArgumentException("--percentile must be in (0, 100], got " + percentile);
      }
      if (threads < 1) {
        throw new IllegalArgumentException("threads must be >= 1, got " + threads);
      }
      if (fonts.isEmpty()) {
        throw new IllegalArgumentException("calibration needs at least one font");
      }
      fonts = List.copyOf(fonts);
      keepFloat = Set.copyOf(keepFloat);
    }

    /** The calibration as recorded in the model's metadata. */
    String describe() {
      String how =
          method == CalibrationMethod.PERCENTILE
              ? String.format(Locale.ROOT, "percentile %s", percentile)
              : method.label();
      return String.format(
          Locale.ROOT,
          "%s over histograms of %d generated captchas (seed %d, fonts %s)",
          how,
          calibrationImages,
          calibrationSeed,
          String.join(",", fonts));
    }
  }

  /** The quantized model and what was done to it. */
  public record Result(
      ModelProto model, List<String> quantizedNodes, Map<String, TensorRange> ranges) {}

  private static final int BATCH = 32;

  private Int8Quantizer() {}

  /** Reads an ONNX file. */
  public static ModelProto read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("model file " + file + " does not exist");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return ModelProto.parseFrom(in);
    }
  }

  /**
   * Quantizes {@code floatModel} (read from {@code source}, whose digest goes into the metadata).
   *
   * @throws IllegalArgumentException if the model is already quantized or its metadata is
   *     incomplete
   */
  public static Result quantize(ModelProto floatModel, Path source, Settings s) throws IOException {
    Map<String, String> meta = new TreeMap<>();
    floatModel.getMetadataPropsList().forEach(e -> meta.put(e.getKey(), e.getValue()));
    if (meta.containsKey(PRECISION_KEY) && !meta.get(PRECISION_KEY).equals("float32")) {
      throw new IllegalArgumentException(
          source + " is already " + meta.get(PRECISION_KEY) + "; quantize a float model");
    }
    ModelMetadata info;
    try {
      info = ModelMetadata.parse(meta);
    } catch (ModelFormatException e) {
      throw new IllegalArgumentException(source + ": " + e.getMessage(), e);
    }
    List<String> tensors = QdqRewriter.tensorsToCalibrate(floatModel.getGraph(), s.keepFloat());
    List<String> nodes = QdqRewriter.quantizedNodes(floatModel.getGraph(), s.keepFloat());
    for (String keep : s.keepFloat()) {
      if (floatModel.getGraph().getNodeList().stream().noneMatch(n -> n.getName().equals(keep))) {
        throw new IllegalArgumentException("--keep-float: the graph has no node '" + keep + "'");
      }
    }
    float[] inputs = calibrationInputs(info, s);
    Map<String, TensorRange> ranges =
        Calibrator.calibrate(
            floatModel,
            tensors,
            inputs,
            info.input().itemSize(),
            BATCH,
            s.method(),
            s.percentile(),
            s.activations(),
            s.threads());
    ModelProto q = QdqRewriter.rewrite(floatModel, ranges, s.activations(), s.keepFloat());
    List<String> floatNodes =
        floatModel.getGraph().getNodeList().stream()
            .filter(
                n -> Set.of("Conv", "Gemm").contains(n.getOpType()) && !nodes.contains(n.getName()))
            .map(n -> n.getName())
            .toList();
    meta.put(PRECISION_KEY, "int8");
    meta.put(
        "captcha.quantization.scheme",
        "qdq; weights int8 symmetric per output channel; activations "
            + s.activations().label()
            + " per tensor; bias int32");
    meta.put("captcha.quantization.calibration", s.describe());
    meta.put(
        "captcha.quantization.float_layers",
        floatNodes.isEmpty() ? "none" : String.join(",", floatNodes));
    meta.put("captcha.quantization.source_sha256", sha256(source));
    return new Result(withMetadata(q, meta), nodes, ranges);
  }

  /** {@code model} with its metadata_props replaced by {@code metadata}, sorted by key. */
  public static ModelProto withMetadata(ModelProto model, Map<String, String> metadata) {
    ModelProto.Builder b = model.toBuilder().clearMetadataProps();
    new TreeMap<>(metadata)
        .forEach(
            (k, v) ->
                b.addMetadataProps(StringStringEntryProto.newBuilder().setKey(k).setValue(v)));
    return b.build();
  }

  /** The metadata_props of {@code model}. */
  public static Map<String, String> metadata(ModelProto model) {
    Map<String, String> m = new TreeMap<>();
    model.getMetadataPropsList().forEach(e -> m.put(e.getKey(), e.getValue()));
    return m;
  }

  private static float[] calibrationInputs(ModelMetadata info, Settings s) {
    CaptchaGenerator generator =
        CaptchaGenerator.builder().fonts(FontCatalog.scanDefault().resolve(s.fonts())).build();
    Preprocessor pre = new Preprocessor(info.input());
    int size = info.input().itemSize();
    float[] inputs = new float[s.calibrationImages() * size];
    IntStream.range(0, s.calibrationImages())
        .parallel()
        .forEach(
            i ->
                pre.toTensor(generator.generate(s.calibrationSeed(), i).image(), inputs, i * size));
    return inputs;
  }

  static String sha256(Path file) throws IOException {
    try {
      MessageDigest d = MessageDigest.getInstance("SHA-256");
      try (InputStream in = Files.newInputStream(file)) {
        byte[] buf = new byte[1 << 16];
        for (int r; (r = in.read(buf)) > 0; ) {
          d.update(buf, 0, r);
        }
      }
      return HexFormat.of().formatHex(d.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
