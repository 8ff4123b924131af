package dev.captcha.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import ai.djl.Device;
import ai.djl.Model;
import ai.djl.ndarray.types.DataType;
import dev.captcha.generator.Captcha;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.model.Preprocessor;
import dev.captcha.training.eval.OnnxModel;
import dev.captcha.training.export.ModelMetadata;
import dev.captcha.training.export.OnnxExporter;
import dev.captcha.training.export.OnnxImporter;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.quantize.Int8Quantizer;
import dev.captcha.training.train.Trainer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The finetune command end to end on a tiny network and a budget of a few steps, and its refusals.
 */
class FinetuneCommandTest {

  private static CliRun run(String... args) {
    return CliRun.of(args);
  }

  /** A tiny network with random weights, exported with the required metadata. */
  private static Path tinyModel(Path dir) throws Exception {
    Trainer.configureEngine(1);
    CaptchaResNet.Spec spec = new CaptchaResNet.Spec(1, 64, 128, 4, 62, new int[] {4, 8});
    Path file = dir.resolve("base.onnx");
    try (Model m = Model.newInstance("base", Device.cpu(), "PyTorch")) {
      CaptchaResNet net = CaptchaResNet.create(spec);
      m.setBlock(net.block());
      net.block().initialize(m.getNDManager(), DataType.FLOAT32, net.inputShape(1));
      OnnxExporter.export(net, ModelMetadata.required(spec, "tiny", "0.1.0"), file);
    }
    return file;
  }

  private static CaptchaGenerator sans() {
    return CaptchaGenerator.builder()
        .fonts(FontCatalog.scanDefault().resolve(List.of("DejaVu Sans")))
        .build();
  }

  private static Path labelledFolder(Path dir, int count) throws Exception {
    Path folder = Files.createDirectories(dir.resolve("labelled"));
    CaptchaGenerator g =
        CaptchaGenerator.builder()
            .fonts(FontCatalog.scanDefault().resolve(List.of("DejaVu Serif")))
            .build();
    for (int i = 0; i < count; i++) {
      Captcha c = g.generate(99, i);
      ImageIO.write(c.image(), "png", folder.resolve(i + "_" + c.text() + ".png").toFile());
    }
    return folder;
  }

  private static List<String> filesIn(Path dir) throws Exception {
    try (Stream<Path> s = Files.list(dir)) {
      return s.map(p -> p.getFileName().toString()).sorted().toList();
    }
  }

  @Test
  void finetunesFromAModelFileAndRecordsTheLineage(@TempDir Path dir) throws Exception {
    assumeTrue(Files.isRegularFile(CalibrateCommandTest.BUNDLED), "bundled model not there");
    Path base = null;
    Path labelled = labelledFolder(dir, 20);
    Captcha any = sans().generate(1, 1);
    ImageIO.write(any.image(), "png", labelled.resolve("21_abc.png").toFile());
    ImageIO.write(any.image(), "png", labelled.resolve("22_ab~d.png").toFile());
    ImageIO.write(any.image(), "png", labelled.resolve("captcha.png").toFile());
    // Starts from the bundled model. A run that diverges to NaN (tiny runs on this engine
    // occasionally do, see ResumeTest) fails the export's parity check with exit 1 and writes
    // nothing; the next attempt uses another seed.
    Path outDir = null;
    Path out = null;
    CliRun o = null;
    for (String seed : List.of("1", "2", "3", "4", "5", "6")) {
      base =
          Files.copy(
              CalibrateCommandTest.BUNDLED,
              Files.createDirectories(dir.resolve("base" + seed)).resolve("base.onnx"));
      outDir = Files.createDirectories(dir.resolve("out" + seed));
      out = outDir.resolve("site-a.onnx");
      o =
          run(
              "finetune",
              "--seed",
              seed,
              "--from",
              base.toString(),
              "--out",
              out.toString(),
              "--fonts",
              "DejaVu Serif",
              "--labelled",
              labelled.toString(),
              "--base-fonts",
              "DejaVu Sans",
              "--steps",
              "3",
              "--max-minutes",
              "10",
              "--batch-size",
              "8",
              "--val-size",
              "8",
              "--eval-every",
              "100",
              "--warmup-steps",
              "1",
              "--threads",
              "1",
              "--quiet");
      if (o.code() != 1 || !(o.out() + o.err()).contains("NaN")) {
        break;
      }
      assertEquals(List.of(), filesIn(outDir), "a failed run leaves nothing behind");
    }
    assertEquals(0, o.code(), o.out() + o.err());
    assertTrue(o.out().contains("skipped " + labelled.resolve("21_abc.png")), o.out());
    assertTrue(o.out().contains("has 3 characters"), o.out());
    assertTrue(o.out().contains("22_ab~d.png") && o.out().contains("outside"), o.out());
    assertTrue(o.out().contains("captcha.png: name is not"), o.out());
    assertTrue(o.out().contains("20 usable of 23 files"), o.out());
    assertTrue(o.out().contains("18 to train on, 2 held out; 3 skipped"), o.out());
    assertTrue(o.out().contains("before (base.onnx, exact): training-fonts (8)"), o.out());
    assertTrue(o.out().contains("labelled-held-out (2)"), o.out());
    assertTrue(o.out().contains("after (site-a.onnx, exact)"), o.out());
    assertEquals(
        List.of("site-a-metrics.csv", "site-a-metrics.png", "site-a-metrics.svg", "site-a.onnx"),
        filesIn(outDir));

    Map<String, String> meta = Int8Quantizer.metadata(OnnxImporter.read(out));
    Map<String, String> baseMeta = Int8Quantizer.metadata(OnnxImporter.read(base));
    String baseVersion = baseMeta.get("captcha.model.version");
    assertEquals(
        baseMeta.get("captcha.model.name") + " " + baseVersion, meta.get("captcha.finetune.base"));
    assertEquals(Int8Quantizer.sha256(base), meta.get("captcha.finetune.base_sha256"));
    // Trained and exported with the base's preprocessing.
    assertEquals(baseMeta.get("captcha.input.color"), meta.get("captcha.input.color"));
    assertEquals(baseMeta.get("captcha.input.resize"), meta.get("captcha.input.resize"));
    assertEquals("DejaVu Serif", meta.get("captcha.finetune.fonts"));
    assertTrue(meta.get("captcha.finetune.labelled").startsWith("20 usable of 23 files"));
    assertEquals("0.50", meta.get("captcha.finetune.slot_mix"));
    assertEquals("0.0", meta.get("captcha.finetune.slot_turn"));
    assertTrue(meta.get("captcha.finetune.validation").contains("new-fonts (8)"));
    assertTrue(meta.get("captcha.finetune.validation").contains("->"));
    assertTrue(meta.containsKey("captcha.finetune.minutes"));
    assertTrue(meta.get("captcha.finetune.mix").startsWith("training-fonts 0.50"));
    assertEquals("3", meta.get("captcha.training.steps"));
    assertTrue(meta.get("captcha.training.command").contains("finetune"));
    for (String key : ModelMetadata.PROVENANCE_KEYS) {
      assertTrue(meta.containsKey(key), key);
    }

    try (OnnxModel onnx = OnnxModel.load(out, 1)) {
      assertEquals("site-a", onnx.info().name());
      assertEquals(baseVersion, onnx.info().version());
      Preprocessor pre = new Preprocessor(onnx.info().input());
      String[] texts = onnx.decode(onnx.run(pre.toTensor(any.image()), 1), 1);
      assertEquals(1, texts.length);
      assertEquals(4, texts[0].length());
    }
  }

