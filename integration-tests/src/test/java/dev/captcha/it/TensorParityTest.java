package dev.captcha.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.onnxruntime.OrtEnvironment;
import ai.onnxruntime.OrtSession;
import dev.captcha.generator.Captcha;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.model.ColorMode;
import dev.captcha.model.InputSpec;
import dev.captcha.model.ModelMetadata;
import dev.captcha.model.Preprocessor;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.image.ImageLimits;
import dev.captcha.training.data.ImageTensors;
import dev.captcha.training.eval.Samples;
import dev.captcha.training.model.CaptchaResNet;
import java.awt.AlphaComposite;
import java.awt.Graphics2D;
import java.awt.RenderingHints;
import java.awt.image.BufferedImage;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The training path and the serving path turn the same PNG files into identical input tensors: the
 * training side reads files as its evaluation does and packs the generator's images as its data
 * pipeline does, with the metadata its exporter writes; the server side decodes the bytes as the
 * service does, with the metadata of the bundled model file.
 */
class TensorParityTest {

  @Test
  void trainingAndServingTensorsAreIdentical(@TempDir Path dir) throws Exception {
    CaptchaGenerator generator =
        CaptchaGenerator.builder()
            .fonts(FontCatalog.scanDefault().resolve(List.of("DejaVu Sans")))
            .build();
    int generated = 12;
    for (int i = 0; i < generated; i++) {
      Captcha c = generator.generate(31, i);
      Files.write(dir.resolve(i + "_" + c.text() + ".png"), c.png());
    }
    // Files the server must stretch: a larger, partly transparent copy, and a smaller gray one.
    BufferedImage first =
        ImageIO.read(dir.resolve("0_" + generator.generate(31, 0).text() + ".png").toFile());
    ImageIO.write(
        scaled(first, 200, 90, BufferedImage.TYPE_INT_ARGB),
        "png",
        dir.resolve(generated + "_big.png").toFile());
    ImageIO.write(
        scaled(first, 100, 50, BufferedImage.TYPE_BYTE_GRAY),
        "png",
        dir.resolve((generated + 1) + "_gray.png").toFile());

    ModelMetadata training =
        ModelMetadata.parse(
            dev.captcha.training.export.ModelMetadata.required(
                CaptchaResNet.Spec.standard(4, 62), "parity", "1"));
    ModelMetadata serving = ModelMetadata.parse(metadataOf(Repository.bundledModel()));
    // The exporter's input, with the one-channel colour transform the run trained on
    // (train --input-color), which the file records.
    assertTrue(
        java.util.Set.of(ColorMode.MIN_RGB, ColorMode.TEXT_ALPHA).contains(serving.input().color()),
        "a colour transform training can produce: " + serving.input().color());
    InputSpec trainingInput = training.input().withColor(serving.input().color());
    assertEquals(trainingInput, serving.input(), "the bundled model's input is the training input");

    Preprocessor trainingSide = new Preprocessor(trainingInput);
    Preprocessor servingSide = new Preprocessor(serving.input());
    ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);
    Samples samples = Samples.folder(dir);
    assertEquals(generated + 2, samples.size());
    for (int i = 0; i < samples.size(); i++) {
      Samples.Sample s = samples.get(i);
      float[] evaluation = trainingSide.toTensor(s.image());
      byte[] png = Files.readAllBytes(dir.resolve(s.name()));
      float[] server = servingSide.toTensor(decoder.decode(png));
      assertArrayEquals(evaluation, server, s.name());
      if (i < generated) {
        float[] data = new float[training.input().itemSize()];
        ImageTensors.input(generator.generate(31, i).image(), trainingInput.color(), data, 0);
        assertArrayEquals(data, server, "data pipeline, " + s.name());
      }
    }
  }

  private static Map<String, String> metadataOf(Path model) throws Exception {
    OrtEnvironment env = OrtEnvironment.getEnvironment();
    try (OrtSession.SessionOptions options = new OrtSession.SessionOptions();
        OrtSession session = env.createSession(model.toString(), options)) {
      return session.getMetadata().getCustomMetadata();
    }
  }

  private static BufferedImage scaled(BufferedImage src, int w, int h, int type) {
    BufferedImage out = new BufferedImage(w, h, type);
    Graphics2D g = out.createGraphics();
    try {
      if (type == BufferedImage.TYPE_INT_ARGB) {
        g.setComposite(AlphaComposite.getInstance(AlphaComposite.SRC, 0.6f));
      }
      g.setRenderingHint(
          RenderingHints.KEY_INTERPOLATION, RenderingHints.VALUE_INTERPOLATION_BILINEAR);
      g.drawImage(src, 0, 0, w, h, null);
    } finally {
      g.dispose();
    }
    return out;
  }
}
