package dev.captcha.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.protobuf.ByteString;
import dev.captcha.api.v1.CaptchaSolverGrpc;
import dev.captcha.api.v1.SolveRequest;
import dev.captcha.server.testsupport.FakeSolver;
import io.grpc.ManagedChannel;
import io.grpc.Metadata;
import io.grpc.Server;
import io.grpc.Status;
import io.grpc.StatusRuntimeException;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import io.grpc.stub.MetadataUtils;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BearerTokenInterceptorTest {
  private static final SolveRequest REQUEST =
      SolveRequest.newBuilder().setId("1").setImage(ByteString.copyFromUtf8("png")).build();

  @TempDir Path dir;
  private Server server;
  private ManagedChannel channel;

  @BeforeEach
  void start() throws Exception {
    Path tokenFile = dir.resolve("token");
    Files.writeString(tokenFile, "  s3cret-token\n");
    HealthState health = new HealthState(List.of(CaptchaSolverGrpc.SERVICE_NAME));
    health.serving();
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(new FakeSolver())
            .addService(health.service())
            .intercept(BearerTokenInterceptor.fromFile(tokenFile))
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  private CaptchaSolverGrpc.CaptchaSolverBlockingStub solver(String authorization) {
    Metadata headers = new Metadata();
    if (authorization != null) {
      headers.put(BearerTokenInterceptor.AUTHORIZATION, authorization);
    }
    return CaptchaSolverGrpc.newBlockingStub(channel)
        .withInterceptors(MetadataUtils.newAttachHeadersInterceptor(headers));
  }

  @Test
  void acceptsTheRightToken() {
    assertEquals("text", solver("Bearer s3cret-token").solve(REQUEST).getText());
  }

  @Test
  void refusesAMissingToken() {
    StatusRuntimeException e =
        assertThrows(StatusRuntimeException.class, () -> solver(null).solve(REQUEST));
    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
    assertTrue(e.getStatus().getDescription().contains("missing"));
  }

  @Test
  void refusesAWrongToken() {
    for (String wrong :
        List.of(
            "Bearer s3cret-tokeN", "Bearer s3cret", "Bearer ", "Bearer s3cret-token-and-more")) {
      StatusRuntimeException e =
          assertThrows(StatusRuntimeException.class, () -> solver(wrong).solve(REQUEST));
      assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode(), wrong);
      assertEquals("invalid bearer token", e.getStatus().getDescription());
    }
  }

  @Test
  void refusesAnotherScheme() {
    StatusRuntimeException e =
        assertThrows(
            StatusRuntimeException.class, () -> solver("Basic s3cret-token").solve(REQUEST));
    assertEquals(Status.Code.UNAUTHENTICATED, e.getStatus().getCode());
  }

  @Test
  void leavesHealthOpenWithoutAToken() {
    assertEquals(
        ServingStatus.SERVING,
        HealthGrpc.newBlockingStub(channel)
            .check(HealthCheckRequest.getDefaultInstance())
            .getStatus());
  }

  @Test
  void refusesAnEmptyTokenFile() throws Exception {
    Path empty = Files.writeString(dir.resolve("empty"), " \n\n");
    assertThrows(IllegalArgumentException.class, () -> BearerTokenInterceptor.fromFile(empty));
  }
}
