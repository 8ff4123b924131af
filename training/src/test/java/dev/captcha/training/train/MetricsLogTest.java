package dev.captcha.training.train;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class MetricsLogTest {

  @Test
  void rowsWithFontGroupsSurviveARereadAndANewGroupGetsAColumn(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("metrics.csv");
    MetricsLog log = new MetricsLog(csv, dir.resolve("metrics.png"));
    log.append(new MetricsLog.Row(500, 32000, 60.0, 1e-3, 0.5, 0.9, 0.8, 0.95));
    log.append(
        new MetricsLog.Row(
            1000,
            64000,
            120.0,
            9e-4,
            0.2,
            0.95,
            0.9,
            0.97,
            Map.of("training fonts", 0.93, "held-out fonts", 0.7)));
    assertTrue(Files.size(dir.resolve("metrics.png")) > 0);
    assertTrue(Files.size(dir.resolve("metrics.svg")) > 0);
    assertTrue(Files.readAllLines(csv).get(0).contains("val_exact_acc:held-out fonts"));

    List<MetricsLog.Row> rows = MetricsLog.read(csv);
    assertEquals(2, rows.size());
    assertEquals(Map.of(), rows.get(0).groupExact());
    assertEquals(0.7, rows.get(1).groupExact().get("held-out fonts"), 1e-9);
    assertEquals(0.9, rows.get(1).valExact(), 1e-9);

    MetricsLog resumed = new MetricsLog(csv, dir.resolve("metrics.png"));
    resumed.append(
        new MetricsLog.Row(
            1500,
            96000,
            180.0,
            8e-4,
            0.1,
            0.97,
            0.92,
            0.98,
            Map.of("training fonts", 0.95, "held-out fonts", 0.75)));
    assertEquals(3, MetricsLog.read(csv).size());
  }

  @Test
  void readsTheEightColumnsOfOlderRunsAndRefusesOtherFiles(@TempDir Path dir) throws Exception {
    Path csv = dir.resolve("old.csv");
    Files.writeString(
        csv, MetricsLog.HEADER + "\n500,32000,632.6,0.000986576,2.38126,0.41777,0.55750,0.86325\n");
    assertEquals(0.5575, MetricsLog.read(csv).get(0).valExact(), 1e-9);
    Path bad = dir.resolve("bad.csv");
    Files.writeString(bad, "a,b\n1,2\n");
    assertThrows(IllegalArgumentException.class, () -> MetricsLog.read(bad));
    assertThrows(IllegalArgumentException.class, () -> MetricsLog.read(dir.resolve("missing.csv")));
  }

  @Test
  void theSvgSitsBesideThePng() {
    assertEquals(
        Path.of("runs/x/metrics.svg"), MetricsLog.svgBeside(Path.of("runs/x/metrics.png")));
  }
}
