package dev.captcha.server;

import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.ModelInfo;
import dev.captcha.cli.DurationConverter;
import dev.captcha.model.Int8Kernels;
import dev.captcha.model.ModelFormatException;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.batch.NanoClock;
import dev.captcha.server.engine.EngineException;
import dev.captcha.server.engine.EngineOptions;
import dev.captcha.server.grpc.CaptchaServer;
import dev.captcha.server.grpc.CaptchaSolverService;
import dev.captcha.server.grpc.GrpcTransport;
import dev.captcha.server.grpc.HealthState;
import dev.captcha.server.grpc.Protos;
import dev.captcha.server.http.HttpServer;
import dev.captcha.server.http.HttpTransport;
import dev.captcha.server.http.ServedModels;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.image.ImageLimits;
import dev.captcha.server.metrics.ServerMetrics;
import dev.captcha.server.ops.ServerLimits;
import dev.captcha.server.reload.ModelDirectory;
import dev.captcha.server.reload.ModelDirectoryWatcher;
import dev.captcha.server.reload.ServingModel;
import dev.captcha.server.security.TlsSettings;
import dev.captcha.server.solve.SolverRegistry;
import dev.captcha.server.solve.UnknownModelException;
import io.prometheus.metrics.exporter.httpserver.HTTPServer;
import io.prometheus.metrics.model.registry.PrometheusRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.Callable;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.function.IntSupplier;
import java.util.function.Supplier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The server's command line and the only place where its parts are wired together: the models (one,
 * or a watched folder of them), each with its engine instances and batcher, preprocessing, gRPC
 * service and server, HTTP/JSON server, and the graceful shutdown on SIGTERM. One instance per
 * process.
 */
@Command(
    name = "captcha-server",
    mixinStandardHelpOptions = true,
    version = "captcha-server 0.1.0",
    sortOptions = false,
    usageHelpWidth = 100,
    description = {
      "Serves the captcha.v1.CaptchaSolver gRPC service, and the same over HTTP/JSON: reads"
          + " captcha images with an ONNX model, grouping concurrent requests into inference"
          + " batches.",
      "Every option can also be set with the environment variable named in its description."
    })
public final class Main implements Callable<Integer> {
  private static final Logger log = LoggerFactory.getLogger(Main.class);

  @Option(
      names = "--port",
      description =
          "TCP port to listen on; 0 picks a free one (CAPTCHA_PORT, default ${DEFAULT-VALUE}).")
  int port = 50051;

  @Option(
      names = "--http-port",
      description =
          "Port of the HTTP/JSON API and the page at / (same solver, limits, token and"
              + " TLS as the gRPC port); 0 picks a free one, -1 turns it off (CAPTCHA_HTTP_PORT,"
              + " default ${DEFAULT-VALUE}).")
  int httpPort = 8080;

  @Option(
      names = "--model",
      description =
          "ONNX model file; a relative path is looked up in the working directory, then"
              + " above the server jar (CAPTCHA_MODEL, default ${DEFAULT-VALUE}).")
  Path model = DEFAULT_MODEL;

  private static final Path DEFAULT_MODEL = Path.of("models/captcha-resnet-int8.onnx");
  private static final Path DEFAULT_FLOAT_MODEL = Path.of("models/captcha-resnet.onnx");

  @Option(
      names = "--model-dir",
      paramLabel = "<dir>",
      description =
          "Serve every model file (*.onnx) in this folder instead of --model, each under its file"
              + " name without .onnx, with its own batcher; requests choose one by name. Files"
              + " added, replaced or removed are picked up every --watch-interval, without failing"
              + " a request (CAPTCHA_MODEL_DIR, default none).")
  Path modelDir;

  @Option(
      names = "--default-model",
      paramLabel = "<name>",
      description =
          "With --model-dir, the model answering requests that name none; default: the first"
              + " name in alphabetical order (CAPTCHA_DEFAULT_MODEL).")
  String defaultModel;

