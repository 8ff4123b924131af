package dev.captcha.training.export;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.model.CaptchaResNet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a model file written by {@link OnnxExporter} back into a {@link CaptchaResNet}, the inverse
 * of the export, so training can continue from an exported model; stateless.
 *
 * <p>The export folds every BatchNorm into the convolution before it, so the file holds, per unit,
 * a weight W' and a bias b'. On import the convolution gets W' and the BatchNorm is chosen so that
 * the unit still computes {@code W'x + b'}: with m and v the mean and variance of {@code W'x} per
 * channel, measured by running the file on sample inputs in ONNX Runtime, the running statistics
 * are (m, v), {@code gamma = sqrt(v + eps)} and {@code beta = b' + m}. In inference mode that is
 * exactly {@code W'x + b'}; in training mode the batch's statistics stand in for (m, v), so
 * training starts from the same function up to batch noise.
 */
public final class OnnxImporter {

  /** Samples run through the file to measure each convolution's statistics. */
  public static final int DEFAULT_STATISTICS_IMAGES = 256;

  private OnnxImporter() {}

  /** Reads the model file. */
  public static ModelProto read(Path file) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("model file " + file + " does not exist");
    }
    try (InputStream in = Files.newInputStream(file)) {
      return ModelProto.parseFrom(in);
    } catch (com.google.protobuf.InvalidProtocolBufferException e) {
      throw new IllegalArgumentException(file + " is not an ONNX model: " + e.getMessage());
    }
  }

  /**
   * The architecture a file holds: input shape from the graph input, positions and classes from the
   * output, stage widths from the convolutions.
   *
   * @throws IllegalArgumentException if the graph is not one the exporter writes
   */
  public static CaptchaResNet.Spec spec(ModelProto model) {
    GraphProto g = model.getGraph();
    long[] in = dims(g.getInputList(), OnnxExporter.INPUT_NAME);
    long[] out = dims(g.getOutputList(), OnnxExporter.OUTPUT_NAME);
    Map<String, TensorProto> init = initializers(g);
    List<Integer> widths = new ArrayList<>();
    for (int i = 0; init.containsKey("stage" + i + "_conv1_weight"); i++) {
      widths.add((int) init.get("stage" + i + "_conv1_weight").getDims(0));
    }
    if (in.length != 4
        || out.length != 3
        || widths.isEmpty()
        || !init.containsKey("stem_weight")
        || !init.containsKey("head_weight")) {
      throw new IllegalArgumentException(
          "the graph is not a captcha ResNet as the exporter writes it");
    }
    CaptchaResNet.Spec mean =
        new CaptchaResNet.Spec(
            (int) in[1],
            (int) in[2],
            (int) in[3],
            (int) out[1],
            (int) out[2],
            widths.stream().mapToInt(Integer::intValue).toArray());
    TensorProto head = init.get("head_weight");
    long columns = head.getDimsCount() == 2 ? head.getDims(1) : -1;
    if (columns == mean.headFeatures()) {
      return mean;
    }
    CaptchaResNet.Spec rows = mean.withHead(CaptchaResNet.Head.ROWS);
    if (columns == rows.headFeatures()) {
      return rows;
    }
    throw new IllegalArgumentException(
        "the head reads "
            + columns
            + " features, neither the mean over the height ("
            + mean.headFeatures()
            + ") nor every row ("
            + rows.headFeatures()
            + ") of the last feature map");
  }

  /**
   * Loads the file's weights into {@code net} (initialised), measuring the convolutions' statistics
   * on {@code images} samples given as {@code [n, C, H, W]} floats.
   *
   * <p>{@code net} has the file's {@link #spec}, or is a widening of it ({@link #widens}): the same
   * input, positions, classes and number of stages, each stage at least as wide. Then every unit's
   * first channels get the file's weights, the weights from the new input channels into them are
   * zero, and the new channels keep their initial (random) weights: the network computes what the
   * file computes, and the new channels are free to learn.
   *
   * @throws IllegalArgumentException when {@code net} is neither the file's network nor a widening
   */
  public static void load(ModelProto model, CaptchaResNet net, float[] samples, int images) {
    CaptchaResNet.Spec spec = spec(model);
    if (!canStartFrom(spec, net.spec())) {
      throw new IllegalArgumentException(
          "the file holds "
              + describe(spec)
              + ", the network is "
              + describe(net.spec())
              + " (a network can only start from a file with the same layout and stages no wider, and"
              + " with its head, or with rows from mean)");
    }
    Map<String, CaptchaResNet.ConvBn> units = units(net);
    Map<String, TensorProto> init = initializers(model.getGraph());
    Map<String, double[][]> stats = statistics(model, units.keySet(), init, samples, images, spec);
    for (Map.Entry<String, CaptchaResNet.ConvBn> e : units.entrySet()) {
      String name = e.getKey();
      CaptchaResNet.ConvBn unit = e.getValue();
      float[] weight = floats(init, name + "_weight");
      float[] bias = floats(init, name + "_bias");
      double[] mean = stats.get(name)[0];
      double[] var = stats.get(name)[1];
      int channels = bias.length;
      float[] gamma = new float[channels];
      float[] beta = new float[channels];
      float[] runningMean = new float[channels];
      float[] runningVar = new float[channels];
      for (int c = 0; c < channels; c++) {
        runningMean[c] = (float) mean[c];
        runningVar[c] = (float) var[c];
        gamma[c] = (float) Math.sqrt(var[c] + CaptchaResNet.BN_EPSILON);
        beta[c] = (float) (bias[c] + mean[c]);
      }
      long[] fileShape =
          init.get(name + "_weight").getDimsList().stream().mapToLong(d -> d).toArray();
      embed(unit.conv(), "weight", weight, fileShape[0], fileShape[1]);
      embed(unit.bn(), "gamma", gamma, channels, 1);
      embed(unit.bn(), "beta", beta, channels, 1);
      embed(unit.bn(), "runningMean", runningMean, channels, 1);
      embed(unit.bn(), "runningVar", runningVar, channels, 1);
    }
    float[] head = floats(init, "head_weight");
    int rows = spec.length() * spec.classes();
    if (spec.head() != net.spec().head()) {
      head =
          meanToRows(
              head,
              rows,
              spec.widths()[spec.widths().length - 1],
              spec.featureWidth(),
              spec.featureHeight());
    }
    embed(net.head(), "weight", head, rows, head.length / rows);
    embed(net.head(), "bias", floats(init, "head_bias"), rows, 1);
  }

  /**
   * Whether a network of {@code net} can start from a file holding {@code file} ({@link #load}):
   * the same network or a widening of it, with the file's head or, from a file whose head reads the
   * mean over the height, one that reads every row.
   */
  public static boolean canStartFrom(CaptchaResNet.Spec file, CaptchaResNet.Spec net) {
    if (file.head() != net.head()
        && !(file.head() == CaptchaResNet.Head.MEAN_HEIGHT
            && net.head() == CaptchaResNet.Head.ROWS)) {
      return false;
    }
    CaptchaResNet.Spec same = file.withHead(net.head());
    return sameArchitecture(same, net) || widens(same, net);
  }

  /**
   * The weights of a head that reads every row and computes what {@code weight} computes from the
   * mean over the height: each [C, W'] weight becomes H' weights, one per row, of 1/H' of it.
   */
  static float[] meanToRows(float[] weight, int rows, int channels, int width, int height) {
    if ((long) rows * channels * width != weight.length) {
      throw new IllegalArgumentException(
          "head weight of "
              + weight.length
              + " values is not "
              + rows
              + " x "
              + channels
              + " x "
              + width);
    }
    float[] out = new float[Math.multiplyExact(weight.length, height)];
    for (int r = 0; r < rows; r++) {
      for (int c = 0; c < channels; c++) {
        int from = (r * channels + c) * width;
        for (int h = 0; h < height; h++) {
          int to = ((r * channels + c) * height + h) * width;
          for (int w = 0; w < width; w++) {
            out[to + w] = weight[from + w] / height;
          }
        }
      }
    }
    return out;
  }

  /**
   * Whether {@code wide} is {@code narrow} with wider stages: the same input, positions, classes
   * and number of stages, every stage at least as wide and one wider.
   */
  public static boolean widens(CaptchaResNet.Spec narrow, CaptchaResNet.Spec wide) {
    if (narrow.channels() != wide.channels()
        || narrow.height() != wide.height()
        || narrow.width() != wide.width()
        || narrow.length() != wide.length()
        || narrow.classes() != wide.classes()
        || narrow.widths().length != wide.widths().length) {
      return false;
    }
    boolean wider = false;
    for (int i = 0; i < narrow.widths().length; i++) {
      if (wide.widths()[i] < narrow.widths()[i]) {
        return false;
      }
      wider |= wide.widths()[i] > narrow.widths()[i];
    }
    return wider;
  }

  /** The units of {@code net} under the node names the exporter gives them. */
  static Map<String, CaptchaResNet.ConvBn> units(CaptchaResNet net) {
    Map<String, CaptchaResNet.ConvBn> units = new LinkedHashMap<>();
    units.put("stem", net.stem());
    int i = 0;
    for (CaptchaResNet.Residual r : net.stages()) {
      units.put("stage" + i + "_conv1", r.first());
      units.put("stage" + i + "_conv2", r.second());
      if (r.shortcut() != null) {
        units.put("stage" + i + "_shortcut", r.shortcut());
      }
      i++;
    }
    return units;
  }

  /**
   * Per convolution node, the mean and variance over batch, height and width of its output minus
   * its bias (that is, of {@code W'x}), from the file run in ONNX Runtime with every convolution's
   * output exposed.
   */
  private static Map<String, double[][]> statistics(
      ModelProto model,
      Iterable<String> convs,
      Map<String, TensorProto> init,
      float[] samples,
      int images,
      CaptchaResNet.Spec spec) {
    int size = spec.channels() * spec.height() * spec.width();
    if (images < 1 || samples.length < (long) images * size) {
      throw new IllegalArgumentException(
          "need " + images + " sample images of " + size + " floats");
    }
    GraphProto.Builder graph = model.getGraph().toBuilder();
    List<String> names = new ArrayList<>();
    for (String conv : convs) {
      if (model.getGraph().getNodeList().stream().map(NodeProto::getName).noneMatch(conv::equals)) {
        throw new IllegalArgumentException("the graph has no node '" + conv + "'");
      }
      names.add(conv);
      graph.addOutput(
          ValueInfoProto.newBuilder()
              .setName(conv)
              .setType(
                  TypeProto.newBuilder()
                      .setTensorType(
                          TypeProto.Tensor.newBuilder()
                              .setElemType(TensorProto.DataType.FLOAT_VALUE))));
    }
    byte[] bytes = model.toBuilder().setGraph(graph).build().toByteArray();
    Map<String, double[]> sum = new HashMap<>();
    Map<String, double[]> sumSq = new HashMap<>();
    Map<String, Long> count = new HashMap<>();
    int chunk = 32;
    java.util.Set<String> wanted = new java.util.LinkedHashSet<>(names);
    try (OnnxModel.Graph session = OnnxModel.openGraph(bytes, 1)) {
      for (int start = 0; start < images; start += chunk) {
        int n = Math.min(chunk, images - start);
        Map<String, OnnxModel.Tensor> outputs =
            session.run(
                OnnxExporter.INPUT_NAME,
                samples,
                start * size,
                n * size,
                new long[] {n, spec.channels(), spec.height(), spec.width()},
                wanted);
        for (String name : names) {
          OnnxModel.Tensor t = outputs.get(name);
          long[] shape = t.shape();
          int channels = (int) shape[1];
          int plane = (int) (shape[2] * shape[3]);
          float[] bias = floats(init, name + "_bias");
          float[] values = t.values();
          double[] s = sum.computeIfAbsent(name, k -> new double[channels]);
          double[] q = sumSq.computeIfAbsent(name, k -> new double[channels]);
          for (int b = 0; b < shape[0]; b++) {
            for (int c = 0; c < channels; c++) {
              int base = (b * channels + c) * plane;
              for (int p = 0; p < plane; p++) {
                double v = values[base + p] - bias[c];
                s[c] += v;
                q[c] += v * v;
              }
            }
          }
          count.merge(name, shape[0] * plane, Long::sum);
        }
      }
    }
    Map<String, double[][]> out = new HashMap<>();
    for (String name : names) {
      double[] s = sum.get(name);
      double[] q = sumSq.get(name);
      long n = count.get(name);
      double[] mean = new double[s.length];
      double[] var = new double[s.length];
      for (int c = 0; c < s.length; c++) {
        mean[c] = s[c] / n;
        var[c] = Math.max(1e-6, q[c] / n - mean[c] * mean[c]);
      }
      out.put(name, new double[][] {mean, var});
    }
    return out;
  }

  private static boolean sameArchitecture(CaptchaResNet.Spec a, CaptchaResNet.Spec b) {
    return a.channels() == b.channels()
        && a.height() == b.height()
        && a.width() == b.width()
        && a.length() == b.length()
        && a.classes() == b.classes()
        && java.util.Arrays.equals(a.widths(), b.widths());
  }

  private static String describe(CaptchaResNet.Spec s) {
    return s.channels()
        + "x"
        + s.height()
        + "x"
        + s.width()
        + " input, "
        + s.length()
        + " positions x "
        + s.classes()
        + " classes, stage widths "
        + java.util.Arrays.toString(s.widths())
        + ", head "
        + s.head().label();
  }

  /**
   * Writes {@code values}, a {@code [rows, columns * rest]} array (rest: what follows the second
   * axis, 1 for a vector), into the leading rows and columns of the block's parameter, whose shape
   * has the same rank and axes at least as long. The parameter's further columns of those rows are
   * set to zero (so new inputs do not change the old outputs); its further rows keep their values.
   */
  private static void embed(
      Block block, String parameter, float[] values, long rows, long columns) {
    NDArray a = block.getParameters().get(parameter).getArray();
    long[] shape = a.getShape().getShape();
    long targetRows = shape[0];
    long targetColumns = shape.length > 1 ? shape[1] : 1;
    long rest = a.size() / (targetRows * targetColumns);
    if (targetRows < rows
        || targetColumns < columns
        || (long) values.length != rows * columns * rest) {
      throw new IllegalArgumentException(
          "parameter '"
              + parameter
              + "' of shape "
              + a.getShape()
              + " cannot hold the file's "
              + values.length
              + " values as "
              + rows
              + " x "
              + columns
              + " x "
              + rest);
    }
    if (targetRows == rows && targetColumns == columns) {
      a.set(values);
      return;
    }
    float[] out = a.toFloatArray();
    for (long r = 0; r < rows; r++) {
      for (long c = 0; c < targetColumns; c++) {
        int to = (int) ((r * targetColumns + c) * rest);
        if (c < columns) {
          System.arraycopy(values, (int) ((r * columns + c) * rest), out, to, (int) rest);
        } else {
          java.util.Arrays.fill(out, to, to + (int) rest, 0f);
        }
      }
    }
    a.set(out);
  }

  private static Map<String, TensorProto> initializers(GraphProto g) {
    Map<String, TensorProto> m = new HashMap<>();
    g.getInitializerList().forEach(t -> m.put(t.getName(), t));
    return m;
  }

  private static float[] floats(Map<String, TensorProto> init, String name) {
    TensorProto t = init.get(name);
    if (t == null) {
      throw new IllegalArgumentException("the graph has no initialiser '" + name + "'");
    }
    return OnnxTensors.floats(t);
  }

  private static long[] dims(List<ValueInfoProto> values, String name) {
    for (ValueInfoProto v : values) {
      if (v.getName().equals(name)) {
        List<TensorShapeProto.Dimension> d = v.getType().getTensorType().getShape().getDimList();
        return d.stream().mapToLong(TensorShapeProto.Dimension::getDimValue).toArray();
      }
    }
    throw new IllegalArgumentException("the graph has no '" + name + "'");
  }
}
