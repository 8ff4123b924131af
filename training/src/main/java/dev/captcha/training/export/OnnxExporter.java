package dev.captcha.training.export;

import ai.djl.ndarray.NDArray;
import ai.djl.nn.Block;
import ai.djl.nn.Parameter;
import ai.onnx.proto.OnnxMl.AttributeProto;
import ai.onnx.proto.OnnxMl.GraphProto;
import ai.onnx.proto.OnnxMl.ModelProto;
import ai.onnx.proto.OnnxMl.NodeProto;
import ai.onnx.proto.OnnxMl.OperatorSetIdProto;
import ai.onnx.proto.OnnxMl.StringStringEntryProto;
import ai.onnx.proto.OnnxMl.TensorProto;
import ai.onnx.proto.OnnxMl.TensorShapeProto;
import ai.onnx.proto.OnnxMl.TypeProto;
import ai.onnx.proto.OnnxMl.ValueInfoProto;
import com.google.protobuf.ByteString;
import dev.captcha.training.model.CaptchaResNet;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.Arrays;
import java.util.Map;

/**
 * Writes a {@link CaptchaResNet} with initialised or loaded parameters to an ONNX file (opset 17),
 * folding every BatchNorm into the convolution before it; stateless and thread-safe, but the
 * network must not be trained while it is exported.
 *
 * <p>The graph: {@code image [N, C, H, W]} → Conv+Relu (stem) → per stage {@code
 * Relu(Conv(Relu(Conv x)) + shortcut x)} → ReduceMean over the height (not with {@link
 * CaptchaResNet.Head#ROWS}) → Flatten → Gemm → Reshape → {@code logits [N, L, K]}.
 */
public final class OnnxExporter {

  /** ONNX IR version written into the file. */
  public static final long IR_VERSION = 8;

  /** Opset of the default domain. */
  public static final long OPSET = 17;

  /** Name of the graph input. */
  public static final String INPUT_NAME = "image";

  /** Name of the graph output. */
  public static final String OUTPUT_NAME = "logits";

  /** Name of the symbolic batch dimension. */
  public static final String BATCH_DIM = "N";

  private OnnxExporter() {}

  /**
   * Exports {@code net} with {@code metadata} as metadata_props to {@code out}, atomically
   * replacing it.
   */
  public static void export(CaptchaResNet net, Map<String, String> metadata, Path out)
      throws IOException {
    ModelProto model = toModel(net, metadata);
    Path parent = out.toAbsolutePath().getParent();
    Files.createDirectories(parent);
    Path tmp = ModelFiles.temporary(parent, out.getFileName().toString());
    try {
      try (OutputStream os = Files.newOutputStream(tmp)) {
        model.writeTo(os);
      }
      Files.move(tmp, out, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } finally {
      Files.deleteIfExists(tmp);
    }
  }

  /** Builds the ONNX model in memory. */
  public static ModelProto toModel(CaptchaResNet net, Map<String, String> metadata) {
    CaptchaResNet.Spec spec = net.spec();
    Graph g = new Graph();
    String x = g.convBn(INPUT_NAME, net.stem(), "stem");
    x = g.relu(x, "stem_relu");
    int i = 0;
    for (CaptchaResNet.Residual r : net.stages()) {
      String p = "stage" + i++;
      String a = g.relu(g.convBn(x, r.first(), p + "_conv1"), p + "_relu1");
      String b = g.convBn(a, r.second(), p + "_conv2");
      String s = r.shortcut() == null ? x : g.convBn(x, r.shortcut(), p + "_shortcut");
      x = g.relu(g.add(b, s, p + "_add"), p + "_relu2");
    }
    String pooled =
        spec.head() == CaptchaResNet.Head.ROWS
            ? x
            : g.node(
                "ReduceMean",
                "mean_h",
                new String[] {x},
                AttributeProto.newBuilder()
                    .setName("axes")
                    .setType(AttributeProto.AttributeType.INTS)
                    .addInts(2)
                    .build(),
                intAttr("keepdims", 0));
    String flat = g.node("Flatten", "flatten", new String[] {pooled}, intAttr("axis", 1));
    Linearised head = linear(net.head());
    String w = g.initializer("head_weight", head.weight(), head.weightShape());
    String bias = g.initializer("head_bias", head.bias(), new long[] {head.bias().length});
    String logits = g.node("Gemm", "head", new String[] {flat, w, bias}, intAttr("transB", 1));
    String shape =
        g.int64Initializer("positions_shape", new long[] {-1, spec.length(), spec.classes()});
    g.graph.addNode(
        NodeProto.newBuilder()
            .setOpType("Reshape")
            .setName("positions")
            .addInput(logits)
            .addInput(shape)
            .addOutput(OUTPUT_NAME));

    g.graph
        .setName("captcha_resnet")
        .addInput(valueInfo(INPUT_NAME, spec.channels(), spec.height(), spec.width()))
        .addOutput(valueInfo(OUTPUT_NAME, spec.length(), spec.classes()));

    ModelProto.Builder model =
        ModelProto.newBuilder()
            .setIrVersion(IR_VERSION)
            .addOpsetImport(OperatorSetIdProto.newBuilder().setDomain("").setVersion(OPSET))
            .setProducerName("captcha-training")
            .setProducerVersion("0.1.0")
            .setDomain("dev.captcha")
            .setDocString("Captcha ResNet: image [N,C,H,W] float to per-position logits [N,L,K]")
            .setGraph(g.graph);
    metadata.entrySet().stream()
        .sorted(Map.Entry.comparingByKey())
        .forEach(
            e ->
                model.addMetadataProps(
                    StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue())));
    return model.build();
  }

