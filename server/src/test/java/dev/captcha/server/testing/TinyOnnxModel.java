package dev.captcha.server.testing;

import com.google.protobuf.CodedOutputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * Writes a tiny ONNX model for tests, encoding the ONNX protobuf messages field by field: input
 * {@code image [N,1,64,128]}, graph ReduceMean, Reshape, MatMul, Add, Reshape to {@code logits
 * [N,4,62]}. An all-black image reads {@link #BLACK_TEXT} and an all-white one {@link #WHITE_TEXT}.
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

  /** The serialized ModelProto. */
  public static byte[] bytes(Map<String, String> metadata) {
    int k = CHARSET.length();
    int outputs = LENGTH * k;
    float[] weights = new float[outputs];
    float[] bias = new float[outputs];
    for (int p = 0; p < LENGTH; p++) {
      bias[p * k + CHARSET.indexOf(BLACK_TEXT.charAt(p))] = 5f;
      weights[p * k + CHARSET.indexOf(WHITE_TEXT.charAt(p))] = 10f;
    }
    Msg graph = new Msg()
        .msg(1, node("ReduceMean", new String[] {"image"}, "mean",
            new Msg().str(1, "axes").i64s(8, 1, 2, 3).i64(20, 7),
            new Msg().str(1, "keepdims").i64(3, 1).i64(20, 2)))
        .msg(1, node("Reshape", new String[] {"mean", "shape_n1"}, "flat"))
        .msg(1, node("MatMul", new String[] {"flat", "weights"}, "scaled"))
        .msg(1, node("Add", new String[] {"scaled", "bias"}, "sum"))
        .msg(1, node("Reshape", new String[] {"sum", "shape_nlk"}, "logits"))
        .str(2, "tiny")
        .msg(5, longTensor("shape_n1", -1, 1))
        .msg(5, longTensor("shape_nlk", -1, LENGTH, k))
        .msg(5, floatTensor("weights", new long[] {1, outputs}, weights))
        .msg(5, floatTensor("bias", new long[] {outputs}, bias))
        .msg(11, valueInfo("image", "N", 1, HEIGHT, WIDTH))
        .msg(12, valueInfo("logits", "N", LENGTH, k));
    Msg model = new Msg()
        .i64(1, 8)
        .str(2, "captcha-server-tests")
        .msg(7, graph)
        .msg(8, new Msg().str(1, "").i64(2, 17));
    for (Map.Entry<String, String> e : metadata.entrySet()) {
      model.msg(14, new Msg().str(1, e.getKey()).str(2, e.getValue()));
    }
    return model.toBytes();
  }

  private static Msg node(String op, String[] inputs, String output, Msg... attributes) {
    Msg n = new Msg();
    for (String in : inputs) {
      n.str(1, in);
    }
    n.str(2, output).str(3, op + "_" + output).str(4, op);
    for (Msg a : attributes) {
      n.msg(5, a);
    }
    return n;
  }

  private static Msg longTensor(String name, long... values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 8).order(ByteOrder.LITTLE_ENDIAN);
    for (long v : values) {
      raw.putLong(v);
    }
    return new Msg().i64(1, values.length).i64(2, 7).str(8, name).bytes(9, raw.array());
  }

  private static Msg floatTensor(String name, long[] dims, float[] values) {
    ByteBuffer raw = ByteBuffer.allocate(values.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (float v : values) {
      raw.putFloat(v);
    }
    Msg t = new Msg();
    for (long d : dims) {
      t.i64(1, d);
    }
    return t.i64(2, 1).str(8, name).bytes(9, raw.array());
  }

  private static Msg valueInfo(String name, String batchParam, long... dims) {
    Msg shape = new Msg().msg(1, new Msg().str(2, batchParam));
    for (long d : dims) {
      shape.msg(1, new Msg().i64(1, d));
    }
    Msg tensorType = new Msg().i64(1, 1).msg(2, shape);
    return new Msg().str(1, name).msg(2, new Msg().msg(1, tensorType));
  }

  /** A protobuf message built field by field. */
  private static final class Msg {
    private final ByteArrayOutputStream buf = new ByteArrayOutputStream();
    private final CodedOutputStream out = CodedOutputStream.newInstance(buf);

    Msg i64(int field, long v) {
      try {
        out.writeInt64(field, v);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    Msg i64s(int field, long... vs) {
      for (long v : vs) {
        i64(field, v);
      }
      return this;
    }

    Msg str(int field, String s) {
      try {
        out.writeString(field, s);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    Msg bytes(int field, byte[] b) {
      try {
        out.writeByteArray(field, b);
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return this;
    }

    Msg msg(int field, Msg m) {
      return bytes(field, m.toBytes());
    }

    byte[] toBytes() {
      try {
        out.flush();
      } catch (IOException e) {
        throw new UncheckedIOException(e);
      }
      return buf.toByteArray();
    }
  }
}
