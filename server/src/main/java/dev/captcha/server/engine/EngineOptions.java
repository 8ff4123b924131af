package dev.captcha.server.engine;

import java.util.Objects;

/**
 * How to run the model; immutable.
 *
 * @param device the execution provider to use
 * @param intraOpThreads threads ONNX Runtime may use inside one operator; 0 lets it choose
 * @param topK candidates reported per position
 * @param spinning whether ONNX Runtime's intra-op threads busy-wait for work between operators (its
 *     default); off, they sleep, leaving the cores to decoding and the network
 */
public record EngineOptions(Device device, int intraOpThreads, int topK, boolean spinning) {

  /** Options with ONNX Runtime's default of spinning intra-op threads. */
  public EngineOptions(Device device, int intraOpThreads, int topK) {
    this(device, intraOpThreads, topK, true);
  }

  /** The defaults of the command line: any device, threads chosen by ONNX Runtime, top 3. */
  public static EngineOptions defaults() {
    return new EngineOptions(Device.AUTO, 0, 3, true);
  }

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
