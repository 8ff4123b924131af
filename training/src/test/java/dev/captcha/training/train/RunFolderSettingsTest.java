package dev.captcha.training.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.generator.Charset;
import dev.captcha.model.ColorMode;
import dev.captcha.training.model.CaptchaResNet;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

/** What a run folder records of its settings, and which changes a resume notices. */
class RunFolderSettingsTest {

  private static TrainingConfig config(boolean keepLookalikeCues) {
    return config(keepLookalikeCues, ColorMode.MIN_RGB);
  }

  private static TrainingConfig config(boolean keepLookalikeCues, ColorMode color) {
    return TrainingConfig.builder(Path.of("run"))
        .maxTime(Duration.ofMinutes(1))
        .learningRates(1e-4f, 5e-6f, 100)
        .seed(13)
        .fonts(List.of("DejaVu Sans"))
        .command("test")
        .augmentRate(0.5)
        .glyphVariation(0.25)
        .lookalikeShare(0.3)
        .keepLookalikeCues(keepLookalikeCues)
        .inputColor(color)
        .build();
  }

  private static Map<String, String> settings(boolean keepLookalikeCues) {
    return RunFolder.configOf(
        config(keepLookalikeCues), CaptchaResNet.Spec.standard(4, 62), Charset.MODEL_CLASSES);
  }

  @Test
  void cueKeepingIsRecordedAndAChangeOfItIsNoticed() {
    assertEquals("true", settings(true).get("keep_lookalike_cues"));
    assertEquals("false", settings(false).get("keep_lookalike_cues"));

    Properties recorded = new Properties();
    recorded.putAll(settings(true));
    assertTrue(RunFolder.differences(recorded, settings(true)).isEmpty());
    List<RunFolder.Difference> diffs = RunFolder.differences(recorded, settings(false));
    assertEquals(1, diffs.size(), diffs.toString());
    assertEquals("keep_lookalike_cues", diffs.get(0).key());
    assertEquals("true", diffs.get(0).recorded());
  }

  @Test
  void theInputColourIsRecordedAndAChangeOfItIsNoticed() {
    CaptchaResNet.Spec spec = CaptchaResNet.Spec.standard(4, 62);
    Map<String, String> text =
        RunFolder.configOf(config(true, ColorMode.TEXT_ALPHA), spec, Charset.MODEL_CLASSES);
    assertEquals("text-alpha", text.get("input_color"));
    assertEquals("min-rgb", settings(true).get("input_color"));
    Properties recorded = new Properties();
    recorded.putAll(settings(true));
    List<RunFolder.Difference> diffs = RunFolder.differences(recorded, text);
    assertEquals(1, diffs.size(), diffs.toString());
    assertEquals("input_color", diffs.get(0).key());
    // A folder from before the key trained on min-rgb and resumes as it was.
    recorded.remove("input_color");
    assertTrue(RunFolder.differences(recorded, settings(true)).isEmpty());
  }

  @Test
  void aNetworkOfOneChannelRefusesATransformOfThree() {
    IllegalArgumentException e =
        org.junit.jupiter.api.Assertions.assertThrows(
            IllegalArgumentException.class, () -> config(false, ColorMode.RGB));
    assertTrue(e.getMessage().contains("rgb"), e.getMessage());
  }

  @Test
  void aFolderFromBeforeTheSettingResumesWithoutIt() {
    Properties recorded = new Properties();
    recorded.putAll(settings(false));
    recorded.remove("keep_lookalike_cues");
    assertTrue(RunFolder.differences(recorded, settings(false)).isEmpty());
  }
}
