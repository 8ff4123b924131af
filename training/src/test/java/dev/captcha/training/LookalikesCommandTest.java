package dev.captcha.training;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The lookalikes command on DejaVu Sans (installed wherever the project builds) and bad input. */
class LookalikesCommandTest {

  private static int run(StringWriter err, String... args) {
    CommandLine cli = TrainingCli.commandLine();
    cli.setErr(new PrintWriter(err, true));
    return cli.execute(args);
  }

  @Test
  void dejaVuSansDrawsNoCharactersAlike(@TempDir Path dir) throws Exception {
    Path json = dir.resolve("lookalikes.json");
    StringWriter err = new StringWriter();
    assertEquals(
        0,
        run(err, "lookalikes", "--fonts", "DejaVu Sans,No Such Family", "--json", json.toString()),
        err.toString());
    JsonNode out = new ObjectMapper().readTree(json.toFile());
    assertEquals(38, out.get("fontSize").asInt());
    assertEquals(LookalikesCommand.DEFAULT_THRESHOLD, out.get("threshold").asDouble());
    JsonNode family = out.get("families").get(0);
    assertEquals(1, out.get("families").size());
    assertEquals("DejaVu Sans", family.get("family").asText());
    assertEquals("sans", family.get("group").asText());
    assertEquals(0, family.get("groups").size(), family.toString());
    assertEquals(1.0, family.get("ceilingUniform").asDouble());
    assertEquals(0, family.get("faint").size(), family.toString());
    // Its I and l are both plain bars, but of different heights: never identical.
    JsonNode nearest = family.get("nearest").get(0);
    assertTrue(
        nearest.get("distance").asDouble() > LookalikesCommand.DEFAULT_THRESHOLD,
        nearest.toString());
    assertEquals("No Such Family", out.get("skipped").get(0).get("family").asText());
    assertEquals(1.0, out.get("summary").get("mixedCeilingUniform").asDouble());
    assertEquals(1.0, out.get("summary").get("acrossCeilingUniform").asDouble());
    assertEquals(0, out.get("summary").get("acrossPairs").size());
  }

  @Test
  void badInputIsAnErrorWithExitTwo() {
    StringWriter err = new StringWriter();
    assertEquals(2, run(err, "lookalikes", "--fonts", "No Such Family"));
    assertTrue(err.toString().contains("error: none of the 1 font families"), err.toString());
    assertEquals(2, run(err, "lookalikes", "--fonts", "DejaVu Sans", "--threshold", "1.5"));
    assertTrue(err.toString().contains("error: --threshold"), err.toString());
  }

  @Test
  void splitNamesExpandToTheZoo() {
    List<String> all = LookalikesCommand.expand(List.of("training", "held-out", "DejaVu Sans"));
    assertEquals(
        dev.captcha.generator.FontCatalog.ZOO.size(), all.size(), "each family once: " + all);
    assertEquals(all.size(), LookalikesCommand.expand(List.of("all")).size());
  }
}
