package dev.captcha.server.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtException;
import ai.onnxruntime.OrtSession;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.read.ListAppender;
import dev.captcha.model.ModelFormatException;
import dev.captcha.model.Prediction;
import dev.captcha.server.batch.BatchEngine;
import dev.captcha.server.testsupport.TinyOnnxModel;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.LoggerFactory;

class OnnxModelTest {
  private static final EngineOptions CPU = new EngineOptions(Device.CPU, 1, 3);

  @TempDir Path dir;

  private static float[] filled(float v) {
    float[] a = new float[TinyOnnxModel.HEIGHT * TinyOnnxModel.WIDTH];
    Arrays.fill(a, v);
    return a;
  }

  @Test
  void loadsMetadataAndRunsBatchesInOrder() throws Exception {
    Path file = TinyOnnxModel.write(dir.resolve("m.onnx"), TinyOnnxModel.metadata());
    try (OnnxModel model = OnnxModel.load(file, CPU)) {
      assertEquals("tiny-test", model.metadata().name());
      assertEquals("CPU", model.executionProvider());
      assertEquals(0.5f, model.metadata().validationAccuracy());
      BatchEngine<float[], Prediction> engine = model.newInstance(4);
      List<Prediction> out = engine.infer(List.of(filled(0), filled(1), filled(0)));
      assertEquals(3, out.size());
      assertEquals(TinyOnnxModel.BLACK_TEXT, out.get(0).text());
      assertEquals(TinyOnnxModel.WHITE_TEXT, out.get(1).text());
      assertEquals(TinyOnnxModel.BLACK_TEXT, out.get(2).text());
      Prediction p = out.get(1);
      assertEquals(4, p.positions().size());
      assertEquals(3, p.positions().get(0).size());
      assertEquals("X", p.positions().get(0).get(0).character());
      assertTrue(p.confidence() > 0.9f && p.confidence() <= 1f, "confidence " + p.confidence());
      // The buffer is reused: a smaller batch after a larger one still reads its own inputs.
      assertEquals(TinyOnnxModel.WHITE_TEXT, engine.infer(List.of(filled(1))).get(0).text());
    }
  }

  @Test
  void refusesAFileMissingARequiredKeyNamingIt() {
    Map<String, String> meta = TinyOnnxModel.metadata();
    meta.remove("captcha.charset");
    meta.remove("captcha.input.color");
    Path file = TinyOnnxModel.write(dir.resolve("bad.onnx"), meta);
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> OnnxModel.load(file, CPU));
    assertTrue(e.getMessage().contains("captcha.charset"), e.getMessage());
    assertTrue(e.getMessage().contains("captcha.input.color"), e.getMessage());
  }

  @Test
  void refusesMetadataThatContradictsTheGraph() {
    Map<String, String> meta = TinyOnnxModel.metadata();
    meta.put("captcha.input.height", "32");
    Path file = TinyOnnxModel.write(dir.resolve("bad.onnx"), meta);
    ModelFormatException e =
        assertThrows(ModelFormatException.class, () -> OnnxModel.load(file, CPU));
    assertTrue(e.getMessage().contains("input"), e.getMessage());
  }

  @Test
  void refusesAMissingOrCorruptFile() throws Exception {
    assertThrows(EngineException.class, () -> OnnxModel.load(dir.resolve("none.onnx"), CPU));
    Path junk = java.nio.file.Files.writeString(dir.resolve("junk.onnx"), "not a model");
    assertThrows(EngineException.class, () -> OnnxModel.load(junk, CPU));
  }

  /** Whether ONNX Runtime here loads the CUDA execution provider, asked without OnnxModel. */
  private static boolean cudaLoads() {
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions()) {
      options.addCUDA(0);
      return true;
    } catch (OrtException | RuntimeException | LinkageError e) {
      return false;
    }
  }

  /** The messages {@link OnnxModel} logs while {@code action} runs. */
  private static List<String> logged(ThrowingRunnable action) throws Exception {
    Logger logger = (Logger) LoggerFactory.getLogger(OnnxModel.class);
    ListAppender<ILoggingEvent> appender = new ListAppender<>();
    appender.start();
    logger.addAppender(appender);
    try {
      action.run();
    } finally {
      logger.detachAppender(appender);
    }
    return appender.list.stream().map(ILoggingEvent::getFormattedMessage).toList();
  }

  private interface ThrowingRunnable {
    void run() throws Exception;
  }

  @Test
  void autoUsesCudaWhereItLoadsAndElseFallsBackToCpuSayingSo() throws Exception {
    boolean cuda = cudaLoads();
    Path file = TinyOnnxModel.write(dir.resolve("m.onnx"), TinyOnnxModel.metadata());
    String[] provider = new String[1];
    List<String> log =
        logged(
            () -> {
              try (OnnxModel model = OnnxModel.load(file, new EngineOptions(Device.AUTO, 1, 1))) {
                provider[0] = model.executionProvider();
                assertEquals(
                    TinyOnnxModel.BLACK_TEXT,
                    model.newInstance(1).infer(List.of(filled(0))).get(0).text());
              }
            });
    List<String> fallbacks =
        log.stream()
            .filter(m -> m.startsWith("CUDA execution provider not available"))
            .filter(m -> m.endsWith("running on CPU"))
            .toList();
    if (cuda) {
      assertEquals("CUDA", provider[0], "CUDA loads here, so auto must use it");
      assertEquals(List.of(), fallbacks, "no fallback where CUDA loads: " + log);
    } else {
      assertEquals("CPU", provider[0], "CUDA does not load here");
      assertEquals(1, fallbacks.size(), "one fallback line: " + log);
    }
  }

  @Test
  void cudaFailsFastWithAClearMessageWhereItCannotLoad() throws Exception {
    Path file = TinyOnnxModel.write(dir.resolve("m.onnx"), TinyOnnxModel.metadata());
    if (cudaLoads()) {
      try (OnnxModel model = OnnxModel.load(file, new EngineOptions(Device.CUDA, 1, 1))) {
        assertEquals("CUDA", model.executionProvider());
      }
    } else {
      EngineException e =
          assertThrows(
              EngineException.class,
              () -> OnnxModel.load(file, new EngineOptions(Device.CUDA, 1, 1)));
      assertTrue(e.getMessage().startsWith("--device cuda"), e.getMessage());
    }
  }
}