  @Option(
      names = "--model-instances",
      paramLabel = "<name=n,...>",
      description =
          "Model instances of the named models, overriding --instances for them"
              + " (CAPTCHA_MODEL_INSTANCES, default none).")
  String modelInstances;

  @Option(
      names = "--watch-model",
      description =
          "Reload the model file when it changes: the new file is checked and warmed up"
              + " beside the model in force, then takes new batches; a bad file is refused and the"
              + " old model keeps serving (CAPTCHA_WATCH_MODEL, default ${DEFAULT-VALUE}).")
  boolean watchModel = false;

  @Option(
      names = "--watch-interval",
      description =
          "How often --watch-model looks at the file (CAPTCHA_WATCH_INTERVAL,"
              + " default ${DEFAULT-VALUE}).")
  Duration watchInterval = Duration.ofSeconds(2);

  @Option(
      names = "--drain-timeout",
      description =
          "On SIGTERM, how long to keep answering accepted requests before exiting"
              + " (CAPTCHA_DRAIN_TIMEOUT, default ${DEFAULT-VALUE}).")
  Duration drainTimeout = Duration.ofSeconds(20);

  @Option(
      names = "--preprocess-threads",
      description =
          "Threads decoding images; 0 means one per CPU core"
              + " (CAPTCHA_PREPROCESS_THREADS, default ${DEFAULT-VALUE}).")
  int preprocessThreads = 0;

  @Option(
      names = "--stream-window",
      description =
          "Most items of one SolveStream in flight at once (CAPTCHA_STREAM_WINDOW,"
              + " default ${DEFAULT-VALUE}).")
  int streamWindow = 64;

  @Option(
      names = "--metrics-port",
      description =
          "Port of the Prometheus metrics endpoint (http://host:port/metrics); 0 picks"
              + " a free one, -1 turns it off (CAPTCHA_METRICS_PORT, default ${DEFAULT-VALUE}).")
  int metricsPort = 9464;

  @Option(
      names = "--token-file",
      description =
          "File holding a bearer token that calls must send as 'authorization: Bearer"
              + " <token>'; the health service stays open (CAPTCHA_TOKEN_FILE, default none).")
  Path tokenFile;

  @Option(
      names = "--reflection",
      negatable = true,
      fallbackValue = "true",
      description = "Serve gRPC server reflection (CAPTCHA_REFLECTION, default ${DEFAULT-VALUE}).")
  boolean reflection = true;

  @ArgGroup(exclusive = false, validate = false, order = 1, heading = "%nBatching:%n")
  BatcherGroup batching = new BatcherGroup();

  @ArgGroup(exclusive = false, validate = false, order = 2, heading = "%nInference engine:%n")
  EngineGroup engine = new EngineGroup();

  @ArgGroup(exclusive = false, validate = false, order = 3, heading = "%nLimits:%n")
  LimitsGroup limits = new LimitsGroup();

  @ArgGroup(exclusive = false, validate = false, order = 4, heading = "%nTLS:%n")
  TlsGroup tls = new TlsGroup();

  @CommandLine.Spec CommandLine.Model.CommandSpec spec;

  public static void main(String[] args) {
    System.exit(commandLine().execute(args));
  }

  static CommandLine commandLine() {
    return commandLine(System.getenv());
  }

  /** The command line with defaults from {@code environment} instead of the process's. */
  static CommandLine commandLine(Map<String, String> environment) {
    return new CommandLine(new Main())
        .registerConverter(Duration.class, new DurationConverter())
        .setDefaultValueProvider(new EnvDefaults(environment));
  }

  /** The batching settings the options describe; validated. */
  BatcherSettings batcherSettings() {
    return validated(batching::settings);
  }

  /** The engine options the options describe; validated. */
  EngineOptions engineOptions() {
    return validated(engine::options);
  }

  /** The transport limits the options describe; validated. */
  ServerLimits serverLimits() {
    return validated(limits::serverLimits);
  }

  /** The image limits the options describe; validated. */
  ImageLimits imageLimits() {
    return validated(limits::imageLimits);
  }

