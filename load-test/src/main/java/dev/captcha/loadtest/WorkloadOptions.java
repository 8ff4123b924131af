package dev.captcha.loadtest;

import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine.Option;

/** Where the images come from; filled by picocli. */
final class WorkloadOptions {

  @Option(
      names = "--images",
      paramLabel = "DIR",
      description = "Folder of images named <index>_<text>.png (the text is the label).")
  Path images;

  @Option(
      names = "--generate",
      paramLabel = "N",
      defaultValue = "256",
      description =
          "Without --images: generate N captchas before the run. Default: ${DEFAULT-VALUE}.")
  int generate;

  @Option(
      names = "--generate-seed",
      defaultValue = "20240601",
      description = "Seed of the generated captchas. Default: ${DEFAULT-VALUE}.")
  long generateSeed;

  @Option(
      names = "--models",
      paramLabel = "NAME[,NAME...]",
      split = ",",
      description =
          "Spread the requests over these models of a server serving several (captcha-server"
              + " --model-dir), in rotation. Default: the server's default model.")
  List<String> models = new ArrayList<>();

  /** The models named by --models; validated. */
  List<String> models() {
    List<String> out = new ArrayList<>();
    for (String m : models) {
      String name = m.strip();
      if (name.isEmpty()) {
        throw new IllegalArgumentException("--models: a model name is empty");
      }
      if (out.contains(name)) {
        throw new IllegalArgumentException("--models names " + name + " twice");
      }
      out.add(name);
    }
    return out;
  }

  Workload load() {
    return images().overModels(models());
  }

  private Workload images() {
    if (images != null) {
      return Workload.fromFolder(images);
    }
    CaptchaGenerator generator =
        CaptchaGenerator.builder()
            .fonts(FontCatalog.scanDefault().resolve(FontCatalog.BUNDLED_MODEL_FAMILIES))
            .build();
    return Workload.generate(generator, generate, generateSeed);
  }
}