  /** A convolution with its BatchNorm folded in: weight [out, in, k, k] and bias [out]. */
  record Folded(float[] weight, long[] weightShape, float[] bias) {}

  /** A linear layer as Gemm operands: weight [out, in] and bias [out]. */
  record Linearised(float[] weight, long[] weightShape, float[] bias) {}

  /** Folds the BatchNorm of {@code unit} into its convolution. */
  static Folded fold(CaptchaResNet.ConvBn unit) {
    NDArray w = param(unit.conv(), "weight");
    long[] shape = w.getShape().getShape();
    float[] weight = w.toFloatArray();
    float[] gamma = param(unit.bn(), "gamma").toFloatArray();
    float[] beta = param(unit.bn(), "beta").toFloatArray();
    float[] mean = param(unit.bn(), "runningMean").toFloatArray();
    float[] var = param(unit.bn(), "runningVar").toFloatArray();
    int out = (int) shape[0];
    if (gamma.length != out || beta.length != out || mean.length != out || var.length != out) {
      throw new IllegalStateException(
          "BatchNorm has " + gamma.length + " channels, its convolution " + out);
    }
    float[] convBias =
        unit.conv().getParameters().contains("bias")
                && unit.conv().getParameters().get("bias").isInitialized()
            ? param(unit.conv(), "bias").toFloatArray()
            : new float[out];
    int perFilter = weight.length / out;
    float[] folded = new float[weight.length];
    float[] bias = new float[out];
    for (int o = 0; o < out; o++) {
      double k = gamma[o] / Math.sqrt((double) var[o] + CaptchaResNet.BN_EPSILON);
      for (int j = 0; j < perFilter; j++) {
        folded[o * perFilter + j] = (float) (weight[o * perFilter + j] * k);
      }
      bias[o] = (float) (beta[o] + (convBias[o] - mean[o]) * k);
    }
    return new Folded(folded, shape, bias);
  }

  static Linearised linear(Block head) {
    NDArray w = param(head, "weight");
    return new Linearised(
        w.toFloatArray(), w.getShape().getShape(), param(head, "bias").toFloatArray());
  }

  private static NDArray param(Block block, String name) {
    if (!block.getParameters().contains(name)) {
      throw new IllegalStateException("block " + block + " has no parameter '" + name + "'");
    }
    Parameter p = block.getParameters().get(name);
    if (!p.isInitialized()) {
      throw new IllegalStateException(
          "parameter '"
              + name
              + "' of "
              + block
              + " is not initialised; initialise or load the network first");
    }
    return p.getArray();
  }

  private static AttributeProto intAttr(String name, long value) {
    return AttributeProto.newBuilder()
        .setName(name)
        .setType(AttributeProto.AttributeType.INT)
        .setI(value)
        .build();
  }

  private static AttributeProto intsAttr(String name, long... values) {
    AttributeProto.Builder b =
        AttributeProto.newBuilder().setName(name).setType(AttributeProto.AttributeType.INTS);
    for (long v : values) {
      b.addInts(v);
    }
    return b.build();
  }

  private static ValueInfoProto valueInfo(String name, long... fixedDims) {
    TensorShapeProto.Builder shape =
        TensorShapeProto.newBuilder()
            .addDim(TensorShapeProto.Dimension.newBuilder().setDimParam(BATCH_DIM));
    for (long d : fixedDims) {
      shape.addDim(TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            TypeProto.newBuilder()
                .setTensorType(
                    TypeProto.Tensor.newBuilder()
                        .setElemType(TensorProto.DataType.FLOAT_VALUE)
                        .setShape(shape)))
        .build();
  }

  /** Accumulates nodes and initialisers. */
  private static final class Graph {
    final GraphProto.Builder graph = GraphProto.newBuilder();

    String convBn(String input, CaptchaResNet.ConvBn unit, String name) {
      Folded f = fold(unit);
      String w = initializer(name + "_weight", f.weight(), f.weightShape());
      String b = initializer(name + "_bias", f.bias(), new long[] {f.bias().length});
      int pad = unit.kernel() / 2;
      return node(
          "Conv",
          name,
          new String[] {input, w, b},
          intsAttr("kernel_shape", unit.kernel(), unit.kernel()),
          intsAttr("strides", unit.stride(), unit.stride()),
          intsAttr("pads", pad, pad, pad, pad),
          intsAttr("dilations", 1, 1),
          intAttr("group", 1));
    }

    String relu(String input, String name) {
      return node("Relu", name, new String[] {input});
    }

    String add(String a, String b, String name) {
      return node("Add", name, new String[] {a, b});
    }

    String node(String op, String name, String[] inputs, AttributeProto... attributes) {
      NodeProto.Builder n = NodeProto.newBuilder().setOpType(op).setName(name).addOutput(name);
      Arrays.stream(inputs).forEach(n::addInput);
      Arrays.stream(attributes).forEach(n::addAttribute);
      graph.addNode(n);
      return name;
    }

    String initializer(String name, float[] values, long[] dims) {
      ByteBuffer buf =
          ByteBuffer.allocate(values.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
      buf.asFloatBuffer().put(values);
      TensorProto.Builder t =
          TensorProto.newBuilder()
              .setName(name)
              .setDataType(TensorProto.DataType.FLOAT_VALUE)
              .setRawData(ByteString.copyFrom(buf.array()));
      Arrays.stream(dims).forEach(t::addDims);
      graph.addInitializer(t);
      return name;
    }

    String int64Initializer(String name, long[] values) {
      TensorProto.Builder t =
          TensorProto.newBuilder()
              .setName(name)
              .setDataType(TensorProto.DataType.INT64_VALUE)
              .addDims(values.length);
      Arrays.stream(values).forEach(t::addInt64Data);
      graph.addInitializer(t);
      return name;
    }
  }
}
