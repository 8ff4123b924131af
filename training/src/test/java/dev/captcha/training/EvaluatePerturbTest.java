package dev.captcha.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captcha.training.data.Degradation;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code evaluate --perturb}: parsing of the change list and the per-change report. */
class EvaluatePerturbTest {

  private static final Path BUNDLED = Path.of("..", "models", "captcha-resnet.onnx");

  @Test
  void suiteExpandsToTheRobustnessTableAndDuplicatesAreDropped() {
    List<String> names =
        EvaluateCommand.perturbations(List.of("suite")).stream().map(Degradation::name).toList();
    assertEquals(EvaluateCommand.SUITE, names);
    assertTrue(
        names.containsAll(
            List.of(
                "none",
                "jpeg90",
                "jpeg75",
                "jpeg50",
                "scale2-bilinear",
                "scale2-nearest",
                "shift0.25",
                "shift0.5")));
    List<String> mixed =
        EvaluateCommand.perturbations(List.of("jpeg75", "suite", "blur0.5", "JPEG75")).stream()
            .map(Degradation::name)
            .toList();
    assertEquals("jpeg75", mixed.get(0));
    assertEquals("blur0.5", mixed.get(mixed.size() - 1));
    assertEquals(EvaluateCommand.SUITE.size() + 1, mixed.size());
  }

  @Test
  void unknownChangeIsAClearErrorWithExitCode2() {
    StringWriter err = new StringWriter();
    CommandLine cl = TrainingCli.commandLine();
    cl.setErr(new PrintWriter(err, true));
    int code =
        cl.execute(
            "evaluate",
            "--model",
            BUNDLED.toString(),
            "--generate",
            "4",
            "--perturb",
            "jpeg90,bogus");
    assertEquals(2, code);
    assertTrue(
        err.toString().startsWith("error: --perturb: unknown change 'bogus'"), err.toString());
    assertTrue(err.toString().contains("suite"), err.toString());
    assertEquals(
        2,
        TrainingCli.commandLine()
            .setErr(new PrintWriter(new StringWriter()))
            .execute(
                "evaluate",
                "--model",
                BUNDLED.toString(),
                "--generate",
                "4",
                "--perturb",
                "jpeg0"));
    assertThrows(IllegalArgumentException.class, () -> EvaluateCommand.perturbations(List.of("")));
  }

