package dev.captcha.server;

import dev.captcha.server.engine.Device;
import dev.captcha.server.engine.EngineOptions;
import java.util.Locale;
import picocli.CommandLine.Option;

/** The options of {@link EngineOptions}; defaults from {@link EngineOptions#defaults()}. */
final class EngineGroup {
  private static final EngineOptions DEFAULTS = EngineOptions.defaults();

  @Option(
      names = "--device",
      description =
          "auto (CUDA where it loads, else CPU), cpu or cuda (fails where CUDA cannot"
              + " load) (CAPTCHA_DEVICE, default ${DEFAULT-VALUE}).")
  String device = DEFAULTS.device().name().toLowerCase(Locale.ROOT);

  @Option(
      names = "--intra-op-threads",
      description =
          "ONNX Runtime threads per operator; 0 lets it choose"
              + " (CAPTCHA_INTRA_OP_THREADS, default ${DEFAULT-VALUE}).")
  int intraOpThreads = DEFAULTS.intraOpThreads();

  @Option(
      names = "--intra-op-spinning",
      negatable = true,
      fallbackValue = "true",
      description =
          "Let ONNX Runtime's intra-op threads busy-wait between operators (its"
              + " default); --no-intra-op-spinning makes them sleep, leaving the cores to decoding"
              + " and the network (CAPTCHA_INTRA_OP_SPINNING, default ${DEFAULT-VALUE}).")
  boolean intraOpSpinning = DEFAULTS.spinning();

  @Option(
      names = "--top-k",
      description = "Candidates reported per position (CAPTCHA_TOP_K, default ${DEFAULT-VALUE}).")
  int topK = DEFAULTS.topK();

  /**
   * The options these describe.
   *
   * @throws IllegalArgumentException naming the invalid option
   */
  EngineOptions options() {
    return new EngineOptions(Device.parse(device), intraOpThreads, topK, intraOpSpinning);
  }
}
