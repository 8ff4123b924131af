package dev.captcha.server.bench;

import com.google.protobuf.ByteString;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.generator.CaptchaGenerator;
import dev.captcha.generator.FontCatalog;
import dev.captcha.model.Prediction;
import dev.captcha.model.Preprocessor;
import dev.captcha.server.batch.BatchEngine;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.DelayScheduler;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.batch.NanoClock;
import dev.captcha.server.engine.Device;
import dev.captcha.server.engine.EngineOptions;
import dev.captcha.server.engine.OnnxModel;
import dev.captcha.server.grpc.CaptchaServer;
import dev.captcha.server.grpc.CaptchaSolverService;
import dev.captcha.server.grpc.GrpcTransport;
import dev.captcha.server.grpc.Protos;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.image.ImageLimits;
import dev.captcha.server.solve.Solver;
import io.grpc.ManagedChannel;
import io.grpc.netty.shaded.io.grpc.netty.NettyChannelBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Where the time of one request goes at one request in flight: the same generated PNGs are solved
 * one at a time along paths that add one layer each (raw batch-1 inference; decoding plus inference
 * on the calling thread; the {@link Solver} with its decode pool and batcher; the gRPC service over
 * loopback Netty, unary and SolveStream, with gRPC's call thread pool and with the direct executor;
 * a no-op service on the same transport), in alternating rounds in one JVM so that load from other
 * processes affects every path alike. Prints, per path, the median over rounds of each round's
 * median latency and its difference and ratio to the raw inference of the same round. The client
 * runs in the same JVM, so the gRPC paths include the client's own cost.
 *
 * <p>Arguments: model file (default models/captcha-resnet-int8.onnx), rounds (default 9), requests
 * per path and round (default 100).
 */
public final class RequestOverhead {
  private RequestOverhead() {}

  /** One way of answering a request, timed from the call to the answer. */
  private interface Route {
    void call(byte[] png) throws Exception;
  }