  @Test
  void reportsExactAccuracyPerChangeBesideTheClean(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("robust.json");
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    ByteArrayOutputStream progress = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    System.setErr(new PrintStream(progress, true, StandardCharsets.UTF_8));
    try {
      assertEquals(
          0,
          TrainingCli.commandLine()
              .execute(
                  "evaluate",
                  "--model",
                  BUNDLED.toString(),
                  "--generate",
                  "16",
                  "--seed",
                  "9",
                  "--fonts",
                  "DejaVu Sans",
                  "--threads",
                  "1",
                  "--perturb",
                  "scale2-nearest,jpeg75",
                  "--json",
                  json.toString()));
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
    String printed = captured.toString(StandardCharsets.UTF_8);
    String shown = progress.toString(StandardCharsets.UTF_8);
    assertFalse(shown.contains("\r"), "progress to a pipe is plain lines, never redrawn: " + shown);
    assertTrue(
        printed.contains("robustness")
            && printed.contains("scale2-nearest")
            && printed.contains("jpeg75"),
        printed);
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    assertEquals(16, report.get("images").asInt());
    double clean = report.get("exact_accuracy").asDouble();
    Map<String, JsonNode> rows = new HashMap<>();
    report.get("perturbations").forEach(row -> rows.put(row.get("change").asText(), row));
    assertEquals(16, rows.get("none").get("images").asInt());
    assertEquals(clean, rows.get("none").get("exact_accuracy").asDouble(), 1e-9);
    // nearest-neighbour doubling is undone exactly by the bilinear scale back to 128x64
    assertEquals(clean, rows.get("scale2-nearest").get("exact_accuracy").asDouble(), 1e-9);
    assertEquals(16, rows.get("jpeg75").get("images").asInt());
  }

  @Test
  void perFamilyReportsEachFamilyWithMeanAndWorst(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("families.json");
    String printed =
        printedBy(
            "--generate",
            "6",
            "--fonts",
            "DejaVu Sans,Liberation Serif",
            "--per-family",
            "--resize",
            "area-stretch",
            "--threads",
            "1",
            "--json",
            json.toString());
    assertTrue(printed.contains("DejaVu Sans") && printed.contains("worst"), printed);
    JsonNode report = new ObjectMapper().readTree(json.toFile());
    assertEquals(12, report.get("images").asInt());
    JsonNode families = report.get("families");
    assertEquals(2, families.size());
    assertEquals("Liberation Serif", families.get(1).get("family").asText());
    assertEquals(6, families.get(1).get("images").asInt());
    double a = families.get(0).get("exact_accuracy").asDouble();
    double b = families.get(1).get("exact_accuracy").asDouble();
    assertEquals((a + b) / 2, report.get("family_mean_exact_accuracy").asDouble(), 1e-6);
    assertEquals(Math.min(a, b), report.get("family_worst_exact_accuracy").asDouble(), 1e-6);
    assertEquals((a + b) / 2, report.get("exact_accuracy").asDouble(), 1e-6);
  }

  /** {@code evaluate --model <the bundled model>} followed by {@code args}. */
  private static String[] evaluate(String... args) {
    List<String> all =
        new java.util.ArrayList<>(List.of("evaluate", "--model", BUNDLED.toString()));
    all.addAll(List.of(args));
    return all.toArray(String[]::new);
  }

  /**
   * Runs {@code evaluate} on the bundled model; asserts exit code 0 and returns what it printed.
   */
  private static String printedBy(String... args) {
    PrintStream stdout = System.out;
    ByteArrayOutputStream captured = new ByteArrayOutputStream();
    System.setOut(new PrintStream(captured, true, StandardCharsets.UTF_8));
    try {
      assertEquals(0, TrainingCli.commandLine().execute(evaluate(args)));
    } finally {
      System.setOut(stdout);
    }
    return captured.toString(StandardCharsets.UTF_8);
  }

  /**
   * Runs {@code evaluate} on the bundled model; asserts exit code 2 and an error naming {@code
   * what}.
   */
  private static void refused(String what, String... args) {
    StringWriter err = new StringWriter();
    int code = TrainingCli.commandLine().setErr(new PrintWriter(err, true)).execute(evaluate(args));
    assertEquals(2, code, err.toString());
    assertTrue(err.toString().contains(what), err.toString());
  }

  @Test
  void badResizeRuleAndPerFamilyOnAFolderAreClearErrors(@TempDir Path dir) {
    refused("--resize is 'crop'", "--generate", "4", "--resize", "crop");
    refused("--per-family needs --generate", "--dir", dir.toString(), "--per-family");
  }

  @Test
  void siteFontsGenerateCaptchasThatShareTheirFacesAndAreRefusedElsewhere(@TempDir Path dir) {
    String printed = printedBy("--generate", "6", "--site-fonts", "2", "--quiet");
    assertTrue(printed.contains("each captcha 1 to 2 of them"), printed);
    assertTrue(printed.contains("images      6"), printed);
    refused("site fonts must be within 0..32", "--generate", "4", "--site-fonts", "-1");
    refused("--site-fonts applies to --generate", "--dir", dir.toString(), "--site-fonts", "1");
  }

  @Test
  void smallDigitsGenerateAndAreRefusedOnAFolderOrOutOfRange(@TempDir Path dir) {
    String printed = printedBy("--generate", "6", "--small-digits", "0.5", "--quiet");
    assertTrue(printed.contains("small digits in 50%"), printed);
    assertTrue(printed.contains("images      6"), printed);
    refused("small-digit rate must be within 0..1", "--generate", "4", "--small-digits", "1.5");
    refused("--small-digits applies to --generate", "--dir", dir.toString(), "--small-digits", "1");
  }
}