  /** The TLS settings the options describe; validated. */
  TlsSettings tlsSettings() {
    return validated(tls::settings);
  }

  /** The instances of the models --model-instances names; validated. */
  Map<String, Integer> modelInstances() {
    return validated(() -> parseModelInstances(modelInstances));
  }

  static Map<String, Integer> parseModelInstances(String list) {
    Map<String, Integer> out = new LinkedHashMap<>();
    if (list == null || list.isBlank()) {
      return out;
    }
    for (String part : list.split(",")) {
      if (part.isBlank()) {
        continue;
      }
      int eq = part.indexOf('=');
      String name = eq < 0 ? "" : part.substring(0, eq).trim();
      String value = eq < 0 ? "" : part.substring(eq + 1).trim();
      int n;
      try {
        n = Integer.parseInt(value);
      } catch (NumberFormatException e) {
        n = 0;
      }
      if (name.isEmpty() || n < 1) {
        throw new IllegalArgumentException(
            "--model-instances: '" + part.trim() + "' is not NAME=N with N >= 1");
      }
      if (out.put(name, n) != null) {
        throw new IllegalArgumentException("--model-instances names " + name + " twice");
      }
    }
    return out;
  }

  /**
   * The model files to serve at start, by name: those of --model-dir, or the one --model names;
   * validated.
   */
  Map<String, Path> modelFiles() {
    return validated(
        () -> {
          if (modelDir == null) {
            if (defaultModel != null && !defaultModel.isBlank()) {
              throw new IllegalArgumentException("--default-model needs --model-dir");
            }
            Path file = ModelLocator.locate(servedByDefault());
            return Map.of(ModelDirectory.modelName(file), file);
          }
          var parsed = spec.commandLine().getParseResult();
          if (parsed != null && parsed.hasMatchedOption("--model")) {
            throw new IllegalArgumentException("give either --model or --model-dir, not both");
          }
          return ModelDirectory.scan(modelDir);
        });
  }

  /**
   * The file --model names; where neither the command line nor the environment chose one and this
   * CPU's int8 kernels lose accuracy ({@link Int8Kernels}), the float file beside the default int8
   * one.
   */
  private Path servedByDefault() {
    var parsed = spec.commandLine().getParseResult();
    var option = spec.findOption("--model");
    boolean chosen =
        !model.equals(DEFAULT_MODEL)
            || (parsed != null && parsed.hasMatchedOption(option))
            || fromEnvironment(option);
    if (chosen || Int8Kernels.accurateHere()) {
      return model;
    }
    log.warn(
        "this CPU has no 8-bit dot-product instructions (AVX-512 VNNI or AVX-VNNI), where the int8"
            + " kernels lose accuracy; serving the float model {} instead of {} (--model chooses)",
        DEFAULT_FLOAT_MODEL,
        DEFAULT_MODEL);
    return DEFAULT_FLOAT_MODEL;
  }

  /** Whether the environment (the default value provider, {@link EnvDefaults}) set the option. */
  private boolean fromEnvironment(CommandLine.Model.OptionSpec option) {
    var provider = spec.defaultValueProvider();
    try {
      return provider != null && provider.defaultValue(option) != null;
    } catch (Exception e) {
      throw new IllegalStateException("reading the default of " + option.longestName(), e);
    }
  }

  /** The default model among {@code files}; validated. */
  String defaultModel(Map<String, Path> files) {
    return validated(
        () -> {
          if (defaultModel == null || defaultModel.isBlank()) {
            return files.keySet().stream().sorted().findFirst().orElseThrow();
          }
          if (!files.containsKey(defaultModel)) {
            throw new IllegalArgumentException(
                "--default-model "
                    + defaultModel
                    + " is not in --model-dir "
                    + modelDir
                    + ", which holds "
                    + String.join(", ", new TreeMap<>(files).keySet()));
          }
          return defaultModel;
        });
  }

  /** The window of one SolveStream; validated. */
  int streamWindow() {
    return validated(
        () -> {
          if (streamWindow < 1) {
            throw new IllegalArgumentException("--stream-window must be >= 1");
          }
          return streamWindow;
        });
  }

