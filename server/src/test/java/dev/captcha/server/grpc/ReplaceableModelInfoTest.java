package dev.captcha.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.captcha.api.v1.GetModelInfoRequest;
import dev.captcha.api.v1.ModelInfo;
import dev.captcha.model.ModelMetadata;
import dev.captcha.model.Prediction;
import dev.captcha.model.Preprocessor;
import dev.captcha.server.batch.BatchEngine;
import dev.captcha.server.batch.BatcherSettings;
import dev.captcha.server.batch.MicroBatcher;
import dev.captcha.server.image.ImageDecoder;
import dev.captcha.server.image.ImageLimits;
import dev.captcha.server.solve.Solver;
import dev.captcha.server.testsupport.TinyOnnxModel;
import io.grpc.stub.StreamObserver;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/** GetModelInfo reads the description of the model in force at each call (hot reload). */
class ReplaceableModelInfoTest {

  private static ModelMetadata metadata(String version) throws Exception {
    Map<String, String> m = TinyOnnxModel.metadata();
    m.put("captcha.model.version", version);
    return ModelMetadata.parse(m);
  }

  private static ModelInfo call(CaptchaSolverService service) {
    List<ModelInfo> answers = new ArrayList<>();
    service.getModelInfo(
        GetModelInfoRequest.getDefaultInstance(),
        new StreamObserver<>() {
          @Override
          public void onNext(ModelInfo value) {
            answers.add(value);
          }

          @Override
          public void onError(Throwable t) {
            throw new AssertionError(t);
          }

          @Override
          public void onCompleted() {}
        });
    assertEquals(1, answers.size());
    return answers.get(0);
  }

  @Test
  void getModelInfoShowsTheModelInForceAfterAReplacement() throws Exception {
    BatcherSettings settings = BatcherSettings.defaults();
    ModelMetadata v1 = metadata("1.0.0");
    BatchEngine<float[], Prediction> unused =
        inputs -> {
          throw new AssertionError("no inference expected");
        };
    MicroBatcher<float[], Prediction> batcher =
        new MicroBatcher<>(
            settings, List.of(unused), () -> 0L, (task, delay) -> () -> {}, Runnable::run);
    Solver solver =
        new Solver(
            new ImageDecoder(ImageLimits.DEFAULT),
            new Preprocessor(v1.input()),
            batcher,
            Runnable::run);
    AtomicReference<ModelInfo> inForce =
        new AtomicReference<>(Protos.modelInfo(v1, settings, "CPU"));
    CaptchaSolverService service =
        new CaptchaSolverService(solver, inForce::get, Duration.ofSeconds(1), 4);

    assertEquals("1.0.0", call(service).getVersion());
    inForce.set(Protos.modelInfo(metadata("2.0.0"), settings, "CUDA"));
    ModelInfo after = call(service);
    assertEquals("2.0.0", after.getVersion());
    assertEquals("CUDA", after.getExecutionProvider());
    assertEquals("2.0.0", after.getMetadataMap().get("captcha.model.version"));
  }
}
