package dev.captcha.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.cli.DurationConverter;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.BatchingMode;
import dev.captcha.server.engine.Device;
import dev.captcha.server.engine.EngineOptions;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

  private static Main parse(String... args) {
    CommandLine cl = Main.commandLine();
    cl.parseArgs(args);
    return cl.getCommand();
  }

  @Test
  void helpDocumentsEveryOptionWithItsDefaultAndVariable() {
    CommandLine cl = Main.commandLine();
    StringWriter out = new StringWriter();
    cl.setOut(new PrintWriter(out));
    assertEquals(0, cl.execute("--help"));
    String help = out.toString();
    for (String option :
        List.of(
            "--port",
            "--model",
            "--device",
            "--max-batch-size",
            "--max-queue-delay",
            "--preferred-batch-sizes",
            "--instances",
            "--max-queue-length",
            "--default-timeout",
            "--intra-op-threads",
            "--batching-mode",
            "--latency-budget",
            "--drain-timeout",
            "--model-dir",
            "--default-model",
            "--model-instances")) {
      assertTrue(help.contains(option), option);
    }
    assertTrue(help.contains("CAPTCHA_PORT, default 50051"), help);
    assertTrue(help.contains("models/captcha-resnet-int8.onnx"), help);
    assertTrue(help.contains("CAPTCHA_MODEL_DIR"), help);
    assertTrue(help.contains("CAPTCHA_DEFAULT_MODEL"), help);
    assertTrue(help.contains("CAPTCHA_MODEL_INSTANCES"), help);
  }

  @Test
  void defaults() {
    Main m = parse();
    BatcherSettings s = m.batcherSettings();
    assertEquals(50051, m.port);
    assertEquals(32, s.maxBatchSize());
    assertEquals(Duration.ofMillis(5), s.maxQueueDelay());
    assertEquals(List.of(), s.preferredBatchSizes());
    assertEquals(BatchingMode.WORK_CONSERVING, s.mode());
    assertEquals(Device.AUTO, m.engineOptions().device());
  }

  @Test
  void optionsBecomeValidatedSettings() {
    Main m =
        parse(
            "--max-batch-size",
            "16",
            "--max-queue-delay",
            "2.5ms",
            "--preferred-batch-sizes",
            "8,4",
            "--instances",
            "2",
            "--max-queue-length",
            "99",
            "--default-timeout",
            "3s",
            "--batching-mode",
            "latency-budget",
            "--latency-budget",
            "PT0.04S",
            "--device",
            "CPU",
            "--intra-op-threads",
            "2");
    BatcherSettings s = m.batcherSettings();
    assertEquals(16, s.maxBatchSize());
    assertEquals(Duration.ofNanos(2_500_000), s.maxQueueDelay());
    assertEquals(List.of(4, 8), s.preferredBatchSizes());
    assertEquals(2, s.instances());
    assertEquals(99, s.maxQueueLength());
    assertEquals(Duration.ofSeconds(3), s.defaultTimeout());
    assertEquals(BatchingMode.LATENCY_BUDGET, s.mode());
    assertEquals(Duration.ofMillis(40), s.latencyBudget());
    assertEquals(Device.CPU, m.engineOptions().device());
    assertEquals(2, m.engineOptions().intraOpThreads());
  }

  @Test
  void environmentVariablesOverrideTheRecordDefaults() {
    CommandLine cl =
        Main.commandLine(
            Map.of(
                "CAPTCHA_MAX_BATCH_SIZE", "16",
                "CAPTCHA_MAX_QUEUE_DELAY", "2ms",
                "CAPTCHA_KEEPALIVE_TIME", "30s",
                "CAPTCHA_REFLECTION", "false",
                "CAPTCHA_DEVICE", "cpu"));
    cl.parseArgs("--max-batch-size", "8");
    Main m = cl.getCommand();
    assertEquals(8, m.batcherSettings().maxBatchSize(), "the command line wins");
    assertEquals(Duration.ofMillis(2), m.batcherSettings().maxQueueDelay());
    assertEquals(Duration.ofSeconds(30), m.serverLimits().keepAliveTime());
    assertEquals(Device.CPU, m.engineOptions().device());
    assertFalse(m.reflection);
    Main plain = parse();
    assertEquals(BatcherSettings.defaults(), plain.batcherSettings());
    assertEquals(EngineOptions.defaults(), plain.engineOptions());
  }

  /** Each on/off switch: both of its forms and its variable set it as they read. */
  @Test
  void switchesReadAsTheySay() {
    assertFalse(parse("--no-inline-dispatch").batcherSettings().inlineDispatch());
    assertTrue(parse("--inline-dispatch").batcherSettings().inlineDispatch());
    assertTrue(parse().batcherSettings().inlineDispatch());
    assertFalse(parse("--no-intra-op-spinning").engineOptions().spinning());
    assertTrue(parse("--intra-op-spinning").engineOptions().spinning());
    assertFalse(parse("--no-reflection").reflection);
    assertTrue(parse("--reflection").reflection);
    for (String value : new String[] {"false", "true"}) {
      CommandLine cl = Main.commandLine(Map.of("CAPTCHA_INLINE_DISPATCH", value));
      cl.parseArgs();
      Main m = cl.getCommand();
      assertEquals(Boolean.parseBoolean(value), m.batcherSettings().inlineDispatch(), value);
    }
  }

  @Test
  void badValuesAreUsageErrors() {
    CommandLine cl = Main.commandLine();
    cl.setErr(new PrintWriter(new StringWriter()));
    assertEquals(2, cl.execute("--max-queue-delay", "soon"));
    assertThrows(
        CommandLine.ParameterException.class,
        () -> parse("--max-batch-size", "4", "--preferred-batch-sizes", "8").batcherSettings());
    assertThrows(
        CommandLine.ParameterException.class, () -> parse("--device", "tpu").engineOptions());
  }

  @Test
  void missingModelFailsWithAClearMessage(@TempDir Path dir) {
    CommandLine cl = Main.commandLine();
    StringWriter err = new StringWriter();
    cl.setErr(new PrintWriter(err));
    assertEquals(2, cl.execute("--model", dir.resolve("none.onnx").toString(), "--port", "0"));
  }

  @Test
  void modelIsLookedUpAboveTheJar(@TempDir Path dir) throws Exception {
    Path jarDir = Files.createDirectories(dir.resolve("server/target"));
    Path model = Files.createDirectories(dir.resolve("models")).resolve("m.onnx");
    List<Path> tried = ModelLocator.candidates(Path.of("models/m.onnx"), Optional.of(jarDir));
    assertTrue(tried.contains(model.toAbsolutePath().normalize()), tried.toString());
    assertEquals(Path.of("models/m.onnx").toAbsolutePath().normalize(), tried.get(0));
    assertEquals(
        List.of(Path.of("/abs/m.onnx")),
        ModelLocator.candidates(Path.of("/abs/m.onnx"), Optional.of(jarDir)));
  }

  @Test
  void durations() {
    DurationConverter c = new DurationConverter();
    assertEquals(Duration.ofMillis(250), c.convert("250ms"));
    assertEquals(Duration.ofSeconds(2), c.convert("2s"));
    assertEquals(Duration.ofMinutes(1), c.convert("1m"));
    assertEquals(Duration.ofNanos(1500), c.convert("1.5us"));
    assertEquals(Duration.ofMillis(500), c.convert("PT0.5S"));
    assertThrows(CommandLine.TypeConversionException.class, () -> c.convert("fast"));
  }

  @Test
  void modelDirOptionsAreValidatedBeforeAnyModelLoads(@TempDir Path dir) throws Exception {
    Files.writeString(dir.resolve("shop-b.onnx"), "not read by these checks");
    Files.writeString(dir.resolve("shop-a.onnx"), "not read by these checks");
    Main m = parse("--model-dir", dir.toString());
    Map<String, Path> files = m.modelFiles();
    assertEquals(List.of("shop-a", "shop-b"), List.copyOf(files.keySet()));
    assertEquals("shop-a", m.defaultModel(files), "the first name when none is given");
    assertEquals(
        "shop-b",
        parse("--model-dir", dir.toString(), "--default-model", "shop-b").defaultModel(files));
    CommandLine.ParameterException unknown =
        assertThrows(
            CommandLine.ParameterException.class,
            () ->
                parse("--model-dir", dir.toString(), "--default-model", "shop-z")
                    .defaultModel(files));
    assertTrue(unknown.getMessage().contains("holds shop-a, shop-b"), unknown.getMessage());
    assertThrows(
        CommandLine.ParameterException.class,
        () -> parse("--model-dir", dir.toString(), "--model", "x.onnx").modelFiles());
    assertThrows(
        CommandLine.ParameterException.class,
        () -> parse("--default-model", "shop-a").modelFiles());
    Files.writeString(dir.resolve("shop-a.ONNX"), "same name");
    CommandLine.ParameterException duplicate =
        assertThrows(
            CommandLine.ParameterException.class,
            () -> parse("--model-dir", dir.toString()).modelFiles());
    assertTrue(duplicate.getMessage().contains("'shop-a'"), duplicate.getMessage());
  }

  @Test
  void modelInstancesNameInstancesPerModel() {
    assertEquals(
        Map.of("shop-a", 2, "shop-b", 1),
        parse("--model-instances", "shop-a=2, shop-b=1").modelInstances());
    assertEquals(Map.of(), parse().modelInstances());
    for (String bad : List.of("shop-a", "shop-a=0", "=2", "shop-a=x", "a=1,a=2")) {
      assertThrows(
          CommandLine.ParameterException.class,
          () -> parse("--model-instances", bad).modelInstances(),
          bad);
    }
    CommandLine fromEnvironment = Main.commandLine(Map.of("CAPTCHA_MODEL_INSTANCES", "shop-a=3"));
    fromEnvironment.parseArgs();
    assertEquals(Map.of("shop-a", 3), fromEnvironment.<Main>getCommand().modelInstances());
  }
}