  @Test
  void refusesBadInputWithoutWritingAnything(@TempDir Path dir) throws Exception {
    Path base = tinyModel(dir);
    Path outDir = Files.createDirectories(dir.resolve("out"));
    String out = outDir.resolve("new.onnx").toString();
    List<String> common =
        List.of("--steps", "1", "--val-size", "4", "--batch-size", "4", "--quiet");

    Path fake = dir.resolve("fake.ttf");
    Files.writeString(fake, "this is not a font");
    Path text = dir.resolve("notes.txt");
    Files.writeString(text, "hello");
    Path garbage = dir.resolve("garbage.onnx");
    byte[] ff = new byte[32];
    java.util.Arrays.fill(ff, (byte) 0xFF);
    Files.write(garbage, ff);
    Path bare = dir.resolve("bare.onnx");
    Files.write(bare, Int8Quantizer.withMetadata(OnnxImporter.read(base), Map.of()).toByteArray());
    Path badLabels = Files.createDirectories(dir.resolve("bad"));
    ImageIO.write(
        sans().generate(1, 1).image(), "png", badLabels.resolve("1_toolong.png").toFile());

    record Case(List<String> args, String message) {}
    List<Case> cases =
        List.of(
            new Case(
                List.of("--from", base.toString(), "--out", out, "--fonts", fake.toString()),
                "cannot load font"),
            new Case(
                List.of("--from", base.toString(), "--out", out, "--fonts", text.toString()),
                "not a font file"),
            new Case(
                List.of(
                    "--from",
                    base.toString(),
                    "--out",
                    out,
                    "--labelled",
                    badLabels.toString(),
                    "--slot-mix",
                    "1.5"),
                "--slot-mix must be between 0 and 1"),
            new Case(
                List.of(
                    "--from",
                    base.toString(),
                    "--out",
                    out,
                    "--labelled",
                    badLabels.toString(),
                    "--slot-turn",
                    "60"),
                "--slot-turn must be between 0 and 45 degrees"),
            new Case(
                List.of("--from", bare.toString(), "--out", out, "--fonts", "DejaVu Serif"),
                "lacks the model-file metadata"),
            new Case(
                List.of("--from", garbage.toString(), "--out", out, "--fonts", "DejaVu Serif"),
                "is not an ONNX model"),
            new Case(
                List.of(
                    "--from",
                    base.toString(),
                    "--out",
                    dir.resolve("no/such/dir/x.onnx").toString(),
                    "--fonts",
                    "DejaVu Serif"),
                "does not exist"),
            new Case(
                List.of(
                    "--from",
                    base.toString(),
                    "--out",
                    outDir.toString(),
                    "--fonts",
                    "DejaVu Serif"),
                "is a folder"),
            new Case(
                List.of(
                    "--from", base.toString(), "--out", out, "--labelled", badLabels.toString()),
                "no usable labelled samples"),
            new Case(List.of("--from", base.toString(), "--out", out), "nothing to fine-tune on"));
    for (Case c : cases) {
      List<String> args = new ArrayList<>(List.of("finetune"));
      args.addAll(c.args());
      args.addAll(common);
      CliRun o = run(args.toArray(String[]::new));
      assertEquals(2, o.code(), c + "\n" + o.out() + o.err());
      assertTrue(
          o.err().startsWith("error: ") && o.err().contains(c.message()), c + ": " + o.err());
      assertEquals(List.of(), filesIn(outDir), c.toString());
    }
    assertFalse(Files.exists(dir.resolve("no")));
  }
}
