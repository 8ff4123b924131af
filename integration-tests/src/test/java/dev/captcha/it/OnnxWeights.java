package dev.captcha.it;

import ai.onnx.proto.OnnxMl;
import com.google.protobuf.ByteString;
import com.google.protobuf.InvalidProtocolBufferException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Copies of ONNX models with other weights, altered through the ONNX protobuf classes, so that a
 * test can tell which model answered; stateless.
 */
final class OnnxWeights {
  private OnnxWeights() {}

  /**
   * {@code model} with every float of the named initializers negated: the arg-max of a final layer
   * becomes its arg-min.
   *
   * @throws IllegalArgumentException when the model lacks one of them
   */
  static byte[] negated(byte[] model, String... initializers) {
    OnnxMl.ModelProto proto;
    try {
      proto = OnnxMl.ModelProto.parseFrom(model);
    } catch (InvalidProtocolBufferException e) {
      throw new IllegalArgumentException("not an ONNX model", e);
    }
    Set<String> left = new HashSet<>(List.of(initializers));
    OnnxMl.GraphProto.Builder graph = proto.getGraph().toBuilder();
    for (int i = 0; i < graph.getInitializerCount(); i++) {
      OnnxMl.TensorProto t = graph.getInitializer(i);
      if (left.remove(t.getName())) {
        graph.setInitializer(i, negated(t));
      }
    }
    if (!left.isEmpty()) {
      throw new IllegalArgumentException("the model has no initializers " + left);
    }
    return proto.toBuilder().setGraph(graph).build().toByteArray();
  }

  private static OnnxMl.TensorProto negated(OnnxMl.TensorProto t) {
    if (t.getDataType() != OnnxMl.TensorProto.DataType.FLOAT.getNumber()) {
      throw new IllegalArgumentException(t.getName() + " is not a float tensor");
    }
    OnnxMl.TensorProto.Builder b = t.toBuilder();
    if (!t.getRawData().isEmpty()) {
      ByteBuffer in = t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN);
      ByteBuffer out = ByteBuffer.allocate(in.remaining()).order(ByteOrder.LITTLE_ENDIAN);
      while (in.remaining() >= Float.BYTES) {
        out.putFloat(-in.getFloat());
      }
      b.setRawData(ByteString.copyFrom(out.array()));
    } else {
      for (int i = 0; i < t.getFloatDataCount(); i++) {
        b.setFloatData(i, -t.getFloatData(i));
      }
    }
    return b.build();
  }
}
