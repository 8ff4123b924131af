package dev.captcha.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.GetModelInfoRequest;
import dev.captcha.api.v1.ModelInfo;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.api.v1.SolveResponse;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.NanoClock;
import dev.captcha.server.engine.Device;
import dev.captcha.server.engine.EngineOptions;
import dev.captcha.server.engine.OnnxModel;
import dev.captcha.server.solve.ModelSlot;
import dev.captcha.server.solve.ModelSummary;
import dev.captcha.server.solve.Solver;
import dev.captcha.server.solve.SolverRegistry;
import dev.captcha.server.testsupport.Images;
import dev.captcha.server.testsupport.OnnxSolverStack;
import dev.captcha.server.testsupport.ResponseCollector;
import dev.captcha.server.testsupport.TinyOnnxModel;
import io.grpc.ManagedChannel;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.StreamObserver;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The service over a registry of two models (the tiny ONNX model under two names and versions):
 * requests choose by name, naming none means the default, an unknown name is NOT_FOUND naming the
 * models, GetModelInfo lists them all.
 */
class MultiModelServiceTest {
  @TempDir Path dir;

  private final ScheduledExecutorService timer = Executors.newSingleThreadScheduledExecutor();
  private final ExecutorService workers = Executors.newCachedThreadPool();
  private final List<OnnxModel> models = new ArrayList<>();
  private SolverRegistry registry;
  private CaptchaServer server;
  private ManagedChannel channel;

  private ModelSlot slot(String name, String version) throws Exception {
    Map<String, String> metadata = new java.util.HashMap<>(TinyOnnxModel.metadata());
    metadata.put("captcha.model.version", version);
    OnnxModel model =
        OnnxModel.load(
            TinyOnnxModel.write(dir.resolve(name + ".onnx"), metadata),
            new EngineOptions(Device.CPU, 1, 3));
    models.add(model);
    BatcherSettings settings =
        BatcherSettings.defaults().withMaxBatchSize(4).withMaxQueueDelay(Duration.ZERO);
    Solver solver = OnnxSolverStack.of(model, settings, timer, workers, Runnable::run).solver();
    return new ModelSlot(
        name,
        solver,
        () -> new ModelSummary(model.metadata(), model.executionProvider(), settings),
        () -> {});
  }

  @BeforeEach
  void start() throws Exception {
    registry = new SolverRegistry("shop-b", NanoClock.SYSTEM, workers, Duration.ofSeconds(10));
    registry.put(slot("shop-a", "1.0-a"));
    registry.put(slot("shop-b", "1.0-b"));
    CaptchaSolverService service = new CaptchaSolverService(registry, Duration.ofSeconds(30), 8);
    String name = InProcessServerBuilder.generateName();
    server = GrpcTransport.forService(service).on(InProcessServerBuilder.forName(name)).start();
    channel = InProcessChannelBuilder.forName(name).build();
  }

  @AfterEach
  void stop() throws Exception {
    channel.shutdownNow();
    server.shutdown();
    server.awaitTermination(Duration.ofSeconds(5));
    registry.close(Duration.ofSeconds(10));
    workers.shutdownNow();
    timer.shutdownNow();
    for (OnnxModel m : models) {
      m.close();
    }
  }

  private CaptchaSolverGrpc.CaptchaSolverBlockingStub blocking() {
    return CaptchaSolverGrpc.newBlockingStub(channel).withDeadlineAfter(60, TimeUnit.SECONDS);
  }

  private static SolveRequest request(String id, String model) {
    return SolveRequest.newBuilder()
        .setId(id)
        .setModel(model)
        .setImage(ByteString.copyFrom(Images.white()))
        .build();
  }

  @Test
  void aRequestNamingAModelIsAnsweredByItAndOneNamingNoneByTheDefault() {
    SolveResponse a = blocking().solve(request("1", "shop-a"));
    assertEquals("shop-a", a.getModel());
    assertEquals(TinyOnnxModel.WHITE_TEXT, a.getText());
    SolveResponse byDefault = blocking().solve(request("2", ""));
    assertEquals("shop-b", byDefault.getModel());
    SolveResponse old =
        blocking()
            .solve(
                SolveRequest.newBuilder()
                    .setImage(ByteString.copyFrom(Images.white()))
                    .build()); // as today's clients send it
    assertEquals(TinyOnnxModel.WHITE_TEXT, old.getText());
  }

  @Test
  void anUnknownModelIsNotFoundNamingTheModelsServed() {
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> blocking().solve(request("1", "shop-z")));
    assertEquals(Status.Code.NOT_FOUND, e.getStatus().getCode());
    assertEquals(
        "unknown model 'shop-z'; this server serves shop-b, shop-a",
        e.getStatus().getDescription());
    StatusRuntimeException info =
        assertThrows(
            StatusRuntimeException.class,
            () -> blocking().getModelInfo(GetModelInfoRequest.newBuilder().setModel("x").build()));
    assertEquals(Status.Code.NOT_FOUND, info.getStatus().getCode());
  }

  @Test
  void aStreamItemNamingAnUnknownModelGetsItsOwnErrorAndTheStreamGoesOn() throws Exception {
    ResponseCollector<SolveResponse> responses = new ResponseCollector<>();
    StreamObserver<SolveRequest> requests =
        CaptchaSolverGrpc.newStub(channel).solveStream(responses);
    requests.onNext(request("a", "shop-a"));
    requests.onNext(request("z", "shop-z"));
    requests.onNext(request("d", ""));
    requests.onCompleted();
    List<SolveResponse> all = responses.done.get(60, TimeUnit.SECONDS);
    assertEquals(3, all.size());
    for (SolveResponse r : all) {
      switch (r.getId()) {
        case "a" -> assertEquals("shop-a", r.getModel());
        case "d" -> assertEquals("shop-b", r.getModel());
        case "z" -> {
          assertEquals(Status.Code.NOT_FOUND.value(), r.getError().getCode());
          assertTrue(r.getError().getMessage().contains("shop-z"));
        }
        default -> throw new AssertionError(r.getId());
      }
    }
  }

  @Test
  void getModelInfoDescribesTheNamedOrDefaultModelAndListsThemAll() {
    ModelInfo info = blocking().getModelInfo(GetModelInfoRequest.getDefaultInstance());
    assertEquals("shop-b", info.getModel());
    assertTrue(info.getDefaultModel());
    assertEquals("1.0-b", info.getVersion());
    assertEquals(2, info.getModelsCount());
    assertEquals("shop-b", info.getModels(0).getModel());
    assertTrue(info.getModels(0).getDefaultModel());
    assertEquals("shop-a", info.getModels(1).getModel());
    assertFalse(info.getModels(1).getDefaultModel());
    assertEquals("1.0-a", info.getModels(1).getVersion());
    assertEquals(0, info.getModels(1).getModelsCount());

    ModelInfo a =
        blocking().getModelInfo(GetModelInfoRequest.newBuilder().setModel("shop-a").build());
    assertEquals("shop-a", a.getModel());
    assertFalse(a.getDefaultModel());
    assertEquals("1.0-a", a.getVersion());
  }
}
