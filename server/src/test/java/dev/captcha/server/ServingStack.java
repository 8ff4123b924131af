package dev.captcha.server;

import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.ModelInfo;
import dev.captcha.model.Prediction;
import dev.captcha.model.Preprocessor;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.batch.NanoClock;
import dev.captcha.server.engine.Device;
import dev.captcha.server.engine.EngineOptions;
import dev.captcha.server.engine.OnnxModel;
import dev.captcha.server.grpc.CaptchaServer;
import dev.captcha.server.grpc.CaptchaSolverService;
import dev.captcha.server.grpc.HealthState;
import dev.captcha.server.grpc.Protos;
import dev.captcha.server.http.HttpServer;
import dev.captcha.server.http.ServedModels;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.metrics.MeteredEngine;
import dev.captcha.server.metrics.ServerMetrics;
import dev.captcha.server.solve.Solver;
import dev.captcha.server.testsupport.ControlledEngine;
import dev.captcha.server.testsupport.ManualClock;
import dev.captcha.server.testsupport.TinyOnnxModel;
import io.grpc.ChannelCredentials;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine;

/**
 * The whole server as {@link Main} wires it (its gRPC transport with TLS, limits, interceptors,
 * health and reflection, and its HTTP/JSON transport, from the same command-line options), on a
 * free port with the tiny test model and an engine tests can hold; for tests. Not thread-safe; one
 * per test.
 */
public final class ServingStack implements AutoCloseable {
  public final Main options;
  public final OnnxModel model;
  public final ServerMetrics metrics;
  public final HealthState health;
  public final ControlledEngine<float[], Prediction> engine;
  public final MicroBatcher<float[], Prediction> batcher;
  public final CaptchaServer server;
  public final HTTPServer metricsHttp;
  public final HttpServer http;
  private final ExecutorService workers;
  private final ScheduledExecutorService timer;
  private final ThreadPoolExecutor preprocess;
  private final ManagedChannel channel;

  /**
   * Starts a server on the system clock with the given command-line options ({@code --port 0} is
   * added).
   *
   * @param dir where the tiny model is written
   */
  public ServingStack(Path dir, String... args) throws Exception {
    this(dir, null, args);
  }

  /**
   * Starts a server whose batcher runs on {@code clock} (deadlines, queue delays), or on the system
   * clock when it is null.
   */
  public ServingStack(Path dir, ManualClock clock, String... args) throws Exception {
    String[] all = new String[args.length + 2];
    all[0] = "--port";
    all[1] = "0";
    System.arraycopy(args, 0, all, 2, args.length);
    CommandLine commandLine = Main.commandLine();
    commandLine.parseArgs(all);
    options = commandLine.getCommand();
    BatcherSettings settings = options.batcherSettings();
    model =
        OnnxModel.load(
            TinyOnnxModel.write(dir.resolve("tiny.onnx"), TinyOnnxModel.metadata()),
            new EngineOptions(Device.CPU, 1, 3));
    metrics = new ServerMetrics(new PrometheusRegistry());
    metrics.setModelInfo(
        model.metadata().name(), model.metadata().version(), model.executionProvider());
    health = new HealthState(List.of(CaptchaSolverGrpc.SERVICE_NAME));
    engine =
        new ControlledEngine<>(model.newInstance(settings.maxBatchSize()), Duration.ofSeconds(120));
    workers = Executors.newFixedThreadPool(settings.instances());
    timer = Executors.newSingleThreadScheduledExecutor();
    batcher =
        new MicroBatcher<>(
            settings,
            List.of(new MeteredEngine<>(engine, metrics, NanoClock.SYSTEM)),
            clock != null ? clock : NanoClock.SYSTEM,
            clock != null ? clock : DelayScheduler.of(timer),
            workers,
            metrics.outcomes());
    batcher.warmUp(new float[model.metadata().input().itemSize()]);
    metrics.startRecordingBatches();
    metrics.registerQueueDepth(batcher::queueLength);
    // Unlike main's, the decode queue does not shrink with --max-queue-length, so that only the
    // batcher's admission control refuses requests in tests.
    preprocess = new ThreadPoolExecutor(2, 2, 0, TimeUnit.SECONDS, new ArrayBlockingQueue<>(1024));
    Solver solver =
        new Solver(
            new ImageDecoder(options.imageLimits()),
            new Preprocessor(model.metadata().input()),
            batcher,
            preprocess,
            metrics.outcomes());
    ModelInfo info = Protos.modelInfo(model.metadata(), settings, model.executionProvider());
    CaptchaSolverService service =
        new CaptchaSolverService(solver, info, settings.defaultTimeout(), options.streamWindow());
    server = options.transport(service, health, metrics).netty(options.port).start();
    http =
        options
            .httpTransport(
                ServedModels.single(solver, () -> info), health, metrics, batcher::queueLength)
            .build(0)
            .start();
    metricsHttp = metrics.startHttpServer(0);
    health.serving();
    channel = channel(InsecureChannelCredentials.create());
  }

  /** A plaintext channel shared by the test; closed with the stack. */
  public ManagedChannel channel() {
    return channel;
  }

  /** A new channel to the server, which the caller closes. */
  public ManagedChannel channel(ChannelCredentials credentials) {
    return Grpc.newChannelBuilderForAddress("localhost", server.port(), credentials)
        .maxInboundMessageSize(16 << 20)
        .build();
  }

  public CaptchaSolverGrpc.CaptchaSolverBlockingStub blocking() {
    return CaptchaSolverGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  public CaptchaSolverGrpc.CaptchaSolverStub async() {
    return CaptchaSolverGrpc.newStub(channel);
  }

  /** The base address of the HTTP/JSON server, like {@code http://localhost:1234}. */
  public String httpBase() {
    return (options.tlsSettings().enabled() ? "https" : "http") + "://localhost:" + http.port();
  }

  /** The text of the metrics endpoint. */
  public String scrape() throws Exception {
    HttpResponse<String> response =
        HttpClient.newHttpClient()
            .send(
                HttpRequest.newBuilder(
                        URI.create("http://localhost:" + metricsHttp.getPort() + "/metrics"))
                    .build(),
                HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 200) {
      throw new IllegalStateException("metrics endpoint answered " + response.statusCode());
    }
    return response.body();
  }

  @Override
  public void close() throws Exception {
    engine.release();
    health.draining();
    channel.shutdownNow();
    server.shutdown();
    batcher.close(Duration.ofSeconds(10));
    server.awaitTermination(Duration.ofSeconds(10));
    http.stop(Duration.ofSeconds(1));
    metricsHttp.close();
    preprocess.shutdownNow();
    workers.shutdownNow();
    timer.shutdownNow();
    model.close();
  }
}
