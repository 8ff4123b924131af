package dev.captcha.client;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

class CaptchaSolverClientTest {
  private final FakeSolver fake = new FakeSolver();
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    String name = InProcessServerBuilder.generateName();
    server = InProcessServerBuilder.forName(name).addService(fake.definition()).build().start();
    channel =
        InProcessChannelBuilder.forName(name)
            .defaultServiceConfig(RetrySettings.defaults().toServiceConfig("round_robin"))
            .enableRetry()
            .build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
    server.shutdownNow().awaitTermination(5, TimeUnit.SECONDS);
  }

  private static byte[] img(String text) {
    return text.getBytes(StandardCharsets.UTF_8);
  }

  private static List<CaptchaImage> images(String... texts) {
    List<CaptchaImage> list = new ArrayList<>();
    for (int i = 0; i < texts.length; i++) {
      list.add(CaptchaImage.of("img" + i, img(texts[i])));
    }
    return list;
  }

  /** Generous, so a starved machine never turns a slow answer into a deadline failure. */
  private static final Duration PATIENT = Duration.ofMinutes(5);

  private CaptchaSolverClient.Builder patient() {
    return CaptchaSolverClient.builder().channel(channel).deadline(PATIENT);
  }

  private CaptchaSolverClient client() {
    return patient().build();
  }

  @Test
  void solvesOneImageWithCandidatesAndTiming() {
    SolveResult r = client().solve(img("aB3x"));
    assertEquals("aB3x", r.text());
    assertEquals(0.9f * 0.9f * 0.9f * 0.9f, r.confidence(), 1e-6);
    assertEquals(4, r.positions().size());
    assertEquals("B", r.positions().get(1).candidates().get(0).character());
    assertEquals(0.1f, r.positions().get(1).candidates().get(1).probability(), 1e-6);
    assertEquals(Duration.ofMillis(2), r.timing().queueTime());
    assertEquals(Duration.ofMillis(5), r.timing().inferenceTime());
    assertEquals(Duration.ofMillis(1), r.timing().preprocessTime());
    assertEquals(3, r.timing().batchSize());
  }

  @Test
  void solvesAFileAndNamesResultByPath(@TempDir Path dir) throws Exception {
    Path file = Files.write(dir.resolve("x.png"), img("q7Rt"));
    SolveResult r = client().solve(file);
    assertEquals("q7Rt", r.text());
    assertEquals(file.toString(), r.id());
  }

  @Test
  void missingFileIsAClearInvalidImageError(@TempDir Path dir) {
    InvalidImageException e =
        assertThrows(InvalidImageException.class, () -> client().solve(dir.resolve("nope.png")));
    assertTrue(e.getMessage().contains("cannot read"), e.getMessage());
    assertEquals("CLIENT", e.statusCode());
    assertEquals(0, fake.solveCalls.get());
  }

  @Test
  void emptyImageIsRefusedWithoutACall() {
    InvalidImageException e =
        assertThrows(InvalidImageException.class, () -> client().solve(new byte[0]));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
    assertEquals(0, fake.solveCalls.get());
  }

  @Test
  void invalidImageFromServerIsTyped() {
    InvalidImageException e =
        assertThrows(InvalidImageException.class, () -> client().solve(img("bad!")));
    assertTrue(e.getMessage().contains("undecodable"), e.getMessage());
    assertEquals("INVALID_ARGUMENT", e.statusCode());
  }

  @Test
  void deadlineIsAppliedToEveryCall() {
    CaptchaSolverClient client =
        CaptchaSolverClient.builder().channel(channel).deadline(Duration.ofMillis(50)).build();
    DeadlineExceededException e =
        assertThrows(DeadlineExceededException.class, () -> client.solve(img("hang")));
    assertTrue(e.getMessage().contains("50ms"), e.getMessage());
    ExecutionException async =
        assertThrows(ExecutionException.class, () -> client.solveAsync(img("hang")).get());
    assertInstanceOf(DeadlineExceededException.class, async.getCause());
  }

  @Test
  void unavailableIsRetriedThroughTheServiceConfig() {
    fake.failNext(2, Status.Code.UNAVAILABLE);
    assertEquals("abcd", client().solve(img("abcd")).text());
    assertEquals(3, fake.solveCalls.get());
  }

  @Test
  void unknownFromATransportThatClosedIsRetried() {
    fake.failNext(1, Status.Code.UNKNOWN);
    assertEquals("abcd", client().solve(img("abcd")).text());
    assertEquals(2, fake.solveCalls.get());
  }

  @Test
  void resourceExhaustedIsRetriedThenReportedAsOverloaded() {
    fake.failNext(100, Status.Code.RESOURCE_EXHAUSTED);
    OverloadedException e =
        assertThrows(OverloadedException.class, () -> client().solve(img("abcd")));
    assertEquals(RetrySettings.defaults().maxAttempts(), fake.solveCalls.get());
    assertEquals(Duration.ofMillis(5), e.retryAfter().orElseThrow());
  }

  @Test
  void nonRetryableErrorsAreNotRetried() {
    fake.failNext(1, Status.Code.INTERNAL);
    ServerErrorException e =
        assertThrows(ServerErrorException.class, () -> client().solve(img("abcd")));
    assertEquals(1, fake.solveCalls.get());
    assertTrue(e.getMessage().contains("INTERNAL"), e.getMessage());
  }

  @ParameterizedTest
  @EnumSource(
      value = Status.Code.class,
      names = {
        "INVALID_ARGUMENT",
        "DEADLINE_EXCEEDED",
        "UNAUTHENTICATED",
        "PERMISSION_DENIED",
        "CANCELLED",
        "INTERNAL",
        "UNKNOWN",
        "UNAVAILABLE",
        "RESOURCE_EXHAUSTED"
      })
  void everyStatusMapsToATypedException(Status.Code code) {
    CaptchaSolverClient client = patient().retry(RetrySettings.none()).build();
    fake.failNext(10, code);
    CaptchaSolverException e =
        assertThrows(CaptchaSolverException.class, () -> client.solve(img("abcd")));
    Class<?> expected =
        switch (code) {
          case INVALID_ARGUMENT -> InvalidImageException.class;
          case DEADLINE_EXCEEDED -> DeadlineExceededException.class;
          case UNAUTHENTICATED, PERMISSION_DENIED -> AuthenticationException.class;
          case CANCELLED -> CancelledException.class;
          case UNAVAILABLE -> UnavailableException.class;
          case RESOURCE_EXHAUSTED -> OverloadedException.class;
          default -> ServerErrorException.class;
        };
    assertEquals(expected, e.getClass());
    assertEquals(code.name(), e.statusCode());
    assertTrue(e.getMessage().contains("injected failure"), e.getMessage());
  }

  @Test
  void bearerTokenIsSentAsAuthorizationMetadata() {
    fake.requireToken("s3cret");
    CaptchaSolverClient withToken = patient().bearerToken("s3cret").build();
    assertEquals("wxyz", withToken.solve(img("wxyz")).text());
    assertEquals("fake-resnet", withToken.modelInfo().name());
    withToken.solveAll(images("ab"), BatchOptions.unordered(), o -> o.result());
    assertEquals(
        List.of("Bearer s3cret", "Bearer s3cret", "Bearer s3cret"),
        List.copyOf(fake.authorizations));

    AuthenticationException e =
        assertThrows(AuthenticationException.class, () -> client().solve(img("wxyz")));
    assertTrue(e.getMessage().contains("refused the credentials"), e.getMessage());
  }

  @Test
  void badTokensAreRefusedEarly() {
    assertThrows(
        IllegalArgumentException.class, () -> CaptchaSolverClient.builder().bearerToken(" "));
    assertThrows(
        IllegalArgumentException.class, () -> CaptchaSolverClient.builder().bearerToken("a b"));
  }

  @Test
  void asyncSolveCompletesWithTheResult() throws Exception {
    CompletableFuture<SolveResult> f = client().solveAsync(img("zz99"));
    assertEquals("zz99", f.get(10, TimeUnit.SECONDS).text());
  }

  @Test
  void modelInfoIsConvertedToPlainTypes() {
    ModelDescription m = client().modelInfo();
    assertEquals("fake-resnet", m.name());
    assertEquals("9.9.9", m.version());
    assertEquals(62, m.charset().length());
    assertEquals(4, m.captchaLength());
    assertEquals(64, m.height());
    assertEquals(128, m.width());
    assertEquals(32, m.batching().maxBatchSize());
    assertEquals(Duration.ofMillis(5), m.batching().maxQueueDelay());
    assertEquals(List.of(8, 16), m.batching().preferredBatchSizes());
    assertEquals("1", m.metadata().get("captcha.format"));
  }

  @Test
  void batchInOrderModeHandsOutcomesBackInInputOrder() {
    fake.reversedGroups(3);
    List<String> texts = IntStream.range(0, 21).mapToObj(i -> String.format("t%03d", i)).toList();
    List<SolveOutcome> seen = new ArrayList<>();
    BatchSummary s =
        client()
            .solveAll(
                images(texts.toArray(String[]::new)),
                BatchOptions.inOrder().withMaxInFlight(4),
                seen::add);
    assertEquals(texts, seen.stream().map(o -> o.result().text()).toList());
    assertEquals(
        IntStream.range(0, 21).boxed().toList(), seen.stream().map(SolveOutcome::index).toList());
    assertEquals(new BatchSummary(21, 21, 0, 0), s);
  }

  @Test
  void batchUnorderedModeHandsOutcomesBackAsTheyCome() {
    fake.reversedGroups(3);
    List<Integer> order = new ArrayList<>();
    client()
        .solveAll(
            images("a", "b", "c", "d", "e", "f"),
            BatchOptions.unordered().withMaxInFlight(4),
            o -> order.add(o.index()));
    assertEquals(List.of(2, 1, 0, 5, 4, 3), order);
  }

  @Test
  void batchNeverHasMoreThanTheWindowInFlight() {
    fake.reversedGroups(5);
    String[] texts = IntStream.range(0, 40).mapToObj(i -> "x" + i).toArray(String[]::new);
    BatchSummary s =
        client().solveAll(images(texts), BatchOptions.unordered().withMaxInFlight(5), o -> {});
    assertEquals(40, s.succeeded());
    assertEquals(5, fake.maxOutstanding.get(), "the server saw a full window, never more");
  }

  @Test
  void iteratorWindowOnlyMovesAsTheConsumerTakesOutcomes() {
    String[] texts = IntStream.range(0, 30).mapToObj(i -> "y" + i).toArray(String[]::new);
    int window = 4;
    try (SolveOutcomeIterator it =
        client().solveAll(images(texts), BatchOptions.unordered().withMaxInFlight(window))) {
      int taken = 0;
      while (it.hasNext()) {
        assertTrue(
            fake.streamItemsReceived.get() <= window + taken,
            "sent " + fake.streamItemsReceived.get() + " after " + taken + " taken");
        assertTrue(it.next().succeeded());
        taken++;
      }
      assertEquals(30, taken);
      assertEquals(new BatchSummary(30, 30, 0, 0), it.summary());
    }
  }

  @Test
  void perItemErrorsAreTypedAndTheBatchGoesOn(@TempDir Path dir) {
    List<CaptchaImage> in = new ArrayList<>(images("ok1", "bad-bytes", "ok2"));
    in.add(CaptchaImage.of(dir.resolve("missing.png")));
    in.add(CaptchaImage.of("empty", new byte[0]));
    List<SolveOutcome> out = new ArrayList<>();
    BatchSummary s = client().solveAll(in, BatchOptions.inOrder(), out::add);
    assertEquals(new BatchSummary(5, 2, 3, 0), s);
    assertEquals("ok1", out.get(0).result().text());
    assertInstanceOf(InvalidImageException.class, out.get(1).error().orElseThrow());
    assertEquals("INVALID_ARGUMENT", out.get(1).error().orElseThrow().statusCode());
    assertThrows(InvalidImageException.class, () -> out.get(1).result());
    assertEquals("img1", out.get(1).input().id());
    assertEquals("ok2", out.get(2).result().text());
    assertTrue(out.get(3).error().orElseThrow().getMessage().contains("cannot read"));
    assertTrue(out.get(4).error().orElseThrow().getMessage().contains("empty"));
  }

  @Test
  void streamIsReopenedForUnansweredItemsWhenUnavailable() {
    fake.failStreams(1, 3);
    String[] texts = IntStream.range(0, 12).mapToObj(i -> "r" + i).toArray(String[]::new);
    List<SolveOutcome> out = new ArrayList<>();
    BatchSummary s =
        client().solveAll(images(texts), BatchOptions.inOrder().withMaxInFlight(4), out::add);
    assertEquals(new BatchSummary(12, 12, 0, 1), s);
    assertEquals(List.of(texts), out.stream().map(o -> o.result().text()).toList());
    assertEquals(2, fake.streamCalls.get());
  }

  @Test
  void streamIsReopenedWhenTheConnectionClosesUnderIt() {
    fake.failStreams(1, 2, Status.UNKNOWN.withDescription("channel closed"));
    String[] texts = IntStream.range(0, 8).mapToObj(i -> "u" + i).toArray(String[]::new);
    BatchSummary s =
        client()
            .solveAll(images(texts), BatchOptions.inOrder().withMaxInFlight(4), o -> o.result());
    assertEquals(new BatchSummary(8, 8, 0, 1), s);
  }

  @Test
  void otherStreamFailuresAreNotRetried() {
    fake.failStreams(1, 2, Status.INTERNAL.withDescription("model crashed"));
    List<SolveOutcome> out = new ArrayList<>();
    BatchSummary s =
        client()
            .solveAll(
                images("a", "b", "c", "d", "e"),
                BatchOptions.inOrder().withMaxInFlight(4),
                out::add);
    assertEquals(1, fake.streamCalls.get());
    assertEquals(2, s.succeeded());
    assertEquals(3, s.failed());
    assertInstanceOf(ServerErrorException.class, out.get(4).error().orElseThrow());
    assertTrue(out.get(4).error().orElseThrow().getMessage().contains("model crashed"));
  }

  @Test
  void overloadedStreamItemsAreSentAgainAfterABackoff() {
    fake.overloadStreamItems(5);
    String[] texts = IntStream.range(0, 10).mapToObj(i -> "o" + i).toArray(String[]::new);
    List<SolveOutcome> out = new ArrayList<>();
    BatchSummary s =
        client().solveAll(images(texts), BatchOptions.inOrder().withMaxInFlight(3), out::add);
    assertEquals(new BatchSummary(10, 10, 0, 0), s);
    assertEquals(List.of(texts), out.stream().map(o -> o.result().text()).toList());
    assertEquals(15, fake.streamItemsReceived.get());
    assertEquals(1, fake.streamCalls.get());
  }

  @Test
  void anItemStillOverloadedAfterAllAttemptsFailsWithOverloaded() {
    fake.overloadStreamItems(1000);
    CaptchaSolverClient client =
        patient()
            .retry(new RetrySettings(3, Duration.ofMillis(1), Duration.ofMillis(2), 2.0))
            .build();
    List<SolveOutcome> out = new ArrayList<>();
    client.solveAll(images("a", "b"), BatchOptions.inOrder(), out::add);
    assertEquals(2, out.size());
    out.forEach(o -> assertInstanceOf(OverloadedException.class, o.error().orElseThrow()));
    assertEquals(6, fake.streamItemsReceived.get());
  }

  @Test
  void whenTheStreamKeepsFailingEveryItemGetsTheError() {
    fake.failStreams(100, 1);
    CaptchaSolverClient client =
        patient()
            .retry(new RetrySettings(2, Duration.ofMillis(1), Duration.ofMillis(1), 1.0))
            .build();
    List<SolveOutcome> out = new ArrayList<>();
    BatchSummary s =
        client.solveAll(
            images("a", "b", "c", "d", "e"), BatchOptions.inOrder().withMaxInFlight(2), out::add);
    assertEquals(5, s.submitted());
    assertEquals(5, out.size(), "each item is reported once");
    assertEquals(s.failed(), out.stream().filter(o -> !o.succeeded()).count());
    assertTrue(s.failed() >= 1);
    out.stream()
        .filter(o -> !o.succeeded())
        .forEach(o -> assertInstanceOf(UnavailableException.class, o.error().orElseThrow()));
    assertEquals(2, fake.streamCalls.get());
  }

  @Test
  void streamDeadlineFailsUnansweredItems() {
    CaptchaSolverClient client =
        CaptchaSolverClient.builder()
            .channel(channel)
            .streamDeadline(Duration.ofMillis(100))
            .build();
    List<SolveOutcome> out = new ArrayList<>();
    BatchSummary s = client.solveAll(images("ok", "hang", "ok2"), BatchOptions.inOrder(), out::add);
    assertEquals(3, out.size(), "every item gets one outcome");
    assertInstanceOf(DeadlineExceededException.class, out.get(1).error().orElseThrow());
    assertEquals(s.failed(), out.stream().filter(o -> !o.succeeded()).count());
    out.stream()
        .filter(o -> !o.succeeded())
        .forEach(o -> assertInstanceOf(DeadlineExceededException.class, o.error().orElseThrow()));
  }

  @Test
  void emptyBatchCompletes() {
    assertEquals(
        new BatchSummary(0, 0, 0, 0),
        client().solveAll(List.of(), BatchOptions.inOrder(), o -> {}));
  }

  @Test
  void callbackFailureStopsTheBatchAndIsRethrown() {
    IllegalStateException e =
        assertThrows(
            IllegalStateException.class,
            () ->
                client()
                    .solveAll(
                        images("a", "b", "c"),
                        BatchOptions.inOrder(),
                        o -> {
                          throw new IllegalStateException("consumer broke");
                        }));
    assertEquals("consumer broke", e.getMessage());
  }

  @Test
  void closingTheIteratorEarlyCancelsTheRest() {
    String[] texts = IntStream.range(0, 50).mapToObj(i -> "c" + i).toArray(String[]::new);
    SolveOutcomeIterator it =
        client().solveAll(images(texts), BatchOptions.inOrder().withMaxInFlight(2));
    assertTrue(it.next().succeeded());
    it.close();
    assertFalse(it.hasNext());
    assertTrue(fake.streamItemsReceived.get() < 50);
  }

  @Test
  void builderValidatesItsSettings() {
    assertThrows(IllegalStateException.class, () -> CaptchaSolverClient.builder().build());
    assertThrows(
        IllegalArgumentException.class,
        () -> CaptchaSolverClient.builder().target("host:notaport"));
    assertThrows(
        IllegalArgumentException.class,
        () -> CaptchaSolverClient.builder().deadline(Duration.ZERO));
    assertThrows(
        IllegalStateException.class,
        () -> CaptchaSolverClient.builder().target("a:1").target("dns:///b:2").build());
    assertThrows(
        IllegalArgumentException.class,
        () -> CaptchaSolverClient.builder().trustCa(Path.of("/nonexistent/ca.pem")));
    assertThrows(IllegalArgumentException.class, () -> new BatchOptions(0, true));
  }
}
