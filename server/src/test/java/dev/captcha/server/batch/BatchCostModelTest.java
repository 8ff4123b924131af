package dev.captcha.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class BatchCostModelTest {

  @Test
  void recoversALinearCost() {
    BatchCostModel m = new BatchCostModel(64);
    assertFalse(m.ready());
    for (int i = 0; i < 50; i++) {
      int b = 1 + (i % 16);
      m.record(b, 3_000_000L + b * 250_000L);
    }
    assertTrue(m.ready());
    assertEquals(3_000_000, m.fixedNanos(), 1);
    assertEquals(250_000, m.perItemNanos(), 0.01);
    assertEquals(3_000_000 + 32 * 250_000, m.estimateNanos(32), 1);
  }

  @Test
  void followsAChangeInCost() {
    BatchCostModel m = new BatchCostModel(64);
    for (int i = 0; i < 200; i++) {
      m.record(1 + (i % 8), 1_000_000L);
    }
    for (int i = 0; i < 2000; i++) {
      int b = 1 + (i % 8);
      m.record(b, 2_000_000L + 100_000L * b);
    }
    assertEquals(2_000_000, m.fixedNanos(), 10_000);
    assertEquals(100_000, m.perItemNanos(), 2_000);
  }

  @Test
  void singleBatchSizeIsChargedToTheItems() {
    BatchCostModel m = new BatchCostModel(64);
    for (int i = 0; i < 5; i++) {
      m.record(8, 8_000_000L);
    }
    assertEquals(0, m.fixedNanos(), 1e-6);
    assertEquals(1_000_000, m.perItemNanos(), 1);
  }

  @Test
  void noiseOnLargeBatchesDoesNotInventAFixedCost() {
    // A CPU: 40 us per batch plus 1.46 ms per image, the largest batches measured 10% slow (a
    // neighbour took the core while they ran). An unweighted fit puts the fixed cost near 5 ms.
    BatchCostModel m = new BatchCostModel(32);
    for (int b = 1; b <= 32; b++) {
      double cost = 40_000 + 1_460_000.0 * b;
      m.record(b, (long) (b > 24 ? cost * 1.1 : cost));
    }
    assertTrue(m.fixedNanos() < 500_000, "fixed " + m.fixedNanos());
    assertFalse(m.batchingPays());
  }

  @Test
  void batchingPaysWhereTheLaunchCostDominates() {
    BatchCostModel accelerator = new BatchCostModel(64);
    BatchCostModel cpu = new BatchCostModel(64);
    for (int b = 1; b <= 64; b++) {
      accelerator.record(b, 2_000_000L + 100_000L * b);
      cpu.record(b, 50_000L + 1_500_000L * b);
    }
    assertTrue(accelerator.batchingPays());
    assertEquals(2_000_000, accelerator.fixedNanos(), 1_000);
    assertFalse(cpu.batchingPays());
  }
}
