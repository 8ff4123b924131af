package dev.captcha.server.grpc;

import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.model.Prediction;
import dev.captcha.model.Preprocessor;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.engine.OnnxModel;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.image.ImageLimits;
import dev.captcha.server.solve.Solver;
import dev.captcha.server.testsupport.ControlledEngine;
import dev.captcha.server.testsupport.ManualClock;
import io.grpc.ManagedChannel;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The real service on an in-process transport with direct executors (so message delivery is
 * synchronous and flow control observable), a manual clock, and a controllable engine around the
 * tiny ONNX model.
 */
final class Harness implements AutoCloseable {
  final ManualClock clock = new ManualClock();
  final ControlledEngine<float[], Prediction> engine;
  final MicroBatcher<float[], Prediction> batcher;
  final AtomicInteger preprocessed = new AtomicInteger();
  final CaptchaServer server;
  final ManagedChannel channel;
  private final ExecutorService workers = Executors.newCachedThreadPool();

  Harness(OnnxModel model, BatcherSettings settings, int streamWindow) throws Exception {
    engine = new ControlledEngine<>(model.newInstance(settings.maxBatchSize()));
    batcher = new MicroBatcher<>(settings, List.of(engine), clock, clock, workers);
    Solver solver =
        new Solver(
            new ImageDecoder(ImageLimits.DEFAULT),
            new Preprocessor(model.metadata().input()),
            batcher,
            r -> {
              preprocessed.incrementAndGet();
              r.run();
            });
    CaptchaSolverService service =
        new CaptchaSolverService(
            solver,
            Protos.modelInfo(model.metadata(), settings, model.executionProvider()),
            settings.defaultTimeout(),
            streamWindow);
    String name = InProcessServerBuilder.generateName();
    server =
        GrpcTransport.forService(service)
            .on(InProcessServerBuilder.forName(name).directExecutor())
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  CaptchaSolverGrpc.CaptchaSolverBlockingStub blocking() {
    return CaptchaSolverGrpc.newBlockingStub(channel);
  }

  CaptchaSolverGrpc.CaptchaSolverStub async() {
    return CaptchaSolverGrpc.newStub(channel);
  }

  @Override
  public void close() throws Exception {
    engine.release();
    channel.shutdownNow();
    server.shutdown();
    server.awaitTermination(java.time.Duration.ofSeconds(5));
    batcher.shutdown().get(10, TimeUnit.SECONDS);
    workers.shutdownNow();
  }
}
