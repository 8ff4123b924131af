package dev.captcha.loadtest;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class ClosedLoopDriverTest {

  private static final long MS = 1_000_000L;
  private static final long T0 = 5_000 * MS;

  @Test
  void keepsTheGivenNumberInFlightUntilTheEnd() throws Exception {
    FakeTicker ticker = new FakeTicker(T0);
    InFlight inFlight = new InFlight();
    int[] maxSeen = {0};
    RequestIssuer server =
        (intended, done) -> {
          maxSeen[0] = Math.max(maxSeen[0], inFlight.get());
          ticker.schedule(ticker.nanoTime() + 10 * MS, done);
        };
    long sent =
        new ClosedLoopDriver(ticker, server, inFlight, Runnable::run).run(4, T0 + 1000 * MS);
    ticker.drain();

    // 4 loops, 10 ms each, for 1 s: 100 rounds of 4.
    assertEquals(400, sent);
    assertEquals(4, maxSeen[0]);
    assertEquals(0, inFlight.get());
  }

  @Test
  void synchronousCompletionsDoNotGrowTheStack() throws Exception {
    FakeTicker ticker = new FakeTicker(T0);
    InFlight inFlight = new InFlight();
    long[] calls = {0};
    // Fails at once inside the send (as a broken transport might), advancing time a little.
    RequestIssuer failing =
        (intended, done) -> {
          calls[0]++;
          ticker.advanceTo(ticker.nanoTime() + 1_000);
          done.run();
        };
    // Hand-offs run as events on the simulated clock, after the current send has returned.
    Executor overflow = r -> ticker.schedule(ticker.nanoTime(), r);
    new ClosedLoopDriver(ticker, failing, inFlight, overflow).run(1, T0 + 1000 * MS);
    assertEquals(1_000_000, calls[0], 1);
    assertEquals(0, inFlight.get());
  }
}
