package dev.captcha.server.bench;

import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.model.Prediction;
import dev.captcha.model.Preprocessor;
import dev.captcha.server.batch.BatchEngine;
import dev.captcha.server.engine.Device;
import dev.captcha.server.engine.EngineOptions;
import dev.captcha.server.engine.OnnxModel;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.image.ImageLimits;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;

/**
 * Decode-and-preprocess cost of a generated 128x64 PNG as a fraction of one image's inference
 * (batch of 1, one intra-op thread), measured in alternating rounds in one JVM so that load from
 * other processes affects both sides alike; prints the median per-round figures.
 *
 * <p>Arguments: model file (default models/captcha-resnet.onnx), rounds (default 15).
 */
public final class PreprocessRatio {
  private PreprocessRatio() {}

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args.length > 0 ? args[0] : "models/captcha-resnet.onnx");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 15;
    CaptchaGenerator generator =
        CaptchaGenerator.builder()
            .fonts(FontCatalog.scanDefault().resolve(FontCatalog.BUNDLED_MODEL_FAMILIES))
            .build();
    byte[][] pngs = new byte[64][];
    for (int i = 0; i < pngs.length; i++) {
      pngs[i] = generator.generate(7, i).png();
    }
    ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);
    try (OnnxModel model = OnnxModel.load(file, new EngineOptions(Device.CPU, 1, 3))) {
      Preprocessor pre = new Preprocessor(model.metadata().input());
      BatchEngine<float[], Prediction> engine = model.newInstance(1);
      List<float[]> one = List.of(pre.toTensor(decoder.decode(pngs[0])));
      double[] decodeMicros = new double[rounds];
      double[] inferMicros = new double[rounds];
      double[] ratio = new double[rounds];
      long sink = 0;
      for (int r = -3; r < rounds; r++) {
        long t0 = System.nanoTime();
        for (int i = 0; i < 200; i++) {
          sink += pre.toTensor(decoder.decode(pngs[i & 63])).length;
        }
        long t1 = System.nanoTime();
        for (int i = 0; i < 20; i++) {
          sink += engine.infer(one).size();
        }
        long t2 = System.nanoTime();
        if (r >= 0) {
          decodeMicros[r] = (t1 - t0) / 200 / 1e3;
          inferMicros[r] = (t2 - t1) / 20 / 1e3;
          ratio[r] = decodeMicros[r] / inferMicros[r];
        }
      }
      System.out.printf(
          Locale.ROOT,
          "model %s: decode+preprocess %.0f us, inference of one image %.0f us, ratio %.1f%%"
              + " (medians of %d rounds; per-round ratios %.1f%%..%.1f%%) [%d]%n",
          file,
          median(decodeMicros),
          median(inferMicros),
          100 * median(ratio),
          rounds,
          100 * Arrays.stream(ratio).min().orElse(0),
          100 * Arrays.stream(ratio).max().orElse(0),
          sink % 10);
    }
  }

  private static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }
}
