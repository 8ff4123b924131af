package dev.captcha.server.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.model.Prediction;
import dev.captcha.server.engine.Device;
import dev.captcha.server.engine.EngineOptions;
import dev.captcha.server.engine.OnnxModel;
import dev.captcha.server.testsupport.OnnxWeights;
import dev.captcha.server.testsupport.RecordingScheduler;
import dev.captcha.server.testsupport.TinyOnnxModel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Hot reload with real ONNX Runtime sessions of a tiny model. */
class OnnxHotReloadTest {
  private static final EngineOptions CPU = new EngineOptions(Device.CPU, 1, 2);
  private static final int MAX_BATCH = 3;

  @TempDir Path dir;

  private static float[] black() {
    return new float[TinyOnnxModel.HEIGHT * TinyOnnxModel.WIDTH];
  }

  private Path model(String name, String version, Map<String, String> changes) {
    Map<String, String> meta = TinyOnnxModel.metadata();
    meta.put("captcha.model.version", version);
    meta.putAll(changes);
    meta.values().removeIf(String::isEmpty);
    return TinyOnnxModel.write(dir.resolve(name), meta);
  }

  /**
   * A model of the same shape with its weights negated: it reads an all-black image as {@link
   * #OTHER_BLACK_TEXT}, so an answer shows which weights computed it.
   */
  private Path otherWeights(String name, String version) throws Exception {
    Path same = model(name, version, Map.of());
    Files.write(same, OnnxWeights.negated(Files.readAllBytes(same), "weights", "bias"));
    return same;
  }

  /** The tiny model's bias picks BLACK_TEXT; negated, the first class (0) wins everywhere. */
  private static final String OTHER_BLACK_TEXT = "0000";

  @Test
  void swapsToAValidFileAndRefusesBrokenOnesWhileTheModelInForceServes() throws Exception {
    Path v1 = model("v1.onnx", "1.0.0", Map.of());
    List<String> swaps = new ArrayList<>();
    ReloadListener listener =
        new ReloadListener() {
          @Override
          public void swapped(dev.captcha.model.ModelMetadata m, String provider) {
            swaps.add(m.version() + "/" + provider);
          }
        };
    try (HotSwapModel<float[], Prediction> hot =
        new HotSwapModel<>(
            OnnxServedModels.of(OnnxModel.load(v1, CPU), MAX_BATCH),
            OnnxServedModels.loader(CPU, MAX_BATCH),
            2,
            MAX_BATCH,
            black(),
            listener)) {
      assertEquals("1.0.0", hot.metadata().version());

      Path wrongShape = model("wide.onnx", "2.0.0", Map.of("captcha.input.width", "160"));
      ModelRefusedException shape =
          assertThrows(ModelRefusedException.class, () -> hot.reload(wrongShape));
      assertTrue(shape.getMessage().contains("160"), shape.getMessage());

      Path noCharset = model("nocharset.onnx", "2.0.0", Map.of("captcha.charset", ""));
      ModelRefusedException meta =
          assertThrows(ModelRefusedException.class, () -> hot.reload(noCharset));
      assertTrue(meta.getMessage().contains("captcha.charset"), meta.getMessage());

      assertEquals("1.0.0", hot.metadata().version());
      assertEquals(
          TinyOnnxModel.BLACK_TEXT, hot.engines().get(0).infer(List.of(black())).get(0).text());

      hot.reload(otherWeights("v2.onnx", "2.0.0"));

      assertEquals("2.0.0", hot.metadata().version());
      assertEquals(List.of("2.0.0/CPU"), swaps);
      for (int i = 0; i < 2; i++) {
        List<Prediction> out = hot.engines().get(i).infer(List.of(black(), black()));
        assertEquals(
            OTHER_BLACK_TEXT, out.get(1).text(), "instance " + i + " runs the new weights");
      }
    }
  }

  @Test
  void aWatchedModelFileIsReloadedWhenReplaced() throws Exception {
    Path file = model("model.onnx", "1.0.0", Map.of());
    RecordingScheduler scheduler = new RecordingScheduler();
    try (ServingModel watched =
        ServingModel.create(
            OnnxModel.load(file, CPU), file, CPU, 1, MAX_BATCH, ReloadListener.NONE)) {
      watched.watch(Duration.ofSeconds(1), scheduler);
      Path staged = otherWeights("staged.onnx", "1.1.0");
      Files.move(staged, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
      scheduler.runNext();
      assertEquals("1.0.0", watched.metadata().version(), "reloaded before the file settled");
      scheduler.runNext();
      assertEquals("1.1.0", watched.metadata().version());
      assertEquals("CPU", watched.executionProvider());
      assertEquals(
          OTHER_BLACK_TEXT, watched.engines().get(0).infer(List.of(black())).get(0).text());
    }
    assertTrue(scheduler.scheduled.isEmpty(), "polling goes on after close");
  }
}
