package dev.captcha.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The command line end to end, against the loopback no-op service. */
@Timeout(120)
class LoadTestCliTest {

  @TempDir Path dir;
  private Path images;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();

  @BeforeEach
  void images() throws Exception {
    images = Files.createDirectory(dir.resolve("images"));
    WorkloadTest.writeImages(images, List.of("0_ab12.png", "1_noop.png", "2_xy34.png"));
  }

  private int run(String... args) {
    CommandLine cl = LoadTestCli.commandLine();
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    return cl.execute(args);
  }

  @Test
  void noopRunWritesEveryReport() throws Exception {
    Path json = dir.resolve("r.json");
    Path csv = dir.resolve("r.csv");
    Path html = dir.resolve("r.html");
    int code =
        run(
            "noop",
            "--images",
            images.toString(),
            "--duration",
            "1s",
            "--warmup",
            "200ms",
            "--concurrency",
            "4",
            "--interval",
            "250ms",
            "--json",
            json.toString(),
            "--csv",
            csv.toString(),
            "--html",
            html.toString());

    assertEquals(0, code, err.toString());
    assertTrue(out.toString().contains("closed loop, concurrency 4, unary"), out.toString());
    assertTrue(err.toString().contains("measure"), "progress lines: " + err);
    JsonNode run = JsonReport.mapper().readTree(json.toFile()).get("runs").get(0);
    assertTrue(run.get("ok").asLong() > 0);
    assertEquals(0, run.get("failed").asLong());
    // The no-op service answers "noop": one image in three carries that label.
    assertEquals(1.0 / 3, run.get("accuracy").get("exactShare").asDouble(), 0.05);
    assertEquals(2, Files.readAllLines(csv).size());
    assertTrue(Files.readString(html).contains("<svg"));
  }

  @Test
  void noopSweepFindsAKnee() throws Exception {
    Path json = dir.resolve("s.json");
    int code =
        run(
            "noop",
            "--images",
            images.toString(),
            "--rpc",
            "stream",
            "--duration",
            "500ms",
            "--warmup",
            "100ms",
            "--sweep-rates",
            "50,100",
            "--slo",
            "10s",
            "--json",
            json.toString(),
            "-q");

    assertEquals(0, code, err.toString());
    JsonNode sweep = JsonReport.mapper().readTree(json.toFile()).get("sweep");
    assertEquals(2, sweep.get("points").size());
    assertEquals("rate", sweep.get("parameter").asText());
    assertEquals(1, sweep.get("kneeRun").asInt());
    assertTrue(out.toString().contains("knee: "));
  }

  @Test
  void badArgumentsGetClearErrors() {
    assertEquals(
        2, run("noop", "--images", images.toString(), "--rate", "10", "--concurrency", "4"));
    assertTrue(err.toString().contains("give only one of"), err.toString());
    assertEquals(2, run("noop", "--images", dir.resolve("none").toString()));
    assertTrue(err.toString().contains("does not exist"), err.toString());
    assertEquals(2, run("noop", "--images", images.toString(), "--rate", "-5"));
    assertTrue(err.toString().contains("--rate must be a positive number"), err.toString());
    assertEquals(2, run("--duration", "soon"));
    assertTrue(err.toString().contains("is not a duration"), err.toString());
    assertEquals(
        2, run("--target", "127.0.0.1:1", "--images", images.toString(), "--duration", "1s"));
    assertTrue(err.toString().contains("cannot reach the server"), err.toString());
  }
}
