package dev.captcha.server.reload;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.captcha.server.testsupport.RecordingScheduler;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class PollLoopTest {
  private final RecordingScheduler scheduler = new RecordingScheduler();
  private final List<Runnable> scheduled = scheduler.scheduled;
  private final List<Long> delays = scheduler.delays;

  private void runNext() {
    scheduler.runNext();
  }

  @Test
  void pollsEveryIntervalOnceStarted() {
    int[] polls = {0};
    PollLoop loop = new PollLoop("x", Duration.ofMillis(250), scheduler, () -> polls[0]++);
    assertEquals(0, scheduled.size(), "nothing runs before start");
    loop.start();
    loop.start();
    assertEquals(1, scheduled.size(), "a second start schedules nothing more");
    runNext();
    runNext();
    assertEquals(2, polls[0]);
    assertEquals(1, scheduled.size());
    assertEquals(List.of(250_000_000L, 250_000_000L, 250_000_000L), delays);
  }

  @Test
  void aFailingPollIsFollowedByTheNext() {
    int[] polls = {0};
    PollLoop loop =
        new PollLoop(
            "x",
            Duration.ofSeconds(1),
            scheduler,
            () -> {
              polls[0]++;
              throw new IllegalStateException("boom");
            });
    loop.start();
    runNext();
    runNext();
    assertEquals(2, polls[0]);
    assertEquals(1, scheduled.size());
  }

  @Test
  void closeCancelsThePendingPollAndStopsRescheduling() {
    List<PollLoop> self = new ArrayList<>();
    PollLoop loop = new PollLoop("x", Duration.ofSeconds(1), scheduler, () -> self.get(0).close());
    self.add(loop);
    loop.start();
    runNext(); // closes the loop from inside its own poll
    assertTrue(loop.isClosed());
    assertEquals(0, scheduled.size(), "a poll that closes the loop schedules no next one");

    PollLoop other = new PollLoop("y", Duration.ofSeconds(1), scheduler, () -> {});
    other.start();
    assertEquals(1, scheduled.size());
    other.close();
    assertEquals(0, scheduled.size(), "close cancels the scheduled poll");
    other.start();
    assertEquals(0, scheduled.size(), "a closed loop does not start again");
  }

  @Test
  void refusesANonPositiveInterval() {
    assertThrows(
        IllegalArgumentException.class,
        () -> new PollLoop("x", Duration.ZERO, scheduler, () -> {}));
    assertThrows(
        IllegalArgumentException.class,
        () -> new PollLoop("x", Duration.ofMillis(-1), scheduler, () -> {}));
  }
}
