package dev.captcha.training;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import javax.imageio.ImageIO;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The replay command on the reference manifest's first cases and on broken manifests. */
class ReplayCommandTest {

  private static final Path REFERENCE = Path.of("..", "reference", "afocus-go");
  private static final String LIBERATION =
      "Liberation Sans=/usr/share/fonts/truetype/liberation2/LiberationSans-Regular.ttf";
  private static final String DEJAVU =
      "DejaVu Serif=/usr/share/fonts/truetype/dejavu/DejaVuSerif.ttf";

  private record Result(int exit, String err, String out) {}

  private static Result run(String... args) {
    CommandLine cli = TrainingCli.commandLine();
    StringWriter err = new StringWriter();
    cli.setErr(new PrintWriter(err, true));
    java.io.PrintStream stdout = System.out;
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    System.setOut(new java.io.PrintStream(out, true, StandardCharsets.UTF_8));
    try {
      return new Result(cli.execute(args), err.toString(), out.toString(StandardCharsets.UTF_8));
    } finally {
      System.setOut(stdout);
    }
  }

  @Test
  void writesEveryCaseUnderItsFileNameAndReportsAgreement(@TempDir Path dir) throws Exception {
    List<String> lines = Files.readAllLines(REFERENCE.resolve("manifest.jsonl"));
    Path manifest = dir.resolve("m.jsonl");
    // one case of each kind
    Files.write(manifest, List.of(lines.get(0), lines.get(249), lines.get(400)));
    Path out = dir.resolve("out");
    Result r =
        run(
            "replay",
            "--manifest",
            manifest.toString(),
            "--out",
            out.toString(),
            "--font",
            LIBERATION,
            "--font",
            DEJAVU,
            "--compare",
            REFERENCE.toString());
    assertEquals(0, r.exit(), r.err());
    try (Stream<Path> files = Files.list(out)) {
      assertEquals(
          List.of("0000_9.png", "0249_mtqg.png", "0400_SgR3.png"),
          files.map(p -> p.getFileName().toString()).sorted().toList());
    }
    var img = ImageIO.read(out.resolve("0400_SgR3.png").toFile());
    assertEquals(128, img.getWidth());
    assertEquals(64, img.getHeight());
    assertTrue(
        r.out().contains("single glyph")
            && r.out().contains("text only")
            && r.out().contains("full"),
        r.out());
    assertTrue(r.out().contains("worst full: 0400_SgR3.png"), r.out());

    // the same manifest replays to the same bytes
    Path again = dir.resolve("again");
    assertEquals(
        0,
        run(
                "replay",
                "--manifest",
                manifest.toString(),
                "--out",
                again.toString(),
                "--font",
                LIBERATION,
                "--font",
                DEJAVU)
            .exit());
    assertArrayEquals(
        Files.readAllBytes(out.resolve("0249_mtqg.png")),
        Files.readAllBytes(again.resolve("0249_mtqg.png")));
  }

  @Test
  void badManifestsAreRefusedBeforeAnythingIsWritten(@TempDir Path dir) throws Exception {
    String good = Files.readAllLines(REFERENCE.resolve("manifest.jsonl")).get(0);
    Path out = dir.resolve("out");
    String unknownFamily =
        good.replace("DejaVu Serif", "No Such Family").replace("Liberation Sans", "No Such Family");

    String err = refused(dir, "font.jsonl", List.of(good, unknownFamily), out);
    assertTrue(err.contains("line 2") && err.contains("No Such Family"), err);
    err = refused(dir, "bad.jsonl", List.of(good, "{\"file\": \"x.png\", \"text\": ", good), out);
    assertTrue(err.startsWith("error: bad.jsonl line 2: not JSON"), err);
    err =
        refused(
            dir,
            "fields.jsonl",
            List.of(good.replace("\"degrees\":-19", "\"degrees\":\"x\"")),
            out);
    assertTrue(err.contains("line 1: 'degrees' must be an integer"), err);
    err = refused(dir, "escape.jsonl", List.of(good.replace("0000_9.png", "../0000_9.png")), out);
    assertTrue(err.contains("plain file name"), err);

    Result r =
        run(
            "replay",
            "--manifest",
            dir.resolve("missing.jsonl").toString(),
            "--out",
            out.toString());
    assertEquals(2, r.exit());
    assertTrue(r.err().contains("cannot read manifest"), r.err());
    assertFalse(Files.exists(out));
  }

  /** Writes a manifest, replays it, and returns the error printed; asserts exit 2 and no output. */
  private static String refused(Path dir, String name, List<String> lines, Path out)
      throws Exception {
    Path manifest = dir.resolve(name);
    Files.write(manifest, lines);
    Result r =
        run(
            "replay",
            "--manifest",
            manifest.toString(),
            "--out",
            out.toString(),
            "--font",
            LIBERATION,
            "--font",
            DEJAVU);
    assertEquals(2, r.exit(), r.err());
    assertFalse(Files.exists(out), "nothing written for " + name);
    return r.err();
  }
}
