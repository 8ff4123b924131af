package dev.captcha.training.export;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import ai.onnx.proto.OnnxMl.TensorProto;
import com.google.protobuf.ByteString;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.junit.jupiter.api.Test;

class OnnxTensorsTest {

  private static final float[] VALUES = {1.5f, -2f, 0f, Float.MIN_VALUE, 3.25e7f};

  @Test
  void readsRawLittleEndianData() {
    ByteBuffer b = ByteBuffer.allocate(VALUES.length * Float.BYTES).order(ByteOrder.LITTLE_ENDIAN);
    b.asFloatBuffer().put(VALUES);
    TensorProto t =
        TensorProto.newBuilder()
            .setName("w")
            .setDataType(TensorProto.DataType.FLOAT_VALUE)
            .addDims(VALUES.length)
            .setRawData(ByteString.copyFrom(b.array()))
            .build();
    assertArrayEquals(VALUES, OnnxTensors.floats(t));
  }

  @Test
  void readsFloatData() {
    TensorProto.Builder t =
        TensorProto.newBuilder().setName("w").setDataType(TensorProto.DataType.FLOAT_VALUE);
    for (float v : VALUES) {
      t.addFloatData(v);
    }
    assertArrayEquals(VALUES, OnnxTensors.floats(t.build()));
  }

  @Test
  void refusesOtherTypesByName() {
    TensorProto t =
        TensorProto.newBuilder()
            .setName("scale_zero_point")
            .setDataType(TensorProto.DataType.INT8_VALUE)
            .build();
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> OnnxTensors.floats(t));
    assertEquals("tensor 'scale_zero_point' is not float32", e.getMessage());
  }
}