  public static void main(String[] args) throws Exception {
    Path file = Path.of(args.length > 0 ? args[0] : "models/captcha-resnet-int8.onnx");
    int rounds = args.length > 1 ? Integer.parseInt(args[1]) : 9;
    int perRound = args.length > 2 ? Integer.parseInt(args[2]) : 100;
    CaptchaGenerator generator =
        CaptchaGenerator.builder()
            .fonts(FontCatalog.scanDefault().resolve(FontCatalog.BUNDLED_MODEL_FAMILIES))
            .build();
    byte[][] pngs = new byte[64][];
    for (int i = 0; i < pngs.length; i++) {
      pngs[i] = generator.generate(7, i).png();
    }
    ImageDecoder decoder = new ImageDecoder(ImageLimits.DEFAULT);
    List<AutoCloseable> closing = new ArrayList<>();
    try (OnnxModel model = OnnxModel.load(file, new EngineOptions(Device.CPU, 1, 3))) {
      Preprocessor pre = new Preprocessor(model.metadata().input());
      BatchEngine<float[], Prediction> raw = model.newInstance(1);
      float[] tensor = pre.toTensor(decoder.decode(pngs[0]));

      BatcherSettings settings =
          BatcherSettings.defaults().withMaxBatchSize(8).withDefaultTimeout(Duration.ofMinutes(1));
      ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
      ExecutorService workers = Executors.newFixedThreadPool(1);
      ExecutorService preprocess = Executors.newFixedThreadPool(2);
      closing.add(timer::shutdownNow);
      closing.add(workers::shutdownNow);
      closing.add(preprocess::shutdownNow);
      MicroBatcher<float[], Prediction> batcher =
          new MicroBatcher<>(
              settings,
              List.of(model.newInstance(settings.maxBatchSize())),
              NanoClock.SYSTEM,
              DelayScheduler.of(timer),
              workers);
      batcher.warmUp(new float[model.metadata().input().itemSize()]);
      Solver solver = new Solver(decoder, pre, batcher, preprocess);
      CaptchaSolverService service =
          new CaptchaSolverService(
              solver,
              Protos.modelInfo(model.metadata(), settings, model.executionProvider()),
              settings.defaultTimeout(),
              64);

      Map<String, Route> paths = new LinkedHashMap<>();
      paths.put("raw inference, batch 1", png -> raw.infer(List.of(tensor)));
      paths.put(
          "decode + inference, one thread",
          png -> raw.infer(List.of(pre.toTensor(decoder.decode(png)))));
      paths.put(
          "Solver (decode pool + batcher)",
          png -> solver.solve(png, solver.nanoTime() + 60_000_000_000L).join());
      for (boolean direct : new boolean[] {false, true}) {
        CaptchaServer server =
            GrpcTransport.forService(service).directExecutor(direct).netty(0).start();
        closing.add(server::shutdownNow);
        ManagedChannel channel =
            NettyChannelBuilder.forAddress("127.0.0.1", server.port()).usePlaintext().build();
        closing.add(channel::shutdownNow);
        String how = direct ? ", direct executor" : ", call thread pool";
        CaptchaSolverGrpc.CaptchaSolverBlockingStub blocking =
            CaptchaSolverGrpc.newBlockingStub(channel);
        paths.put("gRPC unary" + how, png -> blocking.solve(request(png)));
        OneAtATimeStream stream = new OneAtATimeStream(channel);
        closing.add(stream::close);
        paths.put("gRPC SolveStream" + how, stream::solve);
      }
      CaptchaServer noop = GrpcTransport.forService(new NoopService()).netty(0).start();
      closing.add(noop::shutdownNow);
      ManagedChannel noopChannel =
          NettyChannelBuilder.forAddress("127.0.0.1", noop.port()).usePlaintext().build();
      closing.add(noopChannel::shutdownNow);
      CaptchaSolverGrpc.CaptchaSolverBlockingStub noopStub =
          CaptchaSolverGrpc.newBlockingStub(noopChannel);
      paths.put("gRPC unary, no-op service", png -> noopStub.solve(request(png)));

      List<String> names = new ArrayList<>(paths.keySet());
      double[][] medians = new double[names.size()][rounds];
      long[] latencies = new long[perRound];
      for (int r = -2; r < rounds; r++) {
        for (int p = 0; p < names.size(); p++) {
          Route path = paths.get(names.get(p));
          for (int i = 0; i < perRound; i++) {
            long t0 = System.nanoTime();
            path.call(pngs[i & 63]);
            latencies[i] = System.nanoTime() - t0;
          }
          if (r >= 0) {
            Arrays.sort(latencies);
            medians[p][r] = latencies[perRound / 2] / 1e3;
          }
        }
      }
      System.out.printf(
          Locale.ROOT,
          "model %s, 1 intra-op thread, 1 request in flight; medians over %d alternating rounds"
              + " of the per-round p50 (%d requests per path and round)%n",
          file,
          rounds,
          perRound);
      System.out.printf(
          Locale.ROOT, "%-42s %10s %12s %8s%n", "path", "p50 us", "- raw us", "/ raw");
      for (int p = 0; p < names.size(); p++) {
        double[] minus = new double[rounds];
        double[] ratio = new double[rounds];
        for (int r = 0; r < rounds; r++) {
          minus[r] = medians[p][r] - medians[0][r];
          ratio[r] = medians[p][r] / medians[0][r];
        }
        System.out.printf(
            Locale.ROOT,
            "%-42s %10.0f %12.0f %8.2f%n",
            names.get(p),
            median(medians[p]),
            median(minus),
            median(ratio));
      }
      batcher.close(Duration.ofSeconds(5));
    } finally {
      for (int i = closing.size() - 1; i >= 0; i--) {
        closing.get(i).close();
      }
    }
  }

  private static SolveRequest request(byte[] png) {
    return SolveRequest.newBuilder().setImage(ByteString.copyFrom(png)).build();
  }

  private static double median(double[] values) {
    double[] s = values.clone();
    Arrays.sort(s);
    return s[s.length / 2];
  }

  /** One open SolveStream that carries one item at a time; used from one thread. */
  private static final class OneAtATimeStream implements StreamObserver<SolveResponse> {
    private final LinkedBlockingQueue<Object> answers = new LinkedBlockingQueue<>();
    private final StreamObserver<SolveRequest> requests;

    OneAtATimeStream(ManagedChannel channel) {
      this.requests = CaptchaSolverGrpc.newStub(channel).solveStream(this);
    }

    void solve(byte[] png) throws InterruptedException {
      requests.onNext(request(png));
      Object answer = answers.poll(1, TimeUnit.MINUTES);
      if (!(answer instanceof SolveResponse r) || r.hasError()) {
        throw new IllegalStateException("stream answered " + answer);
      }
    }

    void close() {
      requests.onCompleted();
    }

    @Override
    public void onNext(SolveResponse value) {
      answers.add(value);
    }

    @Override
    public void onError(Throwable t) {
      answers.add(t);
    }

    @Override
    public void onCompleted() {}
  }

  /** Answers every unary call at once with an empty response: the transport's cost alone. */
  private static final class NoopService extends CaptchaSolverGrpc.CaptchaSolverImplBase {
    @Override
    public void solve(SolveRequest request, StreamObserver<SolveResponse> observer) {
      observer.onNext(SolveResponse.getDefaultInstance());
      observer.onCompleted();
    }
  }
}
