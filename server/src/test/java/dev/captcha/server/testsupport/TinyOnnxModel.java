package dev.captcha.server.testsupport;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes a tiny ONNX model for tests with the ONNX protobuf classes ({@code OnnxMl}): input {@code
 * image [N,1,64,128]}, graph ReduceMean, Reshape, MatMul, Add, Reshape to {@code logits [N,4,62]}.
 * An all-black image reads {@link #BLACK_TEXT} and an all-white one {@link #WHITE_TEXT}.
 */
public final class TinyOnnxModel {
  public static final String CHARSET =
      "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  public static final String BLACK_TEXT = "ab12";
  public static final String WHITE_TEXT = "XY9z";
  public static final int LENGTH = 4;
  public static final int HEIGHT = 64;
  public static final int WIDTH = 128;

  private TinyOnnxModel() {}

  /** The metadata of a valid model, in a mutable map tests may alter. */
  public static Map<String, String> metadata() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("captcha.format", "1");
    m.put("captcha.model.name", "tiny-test");
    m.put("captcha.model.version", "0.0.1");
    m.put("captcha.charset", CHARSET);
    m.put("captcha.length", "4");
    m.put("captcha.decoder", "heads");
    m.put("captcha.input.name", "image");
    m.put("captcha.output.name", "logits");
    m.put("captcha.input.channels", "1");
    m.put("captcha.input.height", "64");
    m.put("captcha.input.width", "128");
    m.put("captcha.input.color", "min-rgb");
    m.put("captcha.input.scale", "0.00392156862745098");
    m.put("captcha.input.mean", "0");
    m.put("captcha.input.std", "1");
    m.put("captcha.input.resize", "bilinear-stretch");
    m.put("captcha.validation.exact_accuracy", "0.5");
    return m;
  }

  /** Writes the model with the given metadata to {@code file}. */
  public static Path write(Path file, Map<String, String> metadata) {
    try {
      Files.write(file, bytes(metadata));
      return file;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The serialized ModelProto, built with the ONNX protobuf classes. */
  public static byte[] bytes(Map<String, String> metadata) {
    int k = CHARSET.length();
    int outputs = LENGTH * k;
    float[] weights = new float[outputs];
    float[] bias = new float[outputs];
    for (int p = 0; p < LENGTH; p++) {
      bias[p * k + CHARSET.indexOf(BLACK_TEXT.charAt(p))] = 5f;
      weights[p * k + CHARSET.indexOf(WHITE_TEXT.charAt(p))] = 10f;
    }
    OnnxMl.GraphProto graph =
        OnnxMl.GraphProto.newBuilder()
            .setName("tiny")
            .addNode(
                node("ReduceMean", List.of("image"), "mean")
                    .addAttribute(
                        OnnxMl.AttributeProto.newBuilder()
                            .setName("axes")
                            .addAllInts(List.of(1L, 2L, 3L))
                            .setType(OnnxMl.AttributeProto.AttributeType.INTS))
                    .addAttribute(
                        OnnxMl.AttributeProto.newBuilder()
                            .setName("keepdims")
                            .setI(1)
                            .setType(OnnxMl.AttributeProto.AttributeType.INT)))
            .addNode(node("Reshape", List.of("mean", "shape_n1"), "flat"))
            .addNode(node("MatMul", List.of("flat", "weights"), "scaled"))
            .addNode(node("Add", List.of("scaled", "bias"), "sum"))
            .addNode(node("Reshape", List.of("sum", "shape_nlk"), "logits"))
            .addInitializer(longTensor("shape_n1", -1, 1))
            .addInitializer(longTensor("shape_nlk", -1, LENGTH, k))
            .addInitializer(floatTensor("weights", new long[] {1, outputs}, weights))
            .addInitializer(floatTensor("bias", new long[] {outputs}, bias))
            .addInput(valueInfo("image", "N", 1, HEIGHT, WIDTH))
            .addOutput(valueInfo("logits", "N", LENGTH, k))
            .build();
    OnnxMl.ModelProto.Builder model =
        OnnxMl.ModelProto.newBuilder()
            .setIrVersion(8)
            .setProducerName("captcha-server-tests")
            .setGraph(graph)
            .addOpsetImport(OnnxMl.OperatorSetIdProto.newBuilder().setDomain("").setVersion(17));
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      model.addMetadataProps(
          OnnxMl.StringStringEntryProto.newBuilder().setKey(e.getKey()).setValue(e.getValue()));
    }
    return model.build().toByteArray();
  }

  private static OnnxMl.NodeProto.Builder node(String op, List<String> inputs, String output) {
    return OnnxMl.NodeProto.newBuilder()
        .addAllInput(inputs)
        .addOutput(output)
        .setName(op + "_" + output)
        .setOpType(op);
  }

  private static OnnxMl.TensorProto longTensor(String name, long... values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      raw.putLong(v);
    }
    return OnnxMl.TensorProto.newBuilder()
        .addDims(values.length)
        .setDataType(OnnxMl.TensorProto.DataType.INT64.getNumber())
        .setName(name)
        .setRawData(ByteString.copyFrom(raw.array()))
        .build();
  }

  private static OnnxMl.TensorProto floatTensor(String name, long[] dims, float[] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      raw.putFloat(v);
    }
    OnnxMl.TensorProto.Builder t = OnnxMl.TensorProto.newBuilder();
    for (long d : dims) {
      t.addDims(d);
    }
    return t.setDataType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
        .setName(name)
        .setRawData(ByteString.copyFrom(raw.array()))
        .build();
  }

  private static OnnxMl.ValueInfoProto valueInfo(String name, String batchParam, long... dims) {
    OnnxMl.TensorShapeProto.Builder shape =
        OnnxMl.TensorShapeProto.newBuilder()
            .addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimParam(batchParam));
    for (long d : dims) {
      shape.addDim(OnnxMl.TensorShapeProto.Dimension.newBuilder().setDimValue(d));
    }
    return OnnxMl.ValueInfoProto.newBuilder()
        .setName(name)
        .setType(
            OnnxMl.TypeProto.newBuilder()
                .setTensorType(
                    OnnxMl.TypeProto.Tensor.newBuilder()
                        .setElemType(OnnxMl.TensorProto.DataType.FLOAT.getNumber())
                        .setShape(shape)))
        .build();
  }
}