  /** The HTTP port, or -1 for none; validated. */
  int httpPort() {
    return validated(
        () -> {
          if (httpPort < -1 || httpPort > 65535) {
            throw new IllegalArgumentException(
                "--http-port must be a port (0 picks one) or -1 (off), got " + httpPort);
          }
          return httpPort;
        });
  }

  /** The one translation of an invalid setting into a usage error (exit 2, 'error: ...'). */
  private <T> T validated(Supplier<T> settings) {
    try {
      return settings.get();
    } catch (IllegalArgumentException e) {
      throw new CommandLine.ParameterException(spec.commandLine(), e.getMessage(), e);
    }
  }

  /**
   * The gRPC transport the options describe (TLS, limits, bearer token, reflection) serving {@code
   * service}, with the health service and call metrics.
   */
  GrpcTransport transport(CaptchaSolverService service, HealthState health, ServerMetrics metrics) {
    return GrpcTransport.forService(service)
        .limits(serverLimits())
        .tls(tlsSettings())
        .bearerTokenFile(tokenFile)
        .metrics(metrics, NanoClock.SYSTEM)
        .health(health)
        .reflection(reflection)
        // The handlers never block (decoding and inference run on their own threads), so calls
        // run on the transport's event loop instead of being handed to another thread first.
        .directExecutor(true);
  }

  /**
   * The HTTP/JSON transport the options describe (TLS, image limit, bearer token) over {@code
   * solver}, sharing the gRPC port's health state and metrics.
   */
  /** The description of a served model, as GetModelInfo gives it. */
  private static ModelInfo describe(SolverRegistry registry, String name) {
    try {
      return Protos.modelInfo(name, registry.summary(name), name.equals(registry.defaultModel()));
    } catch (UnknownModelException e) {
      throw new IllegalStateException(e.getMessage(), e);
    }
  }

  HttpTransport httpTransport(
      ServedModels models, HealthState health, ServerMetrics metrics, IntSupplier queueDepth) {
    BatcherSettings settings = batcherSettings();
    return HttpTransport.forModels(models)
        .defaultTimeout(settings.defaultTimeout())
        .maxImageBytes(imageLimits().maxBytes())
        .maxBatchItems(streamWindow())
        .tls(tlsSettings())
        .bearerTokenFile(tokenFile)
        .metrics(metrics, queueDepth)
        .health(health::isServing, health::isDraining)
        .idleTimeout(serverLimits().maxConnectionIdle());
  }

