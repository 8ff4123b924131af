package dev.captcha.server.grpc;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.server.testsupport.FakeSolver;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.protobuf.services.ProtoReflectionServiceV1;
import io.grpc.reflection.v1.ServerReflectionGrpc;
import io.grpc.reflection.v1.ServerReflectionRequest;
import io.grpc.reflection.v1.ServerReflectionResponse;
import io.grpc.reflection.v1.ServiceResponse;
import io.grpc.stub.StreamObserver;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class ReflectionTest {

  @Test
  void listsTheSolverAndDescribesItsMessages() throws Exception {
    HealthState health = new HealthState(List.of());
    String name = InProcessServerBuilder.generateName();
    Server server =
        InProcessServerBuilder.forName(name)
            .addService(new FakeSolver())
            .addService(health.service())
            .addService(ProtoReflectionServiceV1.newInstance())
            .build()
            .start();
    ManagedChannel channel = InProcessChannelBuilder.forName(name).build();
    try {
      ServerReflectionResponse listed =
          ask(channel, ServerReflectionRequest.newBuilder().setListServices("*").build());
      List<String> services =
          listed.getListServicesResponse().getServiceList().stream()
              .map(ServiceResponse::getName)
              .toList();
      assertTrue(services.contains("captcha.v1.CaptchaSolver"), services.toString());
      assertTrue(services.contains("grpc.health.v1.Health"), services.toString());

      ServerReflectionResponse file =
          ask(
              channel,
              ServerReflectionRequest.newBuilder()
                  .setFileContainingSymbol("captcha.v1.CaptchaSolver")
                  .build());
      assertTrue(file.getFileDescriptorResponse().getFileDescriptorProtoCount() > 0);
      assertTrue(
          file.getFileDescriptorResponse()
              .getFileDescriptorProto(0)
              .toStringUtf8()
              .contains("SolveRequest"));
    } finally {
      channel.shutdownNow();
      server.shutdownNow();
    }
  }

  private static ServerReflectionResponse ask(ManagedChannel channel, ServerReflectionRequest r)
      throws Exception {
    CompletableFuture<ServerReflectionResponse> answer = new CompletableFuture<>();
    StreamObserver<ServerReflectionRequest> requests =
        ServerReflectionGrpc.newStub(channel)
            .serverReflectionInfo(
                new StreamObserver<>() {
                  @Override
                  public void onNext(ServerReflectionResponse value) {
                    answer.complete(value);
                  }

                  @Override
                  public void onError(Throwable t) {
                    answer.completeExceptionally(t);
                  }

                  @Override
                  public void onCompleted() {}
                });
    requests.onNext(r);
    requests.onCompleted();
    return answer.get(30, TimeUnit.SECONDS);
  }
}
