package dev.captcha.server.engine;

import java.util.Objects;

/**
 * How to run the model; immutable.
 *
 * @param device the execution provider to use
 * @param intraOpThreads threads ONNX Runtime may use inside one operator; 0 lets it choose
 * @param topK candidates reported per position
 */
public record EngineOptions(Device device, int intraOpThreads, int topK) {

  /** Validates the options. */
  public EngineOptions {
    Objects.requireNonNull(device, "device");
    if (intraOpThreads < 0) {
      throw new IllegalArgumentException("intra-op threads must be >= 0, got " + intraOpThreads);
    }
    if (topK < 1) {
      throw new IllegalArgumentException("top-k must be >= 1, got " + topK);
    }
  }
}
