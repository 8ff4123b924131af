package dev.captcha.training.quantize;

import ai.onnx.proto.OnnxMl.TensorProto;
import java.util.Locale;

/** The 8-bit integer type of quantized activations; immutable. */
public enum ActivationType {
  /**
   * Unsigned 8-bit, zero point anywhere in 0..255 (ONNX Runtime's fastest CPU path with int8
   * weights).
   */
  U8(0, 255, TensorProto.DataType.UINT8_VALUE),
  /** Signed 8-bit, zero point anywhere in -128..127. */
  S8(-128, 127, TensorProto.DataType.INT8_VALUE);

  private final int min;
  private final int max;
  private final int onnxType;

  ActivationType(int min, int max, int onnxType) {
    this.min = min;
    this.max = max;
    this.onnxType = onnxType;
  }

  /** Smallest integer value. */
  public int min() {
    return min;
  }

  /** Largest integer value. */
  public int max() {
    return max;
  }

  /** The ONNX TensorProto data type. */
  int onnxType() {
    return onnxType;
  }

  /** Lower-case name as written in metadata and accepted on the command line. */
  public String label() {
    return name().toLowerCase(Locale.ROOT);
  }

  /**
   * Scale and zero point mapping {@code range} onto this type; the range always contains 0, which
   * maps exactly onto the zero point, so a range starting at 0 (a ReLU output) gets the type's
   * minimum.
   */
  QuantParams params(TensorRange range) {
    double lo = Math.min(0, range.lo());
    double hi = Math.max(0, range.hi());
    double scale = (hi - lo) / (max - min);
    if (!(scale > 1e-12)) {
      scale = 1e-12;
    }
    long zp = Math.round(min - lo / scale);
    return new QuantParams((float) scale, (int) Math.max(min, Math.min(max, zp)));
  }

  /** Scale and zero point of one quantized tensor. */
  record QuantParams(float scale, int zeroPoint) {}
}
