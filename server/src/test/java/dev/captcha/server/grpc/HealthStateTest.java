package dev.captcha.server.grpc;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.captcha.api.v1.CaptchaSolverGrpc;
import io.grpc.ManagedChannel;
import io.grpc.Server;
import io.grpc.health.v1.HealthCheckRequest;
import io.grpc.health.v1.HealthCheckResponse.ServingStatus;
import io.grpc.health.v1.HealthGrpc;
import io.grpc.inprocess.InProcessChannelBuilder;
import io.grpc.inprocess.InProcessServerBuilder;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class HealthStateTest {
  private static final String SOLVER = CaptchaSolverGrpc.SERVICE_NAME;

  private HealthState health;
  private Server server;
  private ManagedChannel channel;
  private HealthGrpc.HealthBlockingStub stub;

  @BeforeEach
  void start() throws Exception {
    health = new HealthState(List.of(SOLVER));
    String name = InProcessServerBuilder.generateName();
    server =
        InProcessServerBuilder.forName(name)
            .directExecutor()
            .addService(health.service())
            .build()
            .start();
    channel = InProcessChannelBuilder.forName(name).directExecutor().build();
    stub = HealthGrpc.newBlockingStub(channel);
  }

  @AfterEach
  void stop() {
    channel.shutdownNow();
    server.shutdownNow();
  }

  private ServingStatus check(String service) {
    return stub.check(HealthCheckRequest.newBuilder().setService(service).build()).getStatus();
  }

  @Test
  void startsNotServingUntilReadyThenDrains() {
    assertEquals(ServingStatus.NOT_SERVING, check(""));
    assertEquals(ServingStatus.NOT_SERVING, check(SOLVER));

    health.serving();
    assertEquals(ServingStatus.SERVING, check(""));
    assertEquals(ServingStatus.SERVING, check(SOLVER));

    health.draining();
    assertEquals(ServingStatus.NOT_SERVING, check(""));
    assertEquals(ServingStatus.NOT_SERVING, check(SOLVER));
  }

  @Test
  void drainingIsFinal() {
    health.serving();
    health.draining();
    health.serving();
    assertEquals(ServingStatus.NOT_SERVING, check(""));
    assertEquals(ServingStatus.NOT_SERVING, check(SOLVER));
  }
}
