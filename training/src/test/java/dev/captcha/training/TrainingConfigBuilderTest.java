package dev.captcha.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.captcha.model.ColorMode;
import dev.captcha.training.model.CaptchaResNet;
import dev.captcha.training.train.TrainingConfig;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine;

/**
 * The builder of training settings: its defaults are the train command's (but for the per-group
 * validation set, which the command turns on and the builder leaves off), and it round-trips.
 */
class TrainingConfigBuilderTest {

  private static TrainCommand parsed(String... args) {
    TrainCommand cmd = new TrainCommand();
    new CommandLine(cmd).parseArgs(args);
    return cmd;
  }

  @Test
  void theBuildersDefaultsAreTheTrainCommandsDefaults() throws Exception {
    TrainingConfig fromCommand = parsed("--run-dir", "runs/x").config();
    TrainingConfig fromBuilder =
        TrainingConfig.builder(Path.of("runs/x"))
            .groupValidationSize(TrainingConfig.DEFAULT_GROUP_VALIDATION_SIZE)
            .command(fromCommand.command())
            .build();
    assertEquals(fromCommand, fromBuilder);
  }

  @Test
  void optionsReachTheSettingsOfTheSameName() throws Exception {
    TrainingConfig c =
        parsed(
                "--run-dir",
                "runs/y",
                "--max-minutes",
                "7",
                "--batch-size",
                "32",
                "--lr",
                "0.0005",
                "--min-lr",
                "0.00001",
                "--warmup-steps",
                "20",
                "--seed",
                "5",
                "--augment-rate",
                "0.6",
                "--jpeg-min-quality",
                "30",
                "--site-fonts",
                "3",
                "--head",
                "rows",
                "--input-color",
                "text-alpha",
                "--lookalike-share",
                "0.3")
            .config();
    TrainingConfig expected =
        TrainingConfig.builder(Path.of("runs/y"))
            .maxTime(Duration.ofMinutes(7))
            .batchSize(32)
            .learningRates(0.0005f, 0.00001f, 20)
            .seed(5)
            .augmentRate(0.6)
            .jpegMinQuality(30)
            .siteFonts(3)
            .head(CaptchaResNet.Head.ROWS)
            .inputColor(ColorMode.TEXT_ALPHA)
            .lookalikeShare(0.3)
            .groupValidationSize(TrainingConfig.DEFAULT_GROUP_VALIDATION_SIZE)
            .command(c.command())
            .build();
    assertEquals(expected, c);
  }

  @Test
  void toBuilderKeepsEverySettingAndChangesOnlyWhatIsSet() {
    TrainingConfig base =
        TrainingConfig.builder(Path.of("runs/z"))
            .steps(100)
            .validation(16, 2, 10)
            .fonts(List.of("DejaVu Sans"))
            .widths(List.of(8, 16))
            .threads(1)
            .glyphVariation(0.25)
            .keepLookalikeCues(true)
            .smallDigits(0.1)
            .groupValidationSize(3)
            .command("test")
            .build();
    assertEquals(base, base.toBuilder().build());
    TrainingConfig changed = base.toBuilder().augmentRate(0.4).build();
    assertEquals(0.4, changed.augmentRate());
    assertEquals(base, changed.toBuilder().augmentRate(base.augmentRate()).build());
  }

  @Test
  void theBuilderValidatesWhatItBuilds() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class,
            () -> TrainingConfig.builder(Path.of("runs/w")).validation(16, 1, 10).build());
    assertEquals("the validation seed must differ from the training seed", e.getMessage());
    assertThrows(
        IllegalArgumentException.class,
        () -> TrainingConfig.builder(Path.of("runs/w")).jpegMinQuality(5).build());
  }
}
