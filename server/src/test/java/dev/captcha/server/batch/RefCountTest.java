package dev.captcha.server.batch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

class RefCountTest {

  @Test
  void theActionRunsOnceWhenTheLastReferenceIsGivenBack() {
    AtomicInteger runs = new AtomicInteger();
    RefCount refs = new RefCount("thing", runs::incrementAndGet);
    assertTrue(refs.tryAcquire());
    assertEquals(2, refs.count());
    refs.release(); // the owner's
    assertEquals(0, runs.get(), "a user still holds a reference");
    refs.release();
    assertEquals(1, runs.get());
    assertEquals(0, refs.count());
    assertFalse(refs.tryAcquire(), "nothing can be taken once the count reached zero");
  }

  @Test
  void aReleaseTooManyIsAnError() {
    RefCount refs = new RefCount("model a", () -> {});
    refs.release();
    IllegalStateException e = assertThrows(IllegalStateException.class, refs::release);
    assertEquals("model a released more often than acquired", e.getMessage());
  }

  @Test
  void concurrentUsersNeverRunTheActionEarlyOrTwice() throws InterruptedException {
    AtomicInteger runs = new AtomicInteger();
    RefCount refs = new RefCount("thing", runs::incrementAndGet);
    List<Thread> threads = new ArrayList<>();
    AtomicInteger early = new AtomicInteger();
    for (int t = 0; t < 4; t++) {
      Thread thread =
          new Thread(
              () -> {
                for (int i = 0; i < 10_000; i++) {
                  if (refs.tryAcquire()) {
                    if (runs.get() != 0) {
                      early.incrementAndGet();
                    }
                    refs.release();
                  }
                }
              });
      threads.add(thread);
      thread.start();
    }
    refs.release();
    for (Thread thread : threads) {
      thread.join();
    }
    assertEquals(0, early.get(), "the action ran while a reference was held");
    assertEquals(1, runs.get());
  }
}
