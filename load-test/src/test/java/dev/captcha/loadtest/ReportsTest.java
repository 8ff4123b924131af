package dev.captcha.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.google.protobuf.Duration;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.api.v1.Timing;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import org.HdrHistogram.Histogram;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ReportsTest {

  private static final long MS = 1_000_000L;
  private static final long T0 = 10_000 * MS;

  private static final LoadConfig CONFIG =
      new LoadConfig(
          Rpc.UNARY,
          java.time.Duration.ofSeconds(3),
          java.time.Duration.ofSeconds(1),
          null,
          1,
          100,
          Arrivals.CONSTANT,
          1,
          java.time.Duration.ofSeconds(1),
          java.time.Duration.ofSeconds(5));

  /**
   * Records a 3-second open-loop run at 100 req/s on a fake clock: latencies of 2 ms rising to 20
   * ms in the last second, batches of 4, every tenth request failing, one wrong answer in 20.
   */
  static RunResult recordedRun(double rate, long slowdown) {
    FakeTicker ticker = new FakeTicker(T0);
    Measurements m = new Measurements(ticker, T0);
    List<IntervalStats> intervals = new ArrayList<>();
    int n = (int) (3 * rate);
    for (int i = 0; i < n; i++) {
      long intended = T0 + (long) (i * 1e9 / rate);
      long latency = (i >= 2 * rate ? 20 * MS : 2 * MS) * slowdown;
      int k = i;
      ticker.schedule(
          intended + latency,
          () -> {
            if (k % 10 == 9) {
              m.recordFailure(intended, "RESOURCE_EXHAUSTED");
            } else {
              m.recordSuccess(
                  intended,
                  "abcd",
                  SolveResponse.newBuilder()
                      .setText(k % 20 == 0 ? "abCd" : "abcd")
                      .setTiming(
                          Timing.newBuilder()
                              .setBatchSize(4)
                              .setQueueTime(Duration.newBuilder().setNanos(1_500_000))
                              .setInferenceTime(Duration.newBuilder().setNanos(3_000_000)))
                      .build());
            }
          });
    }
    for (int s = 1; s <= 3; s++) {
      ticker.advanceTo(T0 + s * 1000 * MS);
      intervals.add(m.sampleMeasured(ticker.nanoTime()));
    }
    ticker.drain();
    intervals.add(m.sampleMeasured(ticker.nanoTime()));
    m.close(0);
    return LoadRun.result(CONFIG, LoadPoint.openLoop(rate), m, intervals, ticker.nanoTime() - T0);
  }

  static Report single() {
    return new Report(
        "Test report <1>",
        "2026-01-01T00:00:00Z",
        List.of("localhost:1"),
        2,
        "300 images",
        "fake 1.0",
        List.of(recordedRun(100, 1)),
        null);
  }

  static Report sweep() {
    List<RunResult> runs = List.of(recordedRun(50, 1), recordedRun(100, 1), recordedRun(200, 10));
    Report.SweepSummary s =
        new Report.SweepSummary(
            "rate",
            50,
            0.2,
            List.of(
                new Report.Point(50, true),
                new Report.Point(100, true),
                new Report.Point(200, false)),
            true,
            1,
            100.0,
            runs.get(1).throughputRps(),
            runs.get(1).latency().p99Ms());
    return new Report(
        "Sweep", "2026-01-01T00:00:00Z", List.of("a:1", "b:2"), 1, "w", null, runs, s);
  }

  @Test
  void recordedRunIsSummarisedWithEveryRequestCounted() throws Exception {
    RunResult r = recordedRun(100, 1);
    assertEquals(300, r.sent());
    assertEquals(270, r.ok());
    assertEquals(30, r.failed());
    assertEquals(30L, r.errorsByCode().get("RESOURCE_EXHAUSTED"));
    assertEquals(0.1, r.errorShare(), 1e-9);
    assertEquals(2.0, r.latency().p50Ms(), 0.01);
    assertEquals(20.0, r.latency().maxMs(), 0.05);
    assertEquals(270, r.accuracy().labelled());
    assertEquals(270 - 15, r.accuracy().exact(), "every 20th answer differs in case");
    assertEquals(270, r.accuracy().caseFolded());
    assertEquals(4.0, r.server().meanBatchSize());
    assertEquals(270L, r.server().batchSizes().get(4));
    assertEquals(1.5, r.server().queueTime().p50Ms(), 0.01);
    assertEquals(3.0, r.server().inferenceTime().p99Ms(), 0.01);
    assertEquals(4, r.intervals().size());
    assertEquals(20.0, r.intervals().get(2).p99Ms(), 0.05);
    // The embedded histogram decodes back to the same latencies.
    Histogram h =
        Histogram.decodeFromCompressedByteBuffer(
            ByteBuffer.wrap(Base64.getDecoder().decode(r.latencyHistogram())), 0);
    assertEquals(270, h.getTotalCount());
  }

  @Test
  void jsonHoldsTheSummaryAndTheTimeSeries() throws Exception {
    JsonNode root = JsonReport.mapper().readTree(JsonReport.render(sweep()));
    assertEquals(3, root.get("runs").size());
    JsonNode run = root.get("runs").get(0);
    assertEquals(150, run.get("sent").asInt());
    assertEquals(0.1, run.get("errorShare").asDouble(), 1e-9);
    assertTrue(run.get("latency").has("p999Ms"));
    assertEquals(4, run.get("server").get("batchSizes").get("4").asInt() / 33);
    assertTrue(run.get("accuracy").has("exactShare"));
    assertEquals(4, run.get("intervals").size());
    assertEquals(1, root.get("sweep").get("kneeRun").asInt());
    assertFalse(run.has("concurrency"), "nulls are left out");
  }

  @Test
  void csvHasOneRowPerRunAndPerInterval() {
    Report report = sweep();
    List<String> rows = CsvReport.runs(report).lines().toList();
    assertEquals(CsvReport.RUNS_HEADER, rows.get(0));
    assertEquals(4, rows.size());
    String[] cells = rows.get(3).split(",", -1);
    assertEquals("2", cells[0]);
    assertEquals("200", cells[3]);
    assertEquals("false", cells[5]);
    assertTrue(rows.get(1).endsWith("\"RESOURCE_EXHAUSTED=15\""), rows.get(1));
    assertEquals(CsvReport.RUNS_HEADER.split(",").length, cells.length);

    List<String> intervals = CsvReport.intervals(report).lines().toList();
    assertEquals(1 + 3 * 4, intervals.size());
    assertEquals(
        CsvReport.INTERVALS_HEADER.split(",").length, intervals.get(5).split(",", -1).length);
  }

  @Test
  void htmlIsSelfContainedWithTheCharts(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("report.html");
    HtmlReport.write(sweep(), file);
    String html = Files.readString(file);
    assertTrue(html.startsWith("<!DOCTYPE html>"));
    for (String title :
        List.of(
            "Throughput vs latency",
            "Latency percentiles over time",
            "Throughput over time",
            "Batch-size distribution")) {
      assertTrue(html.contains(title), title);
    }
    assertEquals(4, html.split("<svg ", -1).length - 1);
    assertTrue(html.contains(">knee<"));
    // Nothing is fetched: no external scripts, styles, images or links.
    assertFalse(html.contains("src="));
    assertFalse(html.contains("href="));
    assertFalse(html.replace("xmlns='http://www.w3.org/2000/svg'", "").contains("http"));

    String one = HtmlReport.render(single());
    assertTrue(one.contains("Test report &lt;1&gt;"), "titles are escaped");
    assertFalse(one.contains("Throughput vs latency"));
  }

  @Test
  void consoleTableShowsRunsErrorsServerSideAndKnee() {
    String text = ConsoleReport.render(sweep());
    assertTrue(text.contains("open loop 100.0 req/s"));
    assertTrue(text.contains("<- knee"));
    assertTrue(text.contains("SLO missed"));
    assertTrue(text.contains("RESOURCE_EXHAUSTED=30"), text);
    assertTrue(text.contains("batch sizes (requests): 4x"));
    assertTrue(text.contains("knee: "));
    String single = ConsoleReport.render(single());
    assertTrue(single.contains("exact 94.44%"), single);
  }
}
