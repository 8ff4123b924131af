package dev.captcha.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.engine.Device;
import dev.captcha.server.engine.EngineOptions;
import dev.captcha.server.engine.OnnxModel;
import dev.captcha.server.ops.ServerLimits;
import dev.captcha.server.solve.Solver;
import dev.captcha.server.testsupport.Images;
import dev.captcha.server.testsupport.OnnxSolverStack;
import dev.captcha.server.testsupport.ResponseCollector;
import dev.captcha.server.testsupport.TinyOnnxModel;
import io.grpc.Grpc;
import io.grpc.InsecureChannelCredentials;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Solve and SolveStream over the real network transport on a loopback port. */
class NettyTransportTest {
  @TempDir Path dir;

  @Test
  void solveAndStreamOverTcp() throws Exception {
    Path file = TinyOnnxModel.write(dir.resolve("tiny.onnx"), TinyOnnxModel.metadata());
    BatcherSettings settings = BatcherSettings.defaults().withMaxBatchSize(8);
    ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
    ExecutorService workers = Executors.newFixedThreadPool(1);
    ExecutorService preprocess = Executors.newFixedThreadPool(2);
    try (OnnxModel model = OnnxModel.load(file, new EngineOptions(Device.CPU, 1, 3))) {
      OnnxSolverStack stack = OnnxSolverStack.of(model, settings, timer, workers, preprocess);
      Solver solver = stack.solver();
      CaptchaServer server =
          GrpcTransport.forService(
                  new CaptchaSolverService(
                      solver,
                      Protos.modelInfo(model.metadata(), settings, model.executionProvider()),
                      settings.defaultTimeout(),
                      16))
              .limits(ServerLimits.defaults().withMaxInboundMessageSize(1 << 20))
              .netty(0)
              .start();
      ManagedChannel channel =
          Grpc.newChannelBuilderForAddress(
                  "localhost", server.port(), InsecureChannelCredentials.create())
              .build();
      try {
        SolveResponse r =
            CaptchaSolverGrpc.newBlockingStub(channel)
                .solve(
                    SolveRequest.newBuilder()
                        .setId("one")
                        .setImage(ByteString.copyFrom(Images.white()))
                        .build());
        assertEquals(TinyOnnxModel.WHITE_TEXT, r.getText());
        StatusRuntimeException e =
            org.junit.jupiter.api.Assertions.assertThrows(
                StatusRuntimeException.class,
                () ->
                    CaptchaSolverGrpc.newBlockingStub(channel)
                        .solve(SolveRequest.newBuilder().setId("bad").build()));
        assertEquals(Status.Code.INVALID_ARGUMENT, e.getStatus().getCode());

        ResponseCollector<SolveResponse> collector = new ResponseCollector<>();
        StreamObserver<SolveRequest> requests =
            CaptchaSolverGrpc.newStub(channel).solveStream(collector);
        for (int i = 0; i < 40; i++) {
          requests.onNext(
              SolveRequest.newBuilder()
                  .setId("s" + i)
                  .setImage(ByteString.copyFrom(i % 5 == 4 ? new byte[0] : Images.black()))
                  .build());
        }
        requests.onCompleted();
        List<SolveResponse> got = collector.done.get(30, TimeUnit.SECONDS);
        assertEquals(40, got.size());
        assertEquals(8, got.stream().filter(SolveResponse::hasError).count());
        assertTrue(
            got.stream()
                .filter(x -> !x.hasError())
                .allMatch(x -> x.getText().equals(TinyOnnxModel.BLACK_TEXT)));
      } finally {
        channel.shutdownNow();
        server.shutdown();
        server.awaitTermination(Duration.ofSeconds(5));
        stack.batcher().close(Duration.ofSeconds(5));
      }
    } finally {
      preprocess.shutdownNow();
      workers.shutdownNow();
      timer.shutdownNow();
    }
  }
}
