package dev.captcha.client.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.captcha.client.CaptchaSolverClient;
import dev.captcha.client.FakeSolver;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class CaptchaCliTest {
  private final FakeSolver fake = new FakeSolver();
  private Server server;
  private ManagedChannel channel;
  private final StringWriter out = new StringWriter();
  private final StringWriter err = new StringWriter();
  @TempDir Path dir;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(fake.definition()).build().start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private final ClientFactory inProcess =
      s -> {
        CaptchaSolverClient.Builder b =
            CaptchaSolverClient.builder()
                .channel(channel)
                .deadline(java.time.Duration.ofMinutes(5))
                .retry(ClientFactory.retry(s.maxAttempts()));
        if (s.token() != null) {
          b.bearerToken(s.token());
        }
        return b.build();
      };

  private int run(String... args) {
    return CaptchaCli.run(
        args, inProcess, false, new PrintWriter(out, true), new PrintWriter(err, true));
  }

  private Path image(String name, String content) throws IOException {
    Path p = dir.resolve(name);
    Files.createDirectories(p.getParent());
    return Files.writeString(p, content, StandardCharsets.UTF_8);
  }

  private List<String> lines() {
    return out.toString().lines().toList();
  }

  @Test
  void solvePrintsPathTextConfidenceForFilesAndDirectoriesInOrder() throws IOException {
    Path a = image("a.png", "abcd");
    Path b = image("sub/b.JPG", "Wxyz");
    Path c = image("sub/deeper/c.gif", "1234");
    image("sub/notes.txt", "not an image");
    assertEquals(0, run("solve", a.toString(), dir.resolve("sub").toString()), err.toString());
    assertEquals(
        List.of(a + "\tabcd\t0.6561", b + "\tWxyz\t0.6561", c + "\t1234\t0.6561"), lines());
    assertEquals("", err.toString());
  }

  @Test
  void streamModePrintsTheSameAsUnaryMode() throws IOException {
    for (int i = 0; i < 32; i++) {
      image(String.format("img%02d.png", i), "t" + i);
    }
    fake.reversedGroups(4);
    assertEquals(0, run("solve", "--max-in-flight", "5", dir.toString()));
    List<String> unary = lines();
    out.getBuffer().setLength(0);
    assertEquals(0, run("solve", "--stream", "--max-in-flight", "5", dir.toString()));
    assertEquals(unary, lines());
    assertEquals(32, unary.size());
    assertTrue(fake.streamCalls.get() == 1 && fake.solveCalls.get() == 32);
  }

  @Test
  void jsonLinesCarryCandidatesAndTiming() throws IOException {
    Path a = image("a.png", "ab");
    assertEquals(0, run("solve", "--json", a.toString()));
    JsonNode n = new ObjectMapper().readTree(lines().get(0));
    assertEquals(a.toString(), n.get("path").asText());
    assertEquals("ab", n.get("text").asText());
    assertEquals(0.81, n.get("confidence").asDouble(), 1e-6);
    assertEquals("b", n.get("positions").get(1).get(0).get("char").asText());
    assertEquals(0.9, n.get("positions").get(1).get(0).get("p").asDouble(), 1e-6);
    assertEquals(5.0, n.get("timing").get("inference_ms").asDouble(), 1e-9);
    assertEquals(3, n.get("timing").get("batch_size").asInt());
  }

  @Test
  void csvHasAHeaderAndQuotesWhereNeeded() throws IOException {
    Path a = image("x,y.png", "abcd");
    assertEquals(0, run("solve", "--csv", a.toString()));
    assertEquals(List.of("path,text,confidence", "\"" + a + "\",abcd,0.6561"), lines());
  }

  @Test
  void failedItemsAreReportedOnStderrAndExitWithOne() throws IOException {
    Path good = image("1.png", "abcd");
    Path bad = image("2.png", "bad image");
    Path good2 = image("3.png", "efgh");
    for (String mode : List.of("--unordered", "--stream")) {
      out.getBuffer().setLength(0);
      err.getBuffer().setLength(0);
      assertEquals(1, run("solve", mode, dir.toString()));
      assertEquals(
          List.of(good + "\tabcd\t0.6561", good2 + "\tefgh\t0.6561"),
          lines().stream().sorted().toList());
      assertTrue(
          err.toString().contains(bad + ": error: image refused by the server: undecodable"),
          err.toString());
      assertTrue(err.toString().contains("1 of 3 images failed"), err.toString());
    }
  }

  @Test
  void usageErrorsExitWithTwo() throws IOException {
    Path a = image("a.png", "abcd");
    assertEquals(2, run("solve", dir.resolve("missing.png").toString()));
    assertTrue(err.toString().contains("no such file or directory"), err.toString());
    assertEquals(2, run("solve", "--json", "--csv", a.toString()));
    assertTrue(err.toString().contains("--json and --csv"), err.toString());
    assertEquals(2, run("solve"));
    assertEquals(2, run("--deadline", "soon", "solve", a.toString()));
    assertTrue(err.toString().contains("not a duration"), err.toString());
    assertEquals(2, run("solve", "--tls-cert", a.toString(), a.toString()));
    assertTrue(err.toString().contains("--tls-key"), err.toString());
    assertEquals(2, run("bogus"));
    assertEquals(2, run());
    Files.createDirectories(dir.resolve("empty"));
    assertEquals(2, run("solve", dir.resolve("empty").toString()));
    assertTrue(err.toString().contains("no images found"), err.toString());
  }

  @Test
  void globalOptionsWorkBeforeAndAfterTheCommand() throws IOException {
    Path a = image("a.png", "abcd");
    assertEquals(0, run("--deadline", "3s", "solve", a.toString()));
    assertEquals(0, run("solve", "--deadline", "3s", a.toString()));
  }

  @Test
  void unreachableServerExitsWithTwoAndSaysWhatToDo(@TempDir Path d) throws IOException {
    int port;
    try (ServerSocket s = new ServerSocket(0)) {
      port = s.getLocalPort();
    }
    Path a = image("a.png", "abcd");
    int code =
        CaptchaCli.run(
            new String[] {
              "--target", "127.0.0.1:" + port, "--max-attempts", "1", "solve", a.toString()
            },
            ClientFactory.network(),
            false,
            new PrintWriter(out, true),
            new PrintWriter(err, true));
    assertEquals(2, code);
    assertTrue(err.toString().contains("cannot reach 127.0.0.1:" + port), err.toString());
    assertTrue(
        err.toString()
            .contains(
                "Is the server running? Start it with `java -jar server/target/captcha-server.jar --port "
                    + port),
        err.toString());
  }

  @Test
  void tokenFileIsSentAndAMissingTokenIsExplained() throws IOException {
    fake.requireToken("t0ken");
    Path a = image("a.png", "abcd");
    assertEquals(2, run("solve", a.toString()));
    assertTrue(err.toString().contains("refused the credentials"), err.toString());
    assertTrue(err.toString().contains("--token-file"), err.toString());
    Path token = Files.writeString(dir.resolve("token.txt"), "t0ken\n");
    assertEquals(0, run("--token-file", token.toString(), "solve", a.toString()));
    assertTrue(fake.authorizations.contains("Bearer t0ken"));
    Path empty = Files.writeString(dir.resolve("empty.txt"), "  \n");
    assertEquals(2, run("--token-file", empty.toString(), "solve", a.toString()));
    assertTrue(err.toString().contains("is empty"), err.toString());
  }

  private void labelledFolder() throws IOException {
    image("eval/0_abcd.png", "abcd");
    image("eval/1_ABcd.png", "abcd");
    image("eval/2_O1x2.png", "0lx2");
    image("eval/3_wxyz.png", "wxyq");
    image("eval/readme.png", "zzzz");
  }

  @Test
  void evalReportsFoldedAccuraciesCharactersThroughputAndConfusions() throws IOException {
    labelledFolder();
    assertEquals(0, run("eval", dir.resolve("eval").toString()), err.toString());
    String report = out.toString();
    assertTrue(report.contains("model: fake-resnet 9.9.9"), report);
    assertTrue(report.contains("images: 4 solved, 0 failed, 1 skipped"), report);
    assertTrue(
        report.contains(
            "sequence accuracy: exact 25.00% (1/4)  case-folded 50.00% (2/4)  confusable-folded 75.00% (3/4)"),
        report);
    assertTrue(report.contains("character accuracy: 68.75% (11/16)"), report);
    assertTrue(report.contains("throughput: "), report);
    assertTrue(
        report.contains("  1 -> l: 1\n  A -> a: 1\n  B -> b: 1\n  O -> 0: 1\n  z -> q: 1\n"),
        report);
    assertTrue(
        err.toString().contains("skipping") && err.toString().contains("readme.png"),
        err.toString());
  }

  @Test
  void evalJsonAndUnaryModeAgree() throws IOException {
    labelledFolder();
    assertEquals(0, run("eval", "--json", "--top", "2", dir.resolve("eval").toString()));
    JsonNode stream = new ObjectMapper().readTree(out.toString());
    out.getBuffer().setLength(0);
    assertEquals(0, run("eval", "--json", "--unary", "--top", "2", dir.resolve("eval").toString()));
    JsonNode unary = new ObjectMapper().readTree(out.toString());
    for (JsonNode n : List.of(stream, unary)) {
      assertEquals(0.25, n.get("exact_accuracy").asDouble(), 1e-9);
      assertEquals(0.5, n.get("case_folded_accuracy").asDouble(), 1e-9);
      assertEquals(0.75, n.get("confusable_folded_accuracy").asDouble(), 1e-9);
      assertEquals(11 / 16.0, n.get("char_accuracy").asDouble(), 1e-9);
      assertEquals(2, n.get("worst_confusions").size());
      assertTrue(n.get("images_per_second").asDouble() > 0);
    }
  }

  @Test
  void evalWritesAnHtmlReportWithEveryMisreadImage() throws IOException {
    labelledFolder();
    Path report = dir.resolve("report");
    assertEquals(
        0,
        run("eval", "--quiet", "--report", report.toString(), dir.resolve("eval").toString()),
        err.toString());
    String html = Files.readString(report.resolve("index.html"));
    assertTrue(html.contains("Evaluation of fake-resnet 9.9.9"), html);
    assertTrue(html.contains("25.00%"), html);
    try (var misread = Files.list(report.resolve("misread"))) {
      assertEquals(3, misread.count());
    }
    assertTrue(Files.isRegularFile(report.resolve("confusions.png")));
    assertTrue(err.toString().contains("report written to"), err.toString());
  }

  @Test
  void evalWithoutLabelledImagesIsAUsageError() throws IOException {
    image("plain/x.png", "abcd");
    assertEquals(2, run("eval", dir.resolve("plain").toString()));
    assertTrue(err.toString().contains("no labelled images"), err.toString());
  }

  @Test
  void infoPrintsModelAndBatching() throws IOException {
    assertEquals(0, run("info"));
    String text = out.toString();
    assertTrue(text.contains("model:               fake-resnet 9.9.9"), text);
    assertTrue(text.contains("max batch 32, preferred [8, 16], max queue delay 5.0 ms"), text);
    assertTrue(text.contains("validation accuracy: 98.70%"), text);
    assertTrue(text.contains("precision:           float32"), text);
    out.getBuffer().setLength(0);
    assertEquals(0, run("info", "--json"));
    JsonNode n = new ObjectMapper().readTree(out.toString());
    assertEquals("fake-resnet", n.get("name").asText());
    assertEquals(128, n.get("input").get("width").asInt());
    assertEquals(2, n.get("batching").get("instances").asInt());
    assertEquals("1", n.get("metadata").get("captcha.format").asText());
    assertEquals("float32", n.get("precision").asText());
  }

  @Test
  void progressBarIsDrawnOnStderrOnlyForATerminal() throws IOException {
    Path a = image("a.png", "abcd");
    assertEquals(
        0,
        CaptchaCli.run(
            new String[] {"solve", a.toString()},
            inProcess,
            true,
            new PrintWriter(out, true),
            new PrintWriter(err, true)));
    assertTrue(
        err.toString().contains("\r[########################] 1/1 images (100.0%)"),
        err.toString());
    assertEquals(List.of(a + "\tabcd\t0.6561"), lines());
  }

  @Test
  void helpDocumentsEveryFlag() {
    assertEquals(0, run("solve", "--help"));
    String help = out.toString();
    for (String flag :
        List.of(
            "--target",
            "--deadline",
            "--tls-ca",
            "--tls-cert",
            "--tls-key",
            "--token-file",
            "--json",
            "--csv",
            "--stream",
            "--max-in-flight",
            "--unordered",
            "--max-attempts")) {
      assertTrue(help.contains(flag), flag);
    }
    assertFalse(help.contains("null"));
  }
}