  @Override
  public Integer call() throws Exception {
    // Every option is checked before the model loads.
    BatcherSettings settings = batcherSettings();
    EngineOptions engineOptions = engineOptions();
    ImageLimits imageLimits = imageLimits();
    TlsSettings tlsSettings = tlsSettings();
    serverLimits();
    int window = streamWindow();
    int http = httpPort();
    Map<String, Integer> instancesByModel = modelInstances();
    Map<String, Path> files = modelFiles();
    String defaultName = defaultModel(files);

    ServerMetrics metrics = new ServerMetrics(new PrometheusRegistry());
    HealthState health = new HealthState(List.of(CaptchaSolverGrpc.SERVICE_NAME));
    ScheduledExecutorService timer =
        Executors.newSingleThreadScheduledExecutor(daemonThreads("batch-timer"));
    ExecutorService retirer = Executors.newSingleThreadExecutor(daemonThreads("model-retire"));
    int threads =
        preprocessThreads > 0 ? preprocessThreads : Runtime.getRuntime().availableProcessors();
    ThreadPoolExecutor preprocess =
        new ThreadPoolExecutor(
            threads,
            threads,
            0,
            TimeUnit.SECONDS,
            new ArrayBlockingQueue<>(settings.maxQueueLength()),
            daemonThreads("preprocess"),
            new ThreadPoolExecutor.AbortPolicy());
    ModelSlots slots =
        new ModelSlots(
            settings,
            instancesByModel,
            engineOptions,
            new ImageDecoder(imageLimits),
            preprocess,
            DelayScheduler.of(timer),
            metrics,
            defaultName);
    SolverRegistry registry =
        new SolverRegistry(defaultName, NanoClock.SYSTEM, retirer, drainTimeout);
    ServingModel single = null;
    for (Map.Entry<String, Path> e : files.entrySet()) {
      ModelSlots.Opened opened;
      try {
        opened = slots.open(e.getKey(), e.getValue());
      } catch (ModelFormatException | EngineException ex) {
        System.err.println("captcha-server: " + ex.getMessage());
        registry.close(Duration.ZERO);
        return 2;
      }
      registry.put(opened.slot());
      single = opened.served();
    }
    metrics.startRecordingBatches();
    metrics.registerQueueDepth(registry::queueLength);
    metrics.registerModelQueueDepths(
        () -> {
          Map<String, Integer> depths = new LinkedHashMap<>();
          for (String name : registry.names()) {
            depths.put(name, registry.queueLength(name));
          }
          return depths;
        });
    if (modelDir != null) {
      log.info(
          "serving {} model(s) from {}: {}; default {}",
          files.size(),
          modelDir,
          String.join(", ", registry.names()),
          defaultName);
    }
    CaptchaSolverService service =
        new CaptchaSolverService(registry, settings.defaultTimeout(), window);

    CaptchaServer server = transport(service, health, metrics).netty(port).start();
    HTTPServer metricsHttp = metricsPort >= 0 ? metrics.startHttpServer(metricsPort) : null;
    HttpServer httpServer =
        http >= 0
            ? httpTransport(
                    ServedModels.of(registry, name -> describe(registry, name)),
                    health,
                    metrics,
                    registry::queueLength)
                .build(http)
                .start()
            : null;
    health.serving();
    log.info(
        "security: {}, {}; metrics: {}",
        tlsSettings.describe(),
        tokenFile != null ? "bearer token required" : "no authentication",
        metricsHttp != null ? "http://*:" + metricsHttp.getPort() + "/metrics" : "off");
    log.info(
        "HTTP/JSON: {}",
        httpServer != null
            ? (tlsSettings.enabled() ? "https" : "http") + "://*:" + httpServer.port() + "/"
            : "off");
    log.info(
        "listening on port {} ({} mode, max batch {}, {} instance(s) per model)",
        server.port(),
        settings.mode().label(),
        settings.maxBatchSize(),
        settings.instances());
    List<ExecutorService> executors = new ArrayList<>(List.of(preprocess, timer));
    List<AutoCloseable> resources = new ArrayList<>();
    if (modelDir != null || watchModel) {
      ScheduledExecutorService watchTimer =
          Executors.newSingleThreadScheduledExecutor(daemonThreads("model-watch"));
      executors.add(watchTimer);
      if (modelDir != null) {
        ModelDirectoryWatcher watcher =
            new ModelDirectoryWatcher(
                modelDir,
                files,
                new ModelDirectoryWatcher.Target() {
                  @Override
                  public void load(String name, Path file) throws Exception {
                    registry.put(slots.open(name, file).slot());
                  }

                  @Override
                  public void unload(String name) {
                    registry.remove(name);
                  }
                },
                watchInterval,
                DelayScheduler.of(watchTimer));
        watcher.start();
        resources.add(watcher);
      } else {
        single.watch(watchInterval, DelayScheduler.of(watchTimer));
      }
    }
    executors.add(retirer);
    if (metricsHttp != null) {
      resources.add(metricsHttp);
    }
    Runtime.getRuntime()
        .addShutdownHook(
            new Thread(
                new GracefulShutdown(
                    drainTimeout,
                    health,
                    server,
                    httpServer != null ? List.of(httpServer) : List.of(),
                    registry::close,
                    executors,
                    resources),
                "shutdown"));
    server.awaitTermination();
    return 0;
  }

  private static ThreadFactory daemonThreads(String prefix) {
    return ModelSlots.daemonThreads(prefix);
  }
}
