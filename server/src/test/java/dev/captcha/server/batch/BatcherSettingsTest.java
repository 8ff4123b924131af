package dev.captcha.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BatcherSettingsTest {
  private final BatcherSettings base = BatcherSettings.defaults();

  @Test
  void eachWitherChangesItsFieldOnly() {
    BatcherSettings s =
        base.withMaxBatchSize(16)
            .withMaxQueueDelay(Duration.ofMillis(2))
            .withPreferredBatchSizes(List.of(8, 4))
            .withInstances(3)
            .withMaxQueueLength(77)
            .withDefaultTimeout(Duration.ofSeconds(3))
            .withMode(BatchingMode.LATENCY_BUDGET)
            .withLatencyBudget(Duration.ofMillis(20))
            .withInlineDispatch(false);
    assertEquals(
        new BatcherSettings(
            16,
            Duration.ofMillis(2),
            List.of(4, 8),
            3,
            77,
            Duration.ofSeconds(3),
            BatchingMode.LATENCY_BUDGET,
            Duration.ofMillis(20),
            false),
        s);
    assertEquals(base.withInstances(2).withInstances(base.instances()), base);
    assertEquals(32, base.withInstances(4).maxBatchSize(), "the other fields are kept");
  }

  @Test
  void withersValidateLikeTheConstructor() {
    assertThrows(IllegalArgumentException.class, () -> base.withMaxBatchSize(0));
    assertThrows(IllegalArgumentException.class, () -> base.withInstances(0));
    assertThrows(IllegalArgumentException.class, () -> base.withLatencyBudget(Duration.ZERO));
    assertThrows(
        IllegalArgumentException.class, () -> base.withMaxQueueDelay(Duration.ofMillis(-1)));
    assertThrows(IllegalArgumentException.class, () -> base.withPreferredBatchSizes(List.of(64)));
  }
}
