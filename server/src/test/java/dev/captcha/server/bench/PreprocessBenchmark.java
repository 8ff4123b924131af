package dev.captcha.server.bench;

import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.model.ColorMode;
import dev.captcha.model.InputSpec;
import dev.captcha.model.Prediction;
import dev.captcha.model.Preprocessor;
import dev.captcha.server.batch.BatchEngine;
import dev.captcha.server.engine.Device;
import dev.captcha.server.engine.EngineOptions;
import dev.captcha.server.engine.OnnxModel;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.image.ImageLimits;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;
import org.openjdk.jmh.infra.Blackhole;

/**
 * Decoding plus preprocessing of one generated 128x64 captcha PNG (and preprocessing alone), side
 * by side with the inference of one image (batch of 1) on the bundled model, single-threaded, so
 * their ratio can be read from one run. {@code inferOne} is skipped (reports nothing useful) when
 * the model file is missing.
 */
@State(Scope.Benchmark)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 2)
@Measurement(iterations = 5, time = 2)
@Fork(
    value = 1,
    jvmArgsAppend = {"-Xmx1g", "-Djava.awt.headless=true"})
public class PreprocessBenchmark {
  @Param({"models/captcha-resnet.onnx"})
  public String model;

  private byte[][] pngs;
  private BufferedImage[] decoded;
  private int next;
  private ImageDecoder decoder;
  private Preprocessor preprocessor;
  private OnnxModel onnx;
  private BatchEngine<float[], Prediction> engine;
  private List<float[]> one;

  @Setup(Level.Trial)
  public void setUp() throws Exception {
    CaptchaGenerator generator =
        CaptchaGenerator.builder()
            .fonts(FontCatalog.scanDefault().resolve(FontCatalog.BUNDLED_MODEL_FAMILIES))
            .build();
    pngs = new byte[64][];
    for (int i = 0; i < pngs.length; i++) {
      pngs[i] = generator.generate(42, i).png();
    }
    decoder = new ImageDecoder(ImageLimits.DEFAULT);
    InputSpec spec = new InputSpec(1, 64, 128, ColorMode.MIN_RGB, 1 / 255f, 0, 1);
    Path file = Path.of(model);
    if (Files.isRegularFile(file)) {
      onnx = OnnxModel.load(file, new EngineOptions(Device.CPU, 1, 3));
      spec = onnx.metadata().input();
      engine = onnx.newInstance(1);
      one = List.of(new Preprocessor(spec).toTensor(decoder.decode(pngs[0])));
    } else {
      System.out.println("\nno model at " + file.toAbsolutePath() + ": inferOne measures nothing");
    }
    preprocessor = new Preprocessor(spec);
    decoded = new BufferedImage[pngs.length];
    for (int i = 0; i < pngs.length; i++) {
      decoded[i] = decoder.decode(pngs[i]);
    }
  }

  @TearDown(Level.Trial)
  public void tearDown() {
    if (onnx != null) {
      onnx.close();
    }
  }

  @Benchmark
  public float[] decodeAndPreprocess() throws Exception {
    byte[] png = pngs[next++ & 63];
    return preprocessor.toTensor(decoder.decode(png));
  }

  /** Preprocessing alone, of an image decoded in set-up. */
  @Benchmark
  public float[] preprocessDecoded() {
    return preprocessor.toTensor(decoded[next++ & 63]);
  }

  @Benchmark
  public void inferOne(Blackhole bh) throws Exception {
    if (engine != null) {
      bh.consume(engine.infer(one));
    }
  }
}
