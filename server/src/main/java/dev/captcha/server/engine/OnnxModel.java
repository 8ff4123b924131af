package dev.captcha.server.engine;

import ai.onnxruntime.NodeInfo;
import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ai.onnxruntime.TensorInfo;
import dev.captcha.model.HeadsDecoder;
import dev.captcha.model.InputSpec;
import dev.captcha.model.ModelFormatException;
import dev.captcha.model.ModelMetadata;
import dev.captcha.model.Prediction;
import dev.captcha.server.batch.BatchEngine;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A loaded ONNX model file: one ONNX Runtime session, its validated metadata and a factory for
 * batcher instances that share the session. Thread-safe; the owner closes it after the instances
 * are no longer used.
 */
public final class OnnxModel implements AutoCloseable {
  private static final Logger log = LoggerFactory.getLogger(OnnxModel.class);

  private final OrtEnvironment env;
  private final OrtSession session;
  private final ModelMetadata metadata;
  private final String executionProvider;
  private final HeadsDecoder decoder;

  private OnnxModel(
      OrtEnvironment env, OrtSession session, ModelMetadata metadata, String provider, int topK) {
    this.env = env;
    this.session = session;
    this.metadata = metadata;
    this.executionProvider = provider;
    this.decoder = new HeadsDecoder(metadata.charset(), metadata.length(), topK);
  }

  /**
   * Loads and validates a model file.
   *
   * @throws ModelFormatException when the file lacks required metadata or its graph does not match
   *     it
   * @throws EngineException when ONNX Runtime cannot load it, or CUDA was demanded and cannot load
   */
  public static OnnxModel load(Path file, EngineOptions options)
      throws ModelFormatException, EngineException {
    if (!Files.isRegularFile(file)) {
      throw new EngineException("model file " + file + " does not exist", null);
    }
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    OrtSession session = null;
    String provider = "CPU";
    if (options.device() != Device.CPU) {
      try {
        session = createSession(env, file, options, true);
        provider = "CUDA";
      } catch (OrtException | RuntimeException | LinkageError e) {
        if (options.device() == Device.CUDA) {
          throw new EngineException(
              "--device cuda: the CUDA execution provider could not be loaded ("
                  + e.getMessage()
                  + "); build with -Pcuda and make CUDA and cuDNN libraries available, or use"
                  + " --device cpu",
              e);
        }
        log.info("CUDA execution provider not available ({}); running on CPU", e.getMessage());
      }
    }
    try {
      if (session == null) {
        session = createSession(env, file, options, false);
      }
      ModelMetadata metadata = ModelMetadata.parse(session.getMetadata().getCustomMetadata());
      checkGraph(session, metadata);
      return new OnnxModel(env, session, metadata, provider, options.topK());
    } catch (OrtException e) {
      closeQuietly(session);
      throw new EngineException("ONNX Runtime could not load " + file + ": " + e.getMessage(), e);
    } catch (ModelFormatException e) {
      closeQuietly(session);
      throw new ModelFormatException(file + ": " + e.getMessage());
    }
  }

  private static OrtSession createSession(
      OrtEnvironment env, Path file, EngineOptions options, boolean cuda) throws OrtException {
    try (OrtSession.SessionOptions so = new OrtSession.SessionOptions()) {
      so.setOptimizationLevel(OrtSession.SessionOptions.OptLevel.ALL_OPT);
      if (options.intraOpThreads() > 0) {
        so.setIntraOpNumThreads(options.intraOpThreads());
      }
      if (!options.spinning()) {
        so.addConfigEntry("session.intra_op.allow_spinning", "0");
      }
      if (cuda) {
        so.addCUDA(0);
      }
      return env.createSession(file.toString(), so);
    }
  }

  private static void checkGraph(OrtSession session, ModelMetadata m)
      throws OrtException, ModelFormatException {
    Map<String, NodeInfo> inputs = session.getInputInfo();
    NodeInfo in = inputs.get(m.inputName());
    if (in == null) {
      throw new ModelFormatException(
          "graph has no input '" + m.inputName() + "' (inputs: " + inputs.keySet() + ")");
    }
    InputSpec spec = m.input();
    checkShape(in, "input", new long[] {-1, spec.channels(), spec.height(), spec.width()});
    Map<String, NodeInfo> outputs = session.getOutputInfo();
    NodeInfo out = outputs.get(m.outputName());
    if (out == null) {
      throw new ModelFormatException(
          "graph has no output '" + m.outputName() + "' (outputs: " + outputs.keySet() + ")");
    }
    checkShape(out, "output", new long[] {-1, m.length(), m.classes()});
  }

  private static void checkShape(NodeInfo node, String what, long[] expected)
      throws ModelFormatException {
    if (!(node.getInfo() instanceof TensorInfo t)) {
      throw new ModelFormatException("graph " + what + " " + node.getName() + " is not a tensor");
    }
    long[] shape = t.getShape();
    boolean ok = shape.length == expected.length && t.type == ai.onnxruntime.OnnxJavaType.FLOAT;
    for (int i = 1; ok && i < shape.length; i++) {
      ok = shape[i] < 0 || shape[i] == expected[i];
    }
    if (!ok) {
      throw new ModelFormatException(
          "graph "
              + what
              + " "
              + node.getName()
              + " is "
              + t.type
              + java.util.Arrays.toString(shape)
              + " but the metadata describes float"
              + java.util.Arrays.toString(expected)
              + " (-1: any)");
    }
  }

  public ModelMetadata metadata() {
    return metadata;
  }

  /** "CUDA" or "CPU". */
  public String executionProvider() {
    return executionProvider;
  }

  /**
   * A new batcher instance with its own reusable input buffer for up to {@code maxBatchSize} items;
   * the caller runs it from one thread at a time.
   */
  public BatchEngine<float[], Prediction> newInstance(int maxBatchSize) {
    return new OnnxInstance(env, session, metadata, decoder, maxBatchSize);
  }

  @Override
  public void close() {
    closeQuietly(session);
  }

  private static void closeQuietly(OrtSession session) {
    if (session != null) {
      try {
        session.close();
      } catch (OrtException e) {
        log.warn("closing the ONNX Runtime session failed", e);
      }
    }
  }
}
