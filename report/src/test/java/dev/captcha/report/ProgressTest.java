package dev.captcha.report;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class ProgressTest {
  final AtomicLong clock = new AtomicLong();
  final StringWriter text = new StringWriter();

  Progress progress(Progress.Mode mode, long total) {
    return new Progress(
        "evaluated",
        "images",
        total,
        mode,
        new PrintWriter(text, true),
        clock::get,
        Duration.ofSeconds(5));
  }

  void advance(double seconds) {
    clock.addAndGet((long) (seconds * 1e9));
  }

  @Test
  void toAFileOrPipeItPrintsWholeLinesEveryFewSecondsNeverCarriageReturns() {
    try (Progress p = progress(Progress.Mode.LINES, 2000)) {
      for (int done = 256; done <= 2000; done += 256) {
        advance(2);
        p.update(done);
      }
      p.update(2000);
    }
    String s = text.toString();
    assertFalse(s.contains("\r"), s);
    assertTrue(s.lines().allMatch(l -> l.startsWith("evaluated ")), s);
    // 14 s of work: lines at 6 s and 12 s (every 5 s at most), then the summary.
    assertEquals(3, s.lines().count(), s);
    assertTrue(s.contains("evaluated 768/2000 images (38.4%), 128 images/s, 0:00:09 left"), s);
    assertTrue(
        s.lines()
            .reduce((a, b) -> b)
            .orElseThrow()
            .startsWith("evaluated 2000/2000 images in 0:00:14"),
        s);
  }

  @Test
  void aShortJobToAPipePrintsNothing() {
    try (Progress p = progress(Progress.Mode.LINES, 10)) {
      advance(1);
      p.update(10);
    }
    assertEquals("", text.toString());
  }

  @Test
  void onATerminalTheBarIsRedrawnInPlaceWithRateAndTimeLeft() {
    try (Progress p = progress(Progress.Mode.BAR, 100)) {
      advance(1);
      p.update(25);
      advance(1);
      p.update(50, Double.NaN, "loss 0.1");
      p.message("[eval] step 50");
      advance(1);
      p.update(100);
    }
    String s = text.toString();
    assertTrue(
        s.startsWith(
            "\r[######------------------] 25/100 images (25.0%), 25.0 images/s, 0:00:03 left"),
        s);
    assertTrue(
        s.contains(
            "\r[############------------] 50/100 images (50.0%), 25.0 images/s, 0:00:02 left, loss 0.1"),
        s);
    assertTrue(s.contains("\n[eval] step 50\n") || s.contains("\r[eval] step 50\n"), s);
    assertTrue(s.endsWith("evaluated 100/100 images in 0:00:03 (33.3 images/s), loss 0.1\n"), s);
  }

  @Test
  void aGivenFractionSetsTheBarAndTimeLeftFromThisRunsOwnPace() {
    try (Progress p = progress(Progress.Mode.BAR, 0)) {
      p.update(0, 0.5, "");
      advance(10);
      p.update(640, 0.6, "step 60");
    }
    // 10 % in 10 s: 40 % more takes 40 s, whatever the earlier half took.
    assertTrue(
        text.toString().contains("640 images (60.0%), 64.0 images/s, 0:00:40 left, step 60"),
        text.toString());
  }

  @Test
  void quietPrintsOnlyMessages() {
    try (Progress p = progress(Progress.Mode.QUIET, 10)) {
      advance(100);
      p.update(5);
      p.message("warning");
      p.update(10);
    }
    assertEquals("warning" + System.lineSeparator(), text.toString());
  }
}
