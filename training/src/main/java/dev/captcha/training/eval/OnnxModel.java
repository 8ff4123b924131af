package dev.captcha.training.eval;

import ai.onnxruntime.OnnxTensor;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import dev.captcha.model.HeadsDecoder;
import dev.captcha.model.ModelFormatException;
import dev.captcha.model.ModelMetadata;
import java.nio.FloatBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * An exported captcha model loaded in ONNX Runtime (the path the server uses), with its parsed
 * metadata; owns the session. {@link #run} may be called from several threads (ONNX Runtime
 * sessions are thread-safe). ONNX Runtime's errors leave it as {@link InferenceException}.
 */
public final class OnnxModel implements AutoCloseable {
  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelMetadata info;
  private final HeadsDecoder decoder;

  private OnnxModel(OrtEnvironment env, OrtSession session, ModelMetadata info) {
    this.env = env;
    this.session = session;
    this.info = info;
    this.decoder = new HeadsDecoder(info.charset(), info.length(), 1);
  }

  /**
   * Loads {@code file} with {@code intraOpThreads} threads per inference.
   *
   * @throws IllegalArgumentException if the file is missing or its metadata is incomplete
   * @throws InferenceException if ONNX Runtime cannot load it
   */
  public static OnnxModel load(Path file, int intraOpThreads) {
    if (!Files.isRegularFile(file)) {
      throw new IllegalArgumentException("model file " + file + " does not exist");
    }
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("threads must be >= 1");
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session;
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(intraOpThreads);
      options.setInterOpNumThreads(1);
      options.setExecutionMode(OrtSession.SessionOptions.ExecutionMode.SEQUENTIAL);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      session = env.createSession(file.toString(), options);
    } catch (OrtException e) {
      throw new InferenceException("cannot load model file " + file + ": " + e.getMessage(), e);
    }
    try {
      Map<String, String> metadata = session.getMetadata().getCustomMetadata();
      ModelMetadata info;
      try {
        info = ModelMetadata.parse(metadata);
      } catch (ModelFormatException e) {
        throw new IllegalArgumentException(e.getMessage(), e);
      }
      if (!session.getInputNames().contains(info.inputName())) {
        throw new IllegalArgumentException(
            "the graph has no input '"
                + info.inputName()
                + "' (has "
                + session.getInputNames()
                + ")");
      }
      if (!session.getOutputNames().contains(info.outputName())) {
        throw new IllegalArgumentException(
            "the graph has no output '"
                + info.outputName()
                + "' (has "
                + session.getOutputNames()
                + ")");
      }
      return new OnnxModel(env, session, info);
    } catch (OrtException e) {
      closeQuietly(session, e);
      throw new InferenceException("cannot read model file " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(session, e);
      throw e;
    }
  }

  public ModelMetadata info() {
    return info;
  }

  /**
   * Runs {@code n} images, given as the first {@code n * info().input().itemSize()} floats of
   * {@code input} in [N, C, H, W] order, and returns the logits [n, length, classes] flattened.
   */
  public float[] run(float[] input, int n) {
    int size = n * info.input().itemSize();
    if (n < 1 || input.length < size) {
      throw new IllegalArgumentException(
          "need " + size + " input floats for " + n + " images, got " + input.length);
    }
    long[] shape = {n, info.input().channels(), info.input().height(), info.input().width()};
    try (OnnxTensor x = OnnxTensor.createTensor(env, FloatBuffer.wrap(input, 0, size), shape);
        OrtSession.Result result = session.run(Map.of(info.inputName(), x))) {
      OnnxTensor y =
          (OnnxTensor)
              result
                  .get(info.outputName())
                  .orElseThrow(() -> new IllegalStateException("no output " + info.outputName()));
      long[] outShape = y.getInfo().getShape();
      if (outShape.length != 3
          || outShape[0] != n
          || outShape[1] != info.length()
          || outShape[2] != info.classes()) {
        throw new IllegalStateException(
            "output shape "
                + java.util.Arrays.toString(outShape)
                + " is not ["
                + n
                + ", "
                + info.length()
                + ", "
                + info.classes()
                + "]");
      }
      FloatBuffer buf = y.getFloatBuffer();
      float[] out = new float[buf.remaining()];
      buf.get(out);
      return out;
    } catch (OrtException e) {
      throw new InferenceException("inference failed: " + e.getMessage(), e);
    }
  }

  /** One output tensor of {@link #runGraph}: its shape and values, row-major. */
  public record Tensor(long[] shape, float[] values) {}

  /**
   * Opens a graph given as ONNX bytes (no metadata needed) for repeated runs with {@code
   * intraOpThreads} threads and basic graph optimisation; for tools that read intermediate tensors
   * over many batches, such as int8 calibration.
   *
   * @throws InferenceException if ONNX Runtime cannot load it
   */
  public static Graph openGraph(byte[] model, int intraOpThreads) {
    if (intraOpThreads < 1) {
      throw new IllegalArgumentException("threads must be >= 1");
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.setIntraOpNumThreads(intraOpThreads);
      options.setInterOpNumThreads(1);
      options.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.BASIC_OPT);
      return new Graph(env, env.createSession(model, options));
    } catch (OrtException e) {
      throw new InferenceException("cannot load the graph: " + e.getMessage(), e);
    }
  }

  /**
   * A graph opened by {@link #openGraph}; owns its session. {@link #run} may be called from several
   * threads.
   */
  public static final class Graph implements AutoCloseable {
    private final OrtEnvironment env;
    private final OrtSession session;

    private Graph(OrtEnvironment env, OrtSession session) {
      this.env = env;
      this.session = session;
    }

    /**
     * Runs {@code length} floats of {@code input} from {@code offset}, shaped {@code shape}, as
     * input {@code inputName} and returns the named float outputs.
     */
    public Map<String, Tensor> run(
        String inputName,
        float[] input,
        int offset,
        int length,
        long[] shape,
        java.util.Set<String> outputs) {
      try (OnnxTensor x =
              OnnxTensor.createTensor(env, FloatBuffer.wrap(input, offset, length), shape);
          OrtSession.Result result = session.run(Map.of(inputName, x), outputs)) {
        Map<String, Tensor> out = new java.util.LinkedHashMap<>();
        for (String name : outputs) {
          OnnxTensor t =
              (OnnxTensor)
                  result
                      .get(name)
                      .orElseThrow(() -> new IllegalStateException("no output " + name));
          FloatBuffer buf = t.getFloatBuffer();
          float[] values = new float[buf.remaining()];
          buf.get(values);
          out.put(name, new Tensor(t.getInfo().getShape(), values));
        }
        return out;
      } catch (OrtException e) {
        throw new InferenceException("cannot run the graph: " + e.getMessage(), e);
      }
    }

    @Override
    public void close() {
      try {
        session.close();
      } catch (OrtException e) {
        throw new InferenceException("cannot close the session: " + e.getMessage(), e);
      }
    }
  }

  /** The text of each of the {@code n} captchas: per position, the class with the largest logit. */
  public String[] decode(float[] logits, int n) {
    String[] texts = new String[n];
    for (int i = 0; i < n; i++) {
      texts[i] = decoder.text(logits, i * decoder.itemSize());
    }
    return texts;
  }

  @Override
  public void close() {
    try {
      session.close();
    } catch (OrtException e) {
      throw new InferenceException("cannot close the session: " + e.getMessage(), e);
    }
  }

  private static void closeQuietly(OrtSession session, Exception failure) {
    try {
      session.close();
    } catch (OrtException e) {
      failure.addSuppressed(e);
    }
  }
}
