package dev.captcha.loadtest;

import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import java.nio.file.Path;
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

  Workload load() {
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
