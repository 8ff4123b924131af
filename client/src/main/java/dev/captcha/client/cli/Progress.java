package dev.captcha.client.cli;

import java.io.PrintWriter;

/** A one-line progress bar on stderr, drawn only when stderr is a terminal; not thread-safe. */
final class Progress {
  private static final int WIDTH = 30;
  private static final long REDRAW_NANOS = 100_000_000L;

  private final PrintWriter err;
  private final boolean enabled;
  private final int total;
  private final long startNanos = System.nanoTime();
  private long lastDraw;
  private int done;
  private int failed;

  Progress(PrintWriter err, boolean enabled, int total) {
    this.err = err;
    this.enabled = enabled;
    this.total = total;
  }

  void step(boolean ok) {
    done++;
    if (!ok) {
      failed++;
    }
    if (!enabled) {
      return;
    }
    long now = System.nanoTime();
    if (done == total || now - lastDraw >= REDRAW_NANOS) {
      lastDraw = now;
      draw(now);
    }
  }

  private void draw(long now) {
    int filled = total == 0 ? WIDTH : (int) ((long) done * WIDTH / total);
    double seconds = Math.max(1e-9, (now - startNanos) / 1e9);
    err.printf("\r[%s%s] %d/%d %.1f img/s%s",
        "#".repeat(filled), ".".repeat(WIDTH - filled), done, total, done / seconds,
        failed > 0 ? " (" + failed + " failed)" : "");
    err.flush();
  }

  /** Clears the bar so what follows starts on a clean line. */
  void clear() {
    if (enabled) {
      err.print("\r" + " ".repeat(WIDTH + 50) + "\r");
      err.flush();
    }
  }

  /** Prints a line on stderr without tearing the bar. */
  void message(String line) {
    if (enabled) {
      err.print("\r" + " ".repeat(WIDTH + 50) + "\r");
    }
    err.println(line);
    err.flush();
  }
}
