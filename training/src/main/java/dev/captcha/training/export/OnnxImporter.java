package dev.captcha.training.export;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.nn.Activation;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.djl.training.ParameterStore;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import dev.captcha.training.eval.ModelInfo;
import dev.captcha.training.model.CaptchaResNet;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Reads a model file written by {@link OnnxExporter} back into a {@link CaptchaResNet}, the inverse
 * of the export, so training can continue from it; stateless and thread-safe.
 *
 * <p>The exporter folds each BatchNorm into its convolution ({@code w' = w k}, {@code b' = beta +
 * (bias - mean) k}, {@code k = gamma / sqrt(var + eps)}); the split cannot be undone, so the
 * importer chooses one that computes the same function. Each convolution gets the folded weight
 * {@code w'} (the network's convolutions have no bias), and each BatchNorm the parameters
 * {@code runningMean = m}, {@code runningVar = v}, {@code gamma = sqrt(v + eps)}, {@code beta = m
 * + b'}, where {@code m} and {@code v} are the per-channel mean and variance of that convolution's
 * output on calibration inputs. In inference mode the BatchNorm is then exactly {@code x + b'} (for
 * any m, v); in training mode it normalises with the batch's statistics, which are close to m and
 * v on inputs like the calibration ones, so it is approximately {@code x + b'} as well and
 * training starts from the exported function rather than from a jump.
 */
public final class OnnxImporter {

  /** The imported network and the file's metadata. */
  public record Imported(CaptchaResNet net, ModelInfo info) {}

  private OnnxImporter() {}

  /**
   * Imports {@code file} into a new network whose arrays belong to {@code manager}, calibrating the
   * BatchNorm statistics on {@code calibration} ({@code n} inputs laid out as the model's input).
   *
   * @throws IllegalArgumentException if the file lacks the required metadata or is not a graph the
   *     exporter writes
   * @throws IOException if the file cannot be read
   */
  public static Imported read(Path file, NDManager manager, float[] calibration, int n) throws IOException {
    ModelProto model;
    try (InputStream in = Files.newInputStream(file)) {
      model = ModelProto.parseFrom(in);
    }
    Map<String, String> metadata = new LinkedHashMap<>();
    for (StringStringEntryProto e : model.getMetadataPropsList()) {
      metadata.put(e.getKey(), e.getValue());
    }
    ModelInfo info = ModelInfo.parse(metadata);
    Map<String, Tensor> tensors = new HashMap<>();
    for (TensorProto t : model.getGraph().getInitializerList()) {
      if (t.getDataType() == TensorProto.DataType.FLOAT_VALUE) {
        tensors.put(t.getName(), Tensor.of(t));
      }
    }
    int stages = 0;
    while (tensors.containsKey("stage" + stages + "_conv1_weight")) {
      stages++;
    }
    if (stages == 0 || !tensors.containsKey("stem_weight") || !tensors.containsKey("head_weight")) {
      throw new IllegalArgumentException(file + " is not a captcha ResNet written by the exporter (no stem, stages or head)");
    }
    int[] widths = new int[stages];
    for (int i = 0; i < stages; i++) {
      widths[i] = (int) tensors.get("stage" + i + "_conv1_weight").dims()[0];
    }
    int classes = info.charset().length();
    CaptchaResNet.Spec spec = new CaptchaResNet.Spec(info.channels(), info.height(), info.width(), info.length(), classes,
        widths);
    int inputSize = spec.channels() * spec.height() * spec.width();
    if (n < 1 || calibration.length != n * inputSize) {
      throw new IllegalArgumentException("calibration needs n >= 1 inputs of " + inputSize + " values, got "
          + calibration.length + " values for n = " + n);
    }
    CaptchaResNet net = CaptchaResNet.create(spec);
    net.block().initialize(manager, DataType.FLOAT32, net.inputShape(1));

    List<Unit> units = new java.util.ArrayList<>();
    units.add(new Unit(net.stem(), "stem"));
    for (int i = 0; i < stages; i++) {
      CaptchaResNet.Residual r = net.stages().get(i);
      units.add(new Unit(r.first(), "stage" + i + "_conv1"));
      units.add(new Unit(r.second(), "stage" + i + "_conv2"));
      if (r.shortcut() != null) {
        units.add(new Unit(r.shortcut(), "stage" + i + "_shortcut"));
      }
    }
    Map<CaptchaResNet.ConvBn, float[]> foldedBias = new HashMap<>();
    for (Unit u : units) {
      set(u.unit().conv(), "weight", tensor(tensors, u.name() + "_weight"));
      foldedBias.put(u.unit(), tensor(tensors, u.name() + "_bias").values());
    }
    set(net.head(), "weight", tensor(tensors, "head_weight"));
    set(net.head(), "bias", tensor(tensors, "head_bias"));

    try (NDManager m = manager.newSubManager()) {
      Calibration cal = new Calibration(new ParameterStore(m, false), foldedBias);
      NDArray x = Activation.relu(cal.convBn(m.create(calibration, net.inputShape(n)), net.stem()));
      for (CaptchaResNet.Residual r : net.stages()) {
        NDArray a = Activation.relu(cal.convBn(x, r.first()));
        NDArray b = cal.convBn(a, r.second());
        NDArray s = r.shortcut() == null ? x : cal.convBn(x, r.shortcut());
        x = Activation.relu(b.add(s));
      }
    }
    return new Imported(net, info);
  }

  private record Unit(CaptchaResNet.ConvBn unit, String name) {}

  /** Runs the convolutions in inference mode, recording each one's output statistics into its BatchNorm. */
  private record Calibration(ParameterStore store, Map<CaptchaResNet.ConvBn, float[]> foldedBias) {
    NDArray convBn(NDArray input, CaptchaResNet.ConvBn unit) {
      NDArray y = unit.conv().forward(store, new NDList(input), false).singletonOrThrow();
      int channels = (int) y.getShape().get(1);
      NDArray perChannel = y.transpose(1, 0, 2, 3).reshape(channels, -1);
      NDArray mean = perChannel.mean(new int[] {1});
      NDArray var = perChannel.sub(mean.reshape(channels, 1)).square().mean(new int[] {1});
      float[] m = mean.toFloatArray();
      float[] v = var.toFloatArray();
      float[] b = foldedBias.get(unit);
      float[] gamma = new float[channels];
      float[] beta = new float[channels];
      for (int c = 0; c < channels; c++) {
        gamma[c] = (float) Math.sqrt((double) v[c] + CaptchaResNet.BN_EPSILON);
        beta[c] = m[c] + b[c];
      }
      setValues(unit.bn(), "runningMean", m);
      setValues(unit.bn(), "runningVar", v);
      setValues(unit.bn(), "gamma", gamma);
      setValues(unit.bn(), "beta", beta);
      return y.add(y.getManager().create(b).reshape(1, channels, 1, 1));
    }
  }

  /** A float initialiser: values and dimensions. */
  private record Tensor(float[] values, long[] dims) {
    static Tensor of(TensorProto t) {
      long[] dims = t.getDimsList().stream().mapToLong(Long::longValue).toArray();
      float[] v;
      if (!t.getRawData().isEmpty()) {
        ByteBuffer buf = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
        v = new float[buf.remaining() / Float.BYTES];
        buf.asFloatBuffer().get(v);
      } else {
        v = new float[t.getFloatDataCount()];
        for (int i = 0; i < v.length; i++) {
          v[i] = t.getFloatData(i);
        }
      }
      return new Tensor(v, dims);
    }
  }

  private static Tensor tensor(Map<String, Tensor> tensors, String name) {
    Tensor t = tensors.get(name);
    if (t == null) {
      throw new IllegalArgumentException("the model has no initializer '" + name + "'");
    }
    return t;
  }

  private static void set(Block block, String name, Tensor t) {
    Parameter p = block.getParameters().get(name);
    long[] shape = p.getArray().getShape().getShape();
    if (!Arrays.equals(shape, t.dims())) {
      throw new IllegalArgumentException("initializer of " + name + " has shape " + Arrays.toString(t.dims())
          + ", the network expects " + Arrays.toString(shape));
    }
    p.getArray().set(t.values());
  }

  private static void setValues(Block block, String name, float[] values) {
    NDArray a = block.getParameters().get(name).getArray();
    if (a.size() != values.length) {
      throw new IllegalStateException(name + " has " + a.size() + " values, computed " + values.length);
    }
    a.set(values);
  }
}
