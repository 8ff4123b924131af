package dev.captcha.server;

import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.ModelInfo;
import dev.captcha.server.batch.BatchEngine;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.BatchingMode;
import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.batch.NanoClock;
import dev.captcha.server.engine.Device;
import dev.captcha.server.engine.EngineException;
import dev.captcha.server.engine.EngineOptions;
import dev.captcha.server.engine.OnnxModel;
import dev.captcha.server.grpc.CaptchaServer;
import dev.captcha.server.grpc.CaptchaSolverService;
import dev.captcha.server.grpc.Protos;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.image.ImageLimits;
import dev.captcha.server.image.Preprocessor;
import dev.captcha.server.model.ModelFormatException;
import dev.captcha.server.model.ModelMetadata;
import dev.captcha.server.model.Prediction;
import dev.captcha.server.reload.ReloadListener;
import dev.captcha.server.reload.WatchedModel;
import dev.captcha.server.metrics.GrpcMetricsInterceptor;
import dev.captcha.server.metrics.MeteredEngine;
import dev.captcha.server.metrics.ServerMetrics;
import dev.captcha.server.ops.HealthState;
import dev.captcha.server.ops.ServerLimits;
import dev.captcha.server.ops.StreamItemLimiter;
import dev.captcha.server.security.BearerTokenInterceptor;
import dev.captcha.server.security.TlsSettings;
import dev.captcha.server.solve.Solver;
import io.grpc.netty.shaded.io.grpc.netty.NettyServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server's command line and the only place where its parts are wired together: model, engine
 * instances, batcher, preprocessing, gRPC service and server, and the graceful shutdown on
 * SIGTERM. One instance per process.
 */
@Command(
    name = "captcha-server",
    mixinStandardHelpOptions = true,
    version = "captcha-server 0.1.0",
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Serves the captcha.v1.CaptchaSolver gRPC service: reads captcha images with an ONNX model,"
          + " grouping concurrent requests into inference batches.",
      "Every option can also be set with the environment variable named in its description."
    })
