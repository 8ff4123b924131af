package dev.captcha.training.export;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.nio.ByteOrder;

/** Reads the values of ONNX tensors; stateless. */
public final class OnnxTensors {
  private OnnxTensors() {}

  /**
   * The values of a float32 tensor, stored either as little-endian raw data or in {@code
   * float_data}.
   *
   * @throws IllegalArgumentException when the tensor is not float32
   */
  public static float[] floats(TensorProto t) {
    if (t.getDataType() != TensorProto.DataType.FLOAT_VALUE) {
      throw new IllegalArgumentException("tensor '" + t.getName() + "' is not float32");
    }
    if (!t.getRawData().isEmpty()) {
      float[] v = new float[t.getRawData().size() / Float.BYTES];
      t.getRawData().asReadOnlyByteBuffer().order(ByteOrder.LITTLE_ENDIAN).asFloatBuffer().get(v);
      return v;
    }
    float[] v = new float[t.getFloatDataCount()];
    for (int i = 0; i < v.length; i++) {
      v[i] = t.getFloatData(i);
    }
    return v;
  }
}