public final class Main implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Option(names = "--port", defaultValue = "${env:CAPTCHA_PORT:-50051}",
      description = "TCP port to listen on; 0 picks a free one (CAPTCHA_PORT, default ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--model", defaultValue = "${env:CAPTCHA_MODEL:-models/captcha-resnet-int8.onnx}",
      description = "ONNX model file; a relative path is looked up in the working directory, then"
          + " above the server jar (CAPTCHA_MODEL, default ${DEFAULT-VALUE}).")
  Path model;

  @Option(names = "--device", defaultValue = "${env:CAPTCHA_DEVICE:-auto}",
      description = "auto (CUDA where it loads, else CPU), cpu or cuda (fails where CUDA cannot"
          + " load) (CAPTCHA_DEVICE, default ${DEFAULT-VALUE}).")
  String device;

  @Option(names = "--max-batch-size", defaultValue = "${env:CAPTCHA_MAX_BATCH_SIZE:-32}",
      description = "Largest inference batch (CAPTCHA_MAX_BATCH_SIZE, default ${DEFAULT-VALUE}).")
  int maxBatchSize;

  @Option(names = "--max-queue-delay", defaultValue = "${env:CAPTCHA_MAX_QUEUE_DELAY:-5ms}",
      description = "Longest a request waits, from its arrival, for its batch to fill"
          + " (CAPTCHA_MAX_QUEUE_DELAY, default ${DEFAULT-VALUE}).")
  Duration maxQueueDelay;

  @Option(names = "--preferred-batch-sizes", paramLabel = "<sizes>",
      defaultValue = "${env:CAPTCHA_PREFERRED_BATCH_SIZES:-none}",
      description = "Comma-separated batch sizes dispatched at once when that many are queued,"
          + " or none (CAPTCHA_PREFERRED_BATCH_SIZES, default ${DEFAULT-VALUE}).")
  String preferredBatchSizes;

  @Option(names = "--instances", defaultValue = "${env:CAPTCHA_INSTANCES:-1}",
      description = "Model instances running batches in parallel (CAPTCHA_INSTANCES,"
          + " default ${DEFAULT-VALUE}).")
  int instances;

  @Option(names = "--max-queue-length", defaultValue = "${env:CAPTCHA_MAX_QUEUE_LENGTH:-1024}",
      description = "Most requests waiting; beyond it requests get RESOURCE_EXHAUSTED"
          + " (CAPTCHA_MAX_QUEUE_LENGTH, default ${DEFAULT-VALUE}).")
  int maxQueueLength;

  @Option(names = "--default-timeout", defaultValue = "${env:CAPTCHA_DEFAULT_TIMEOUT:-10s}",
      description = "Deadline of calls (and stream items) that carry none"
          + " (CAPTCHA_DEFAULT_TIMEOUT, default ${DEFAULT-VALUE}).")
  Duration defaultTimeout;

  @Option(names = "--intra-op-threads", defaultValue = "${env:CAPTCHA_INTRA_OP_THREADS:-0}",
      description = "ONNX Runtime threads per operator; 0 lets it choose"
          + " (CAPTCHA_INTRA_OP_THREADS, default ${DEFAULT-VALUE}).")
  int intraOpThreads;

  @Option(names = "--intra-op-spinning", negatable = true,
      defaultValue = "${env:CAPTCHA_INTRA_OP_SPINNING:-true}", fallbackValue = "true",
      description = "Let ONNX Runtime's intra-op threads busy-wait between operators (its"
          + " default); --no-intra-op-spinning makes them sleep, leaving the cores to decoding"
          + " and the network (CAPTCHA_INTRA_OP_SPINNING, default ${DEFAULT-VALUE}).")
  boolean intraOpSpinning;

  @Option(names = "--batching-mode", defaultValue = "${env:CAPTCHA_BATCHING_MODE:-fixed}",
      description = "fixed (wait up to --max-queue-delay) or latency-budget (measure the batch"
          + " cost and choose wait and size to finish within --latency-budget)"
          + " (CAPTCHA_BATCHING_MODE, default ${DEFAULT-VALUE}).")
  String batchingMode;

  @Option(names = "--latency-budget", defaultValue = "${env:CAPTCHA_LATENCY_BUDGET:-50ms}",
      description = "End-to-end target of latency-budget mode (CAPTCHA_LATENCY_BUDGET,"
          + " default ${DEFAULT-VALUE}).")
  Duration latencyBudget;

  @Option(names = "--drain-timeout", defaultValue = "${env:CAPTCHA_DRAIN_TIMEOUT:-20s}",
      description = "On SIGTERM, how long to keep answering accepted requests before exiting"
          + " (CAPTCHA_DRAIN_TIMEOUT, default ${DEFAULT-VALUE}).")
  Duration drainTimeout;

  @Option(names = "--preprocess-threads",
      defaultValue = "${env:CAPTCHA_PREPROCESS_THREADS:-0}",
      description = "Threads decoding images; 0 means one per CPU core"
          + " (CAPTCHA_PREPROCESS_THREADS, default ${DEFAULT-VALUE}).")
  int preprocessThreads;

  @Option(names = "--stream-window", defaultValue = "${env:CAPTCHA_STREAM_WINDOW:-64}",
      description = "Most items of one SolveStream in flight at once (CAPTCHA_STREAM_WINDOW,"
          + " default ${DEFAULT-VALUE}).")
  int streamWindow;

  @Option(names = "--top-k", defaultValue = "${env:CAPTCHA_TOP_K:-3}",
      description = "Candidates reported per position (CAPTCHA_TOP_K, default ${DEFAULT-VALUE}).")
  int topK;

  @Option(names = "--max-image-bytes", defaultValue = "${env:CAPTCHA_MAX_IMAGE_BYTES:-4194304}",
      description = "Largest encoded image accepted (CAPTCHA_MAX_IMAGE_BYTES,"
          + " default ${DEFAULT-VALUE}).")
  int maxImageBytes;

  @Option(names = "--watch-model", defaultValue = "${env:CAPTCHA_WATCH_MODEL:-false}",
      description = "Reload the model file when it changes: the new file is checked and warmed up"
          + " beside the model in force, then takes new batches; a bad file is refused and the"
          + " old model keeps serving (CAPTCHA_WATCH_MODEL, default ${DEFAULT-VALUE}).")
  boolean watchModel;

  @Option(names = "--watch-interval", defaultValue = "${env:CAPTCHA_WATCH_INTERVAL:-2s}",
      description = "How often --watch-model looks at the file (CAPTCHA_WATCH_INTERVAL,"
          + " default ${DEFAULT-VALUE}).")
  Duration watchInterval;

  @Option(names = "--metrics-port", defaultValue = "${env:CAPTCHA_METRICS_PORT:-9464}",
      description = "Port of the Prometheus metrics endpoint (http://host:port/metrics); 0 picks"
          + " a free one, -1 turns it off (CAPTCHA_METRICS_PORT, default ${DEFAULT-VALUE}).")
  int metricsPort;

  @Option(names = "--tls-cert", paramLabel = "<file>", defaultValue = "${env:CAPTCHA_TLS_CERT}",
      description = "PEM certificate chain of the server; with --tls-key, the server speaks TLS"
          + " (CAPTCHA_TLS_CERT, default plaintext).")
  Path tlsCert;

  @Option(names = "--tls-key", paramLabel = "<file>", defaultValue = "${env:CAPTCHA_TLS_KEY}",
      description = "PEM PKCS#8 private key of --tls-cert (CAPTCHA_TLS_KEY).")
  Path tlsKey;

  @Option(names = "--tls-client-ca", paramLabel = "<file>", defaultValue = "${env:CAPTCHA_TLS_CLIENT_CA}",
      description = "PEM CA certificates; clients must present a certificate signed by one"
          + " (mutual TLS) (CAPTCHA_TLS_CLIENT_CA, default no client certificates).")
  Path tlsClientCa;

  @Option(names = "--token-file", defaultValue = "${env:CAPTCHA_TOKEN_FILE}",
      description = "File holding a bearer token that calls must send as 'authorization: Bearer"
          + " <token>'; the health service stays open (CAPTCHA_TOKEN_FILE, default none).")
  Path tokenFile;

  @Option(names = "--reflection", negatable = true,
      defaultValue = "${env:CAPTCHA_REFLECTION:-true}", fallbackValue = "true",
      description = "Serve gRPC server reflection (CAPTCHA_REFLECTION, default ${DEFAULT-VALUE}).")
  boolean reflection;

  @Option(names = "--max-message-bytes", defaultValue = "${env:CAPTCHA_MAX_MESSAGE_BYTES:-0}",
      description = "Largest request message; larger ones get RESOURCE_EXHAUSTED; 0 means"
          + " --max-image-bytes plus 64 KiB (CAPTCHA_MAX_MESSAGE_BYTES, default ${DEFAULT-VALUE}).")
  int maxMessageBytes;

  @Option(names = "--max-calls-per-connection",
      defaultValue = "${env:CAPTCHA_MAX_CALLS_PER_CONNECTION:-256}",
      description = "Most calls open at once on one connection; clients queue the rest"
          + " (CAPTCHA_MAX_CALLS_PER_CONNECTION, default ${DEFAULT-VALUE}).")
  int maxCallsPerConnection;

  @Option(names = "--stream-items-per-connection",
      defaultValue = "${env:CAPTCHA_STREAM_ITEMS_PER_CONNECTION:-512}",
      description = "Most SolveStream items of one connection, all its streams together, read and"
          + " not yet answered (CAPTCHA_STREAM_ITEMS_PER_CONNECTION, default ${DEFAULT-VALUE}).")
  int streamItemsPerConnection;

  @Option(names = "--keepalive-time", defaultValue = "${env:CAPTCHA_KEEPALIVE_TIME:-1m}",
      description = "Idle time after which the server pings a client (CAPTCHA_KEEPALIVE_TIME,"
          + " default ${DEFAULT-VALUE}).")
  Duration keepAliveTime;

  @Option(names = "--keepalive-timeout", defaultValue = "${env:CAPTCHA_KEEPALIVE_TIMEOUT:-20s}",
      description = "How long a ping may go unanswered before the connection is closed"
          + " (CAPTCHA_KEEPALIVE_TIMEOUT, default ${DEFAULT-VALUE}).")
  Duration keepAliveTimeout;

  @Option(names = "--permit-keepalive-time",
      defaultValue = "${env:CAPTCHA_PERMIT_KEEPALIVE_TIME:-10s}",
      description = "Shortest ping interval allowed to clients; faster pingers are disconnected"
          + " (CAPTCHA_PERMIT_KEEPALIVE_TIME, default ${DEFAULT-VALUE}).")
  Duration permitKeepAliveTime;

  @Option(names = "--max-connection-idle",
      defaultValue = "${env:CAPTCHA_MAX_CONNECTION_IDLE:-10m}",
      description = "A connection without calls for this long is closed"
          + " (CAPTCHA_MAX_CONNECTION_IDLE, default ${DEFAULT-VALUE}).")
  Duration maxConnectionIdle;

  @Option(names = "--max-connection-age", defaultValue = "${env:CAPTCHA_MAX_CONNECTION_AGE:-30m}",
      description = "Connections older than this (plus up to 10%% jitter) are asked to reconnect,"
          + " so load balancers can rebalance (CAPTCHA_MAX_CONNECTION_AGE,"
          + " default ${DEFAULT-VALUE}).")
  Duration maxConnectionAge;

  @Option(names = "--max-connection-age-grace",
      defaultValue = "${env:CAPTCHA_MAX_CONNECTION_AGE_GRACE:-1m}",
      description = "How long calls may go on after a connection was asked to reconnect"
          + " (CAPTCHA_MAX_CONNECTION_AGE_GRACE, default ${DEFAULT-VALUE}).")
  Duration maxConnectionAgeGrace;

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return new CommandLine(new Main()).registerConverter(Duration.class, new DurationConverter());
  }

  /** The batching settings the options describe; validated. */
  BatcherSettings batcherSettings() {
    try {
      return new BatcherSettings(
          maxBatchSize,
          maxQueueDelay,
          parseSizes(preferredBatchSizes),
          instances,
          maxQueueLength,
          defaultTimeout,
          BatchingMode.parse(batchingMode),
          latencyBudget);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  private List<Integer> parseSizes(String list) {
    List<Integer> sizes = new ArrayList<>();
    if (list == null || list.isBlank() || list.trim().equalsIgnoreCase("none")) {
      return sizes;
    }
    for (String part : list.split(",")) {
      if (!part.isBlank()) {
        try {
          sizes.add(Integer.parseInt(part.trim()));
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException("--preferred-batch-sizes: '" + part + "' is not a"
              + " number");
        }
      }
    }
    return sizes;
  }

  EngineOptions engineOptions() {
    try {
      return new EngineOptions(Device.parse(device), intraOpThreads, topK, intraOpSpinning);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /** The transport limits the options describe; validated. */
  ServerLimits serverLimits() {
    try {
      return new ServerLimits(
          maxMessageBytes > 0 ? maxMessageBytes : maxImageBytes + 64 * 1024,
          maxCallsPerConnection, keepAliveTime, keepAliveTimeout, permitKeepAliveTime,
          maxConnectionIdle, maxConnectionAge, maxConnectionAgeGrace, streamItemsPerConnection);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /** The TLS settings the options describe; validated. */
  TlsSettings tlsSettings() {
    try {
      return TlsSettings.of(tlsCert, tlsKey, tlsClientCa);
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /**
   * The Netty server builder with TLS, the transport limits and the interceptors (outermost
   * first: metrics, bearer token, stream-item limiter), and the health and reflection services.
   */
  NettyServerBuilder transport(ServerLimits serverLimits, TlsSettings tls, HealthState health,
      ServerMetrics metrics) throws IOException {
    NettyServerBuilder builder =
        serverLimits.applyTo(NettyServerBuilder.forPort(port, tls.serverCredentials()));
    StreamItemLimiter limiter = serverLimits.streamItemLimiter();
    builder.addTransportFilter(limiter).intercept(limiter);
    if (tokenFile != null) {
      builder.intercept(BearerTokenInterceptor.fromFile(tokenFile));
    }
    builder.intercept(new GrpcMetricsInterceptor(metrics, NanoClock.SYSTEM));
    builder.addService(health.service());
    if (reflection) {
      builder.addService(ProtoReflectionServiceV1.newInstance());
    }
    return builder;
  }

  @Override
  public Integer call() throws Exception {
    BatcherSettings settings = batcherSettings();
    ServerLimits serverLimits = serverLimits();
    TlsSettings tls = tlsSettings();
    EngineOptions engineOptions = engineOptions();
    if (streamWindow < 1) {
      throw new CommandLine.ParameterException(spec.commandLine(), "--stream-window must be >= 1");
    }
    Path modelFile = ModelLocator.locate(model);
    OnnxModel onnx;
    try {
      onnx = OnnxModel.load(modelFile, engineOptions);
    } catch (ModelFormatException | EngineException e) {
      System.err.println("captcha-server: " + e.getMessage());
      return 2;
    }
    log.info("model {} {} from {} on {}", onnx.metadata().name(), onnx.metadata().version(),
        modelFile, onnx.executionProvider());

    AtomicReference<ModelInfo> modelInfo =
        new AtomicReference<>(Protos.modelInfo(onnx.metadata(), settings, onnx.executionProvider()));
    ServerMetrics metrics = new ServerMetrics(new PrometheusRegistry());
    metrics.setModelInfo(onnx.metadata().name(), onnx.metadata().version(),
        onnx.executionProvider());
    HealthState health = new HealthState(List.of(CaptchaSolverGrpc.SERVICE_NAME));
    ScheduledExecutorService watchTimer =
        watchModel ? Executors.newSingleThreadScheduledExecutor(daemonThreads("model-watch")) : null;
    WatchedModel watched = watchModel
        ? WatchedModel.create(onnx, modelFile, engineOptions, settings.instances(),
            settings.maxBatchSize(), watchInterval, DelayScheduler.of(watchTimer),
            new ReloadListener() {
              @Override
              public void swapped(ModelMetadata m, String provider) {
                modelInfo.set(Protos.modelInfo(m, settings, provider));
                metrics.setModelInfo(m.name(), m.version(), provider);
              }
            })
        : null;
    List<BatchEngine<float[], Prediction>> engines = new ArrayList<>();
    for (int i = 0; i < settings.instances(); i++) {
      engines.add(new MeteredEngine<>(watched != null ? watched.engines().get(i)
          : onnx.newInstance(settings.maxBatchSize()), metrics, NanoClock.SYSTEM));
    }
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("batch-timer"));
    ExecutorService workers =
        Executors.newFixedThreadPool(settings.instances(), daemonThreads("batch-worker"));
    MicroBatcher<float[], Prediction> batcher =
        new MicroBatcher<>(settings, engines, NanoClock.SYSTEM, DelayScheduler.of(timer), workers);
    long warmStart = System.nanoTime();
    batcher.warmUp(new float[onnx.metadata().input().itemSize()]);
    metrics.startRecordingBatches();
    metrics.registerQueueDepth(batcher::queueLength);
    log.info("warmed up batch sizes 1..{} on {} instance(s) in {} ms; batch cost ~{} us + {} us"
            + " per image", settings.maxBatchSize(), settings.instances(),
        TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - warmStart),
        Math.round((batcher.estimatedBatchNanos(0)) / 1e3),
        Math.round((batcher.estimatedBatchNanos(1) - batcher.estimatedBatchNanos(0)) / 1e3));

    int threads = preprocessThreads > 0 ? preprocessThreads
        : Runtime.getRuntime().availableProcessors();
    ThreadPoolExecutor preprocess =
        new ThreadPoolExecutor(threads, threads, 0, TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(settings.maxQueueLength()), daemonThreads("preprocess"),
            new ThreadPoolExecutor.AbortPolicy());
    ImageLimits limits = new ImageLimits(maxImageBytes, ImageLimits.DEFAULT.maxSide(),
        ImageLimits.DEFAULT.maxPixels());
    Solver solver = new Solver(new ImageDecoder(limits),
        new Preprocessor(onnx.metadata().input()), batcher, preprocess);
    CaptchaSolverService service = new CaptchaSolverService(solver, modelInfo::get,
        defaultTimeout, streamWindow);

    // Room for the image plus the message framing.
    CaptchaServer server =
        new CaptchaServer(transport(serverLimits, tls, health, metrics), service).start();
    HTTPServer metricsHttp = metricsPort >= 0 ? metrics.startHttpServer(metricsPort) : null;
    health.serving();
    log.info("security: {}, {}; metrics: {}", tls.describe(),
        tokenFile != null ? "bearer token required" : "no authentication",
        metricsHttp != null ? "http://*:" + metricsHttp.getPort() + "/metrics" : "off");
    log.info("listening on port {} ({} mode, max batch {}, {} instance(s))", server.port(),
        settings.mode().label(), settings.maxBatchSize(), settings.instances());
    if (watched != null) {
      watched.start();
    }

    Thread drain = new Thread(() -> {
      log.info("shutting down: draining for up to {} ms", drainTimeout.toMillis());
      long deadline = System.nanoTime() + drainTimeout.toNanos();
      health.draining();
      server.shutdown();
      try {
        boolean answered = batcher.close(drainTimeout);
        Duration left = Duration.ofNanos(Math.max(deadline - System.nanoTime(), 0));
        boolean ended = server.awaitTermination(left.plusMillis(100));
        log.info("stopped ({})", answered && ended ? "all accepted requests answered"
            : "drain timeout reached");
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      } finally {
        preprocess.shutdownNow();
        workers.shutdownNow();
        timer.shutdownNow();
        if (watched != null) {
          watchTimer.shutdownNow();
          watched.close();
        } else {
          onnx.close();
        }
        if (metricsHttp != null) {
          metricsHttp.close();
        }
      }
    }, "shutdown");
    Runtime.getRuntime().addShutdownHook(drain);
    server.awaitTermination();
    return 0;
  }

  private static ThreadFactory daemonThreads(String prefix) {
    AtomicInteger n = new AtomicInteger();
    return r -> {
      Thread t = new Thread(r, prefix + "-" + n.incrementAndGet());
      t.setDaemon(true);
      return t;
    };
  }
}
