package dev.captcha.report;

import java.io.PrintStream;
import java.io.PrintWriter;
import java.lang.reflect.Method;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Locale;
import java.util.Objects;
import java.util.function.LongSupplier;

/**
 * Progress of a long command on stderr: on a terminal a bar redrawn in place with the rate and the
 * time left, to a file or pipe a plain line every few seconds, or nothing when quiet; the one
 * progress display of every command. Thread-safe (calls are serialised).
 *
 * <p>Work is counted in units ({@code images}, say) out of a known total; a caller whose end is set
 * by something else (a time budget) passes its own fraction done. Messages printed through {@link
 * #message} never run into the bar.
 */
public final class Progress implements AutoCloseable {

  /** How progress is shown. */
  public enum Mode {
    /** A bar redrawn in place (a terminal). */
    BAR,
    /** A plain line every few seconds (a file or a pipe). */
    LINES,
    /** Nothing. */
    QUIET;

    /** {@link #QUIET} when asked, else {@link #BAR} on a terminal and {@link #LINES} otherwise. */
    public static Mode detect(boolean quiet) {
      if (quiet) {
        return QUIET;
      }
      return isTerminal() ? BAR : LINES;
    }

    private static boolean isTerminal() {
      Object console = System.console();
      if (console == null) {
        return false;
      }
      try {
        // From Java 22 a console exists even when redirected; it then says whether it is a
        // terminal.
        Method m = console.getClass().getMethod("isTerminal");
        return (Boolean) m.invoke(console);
      } catch (ReflectiveOperationException | RuntimeException e) {
        return true;
      }
    }
  }

  /** The default time between two plain lines. */
  public static final Duration LINE_INTERVAL = Duration.ofSeconds(5);

  private static final long REDRAW_NANOS = 150_000_000L;
  private static final int BAR_WIDTH = 24;

  private final String label;
  private final String unit;
  private final long total;
  private final Mode mode;
  private final PrintWriter out;
  private final LongSupplier nanoClock;
  private final long lineIntervalNanos;
  private final long startNanos;
  private long lastShown;
  private int drawnWidth;
  private long done;
  private double fraction = Double.NaN;
  private double startFraction = Double.NaN;
  private long startFractionNanos;
  private String detail = "";
  private boolean closed;
  private boolean linePrinted;

  /**
   * A progress display.
   *
   * @param label what is being done, shown first ("evaluated", "generated")
   * @param unit what is counted, plural ("images")
   * @param total units in all; 0 or less when unknown (then the caller passes fractions)
   * @param mode how to show it
   * @param out where (stderr, as a rule)
   * @param nanoClock monotonic time in nanoseconds
   * @param lineInterval time between two plain lines in {@link Mode#LINES}
   */
  public Progress(
      String label,
      String unit,
      long total,
      Mode mode,
      PrintWriter out,
      LongSupplier nanoClock,
      Duration lineInterval) {
    this.label = Objects.requireNonNull(label, "label");
    this.unit = Objects.requireNonNull(unit, "unit");
    this.total = Math.max(0, total);
    this.mode = Objects.requireNonNull(mode, "mode");
    this.out = Objects.requireNonNull(out, "out");
    this.nanoClock = Objects.requireNonNull(nanoClock, "nanoClock");
    if (lineInterval.isNegative() || lineInterval.isZero()) {
      throw new IllegalArgumentException("line interval must be positive, got " + lineInterval);
    }
    this.lineIntervalNanos = lineInterval.toNanos();
    this.startNanos = nanoClock.getAsLong();
    this.lastShown = startNanos;
    if (this.total > 0) {
      startFraction = 0;
      startFractionNanos = startNanos;
    }
  }

  /**
   * A display on {@code out} in {@code mode}, on the system clock, with a line every 5 s when not
   * on a terminal.
   */
  public static Progress of(String label, String unit, long total, Mode mode, PrintWriter out) {
    return new Progress(label, unit, total, mode, out, System::nanoTime, LINE_INTERVAL);
  }

  /** As {@link #of(String, String, long, Mode, PrintWriter)} on a stream (stderr, as a rule). */
  public static Progress of(String label, String unit, long total, Mode mode, PrintStream out) {
    return of(label, unit, total, mode, new PrintWriter(out, true, StandardCharsets.UTF_8));
  }

  /** Sets the units done (fraction: done / total). */
  public synchronized void update(long done) {
    update(done, Double.NaN, detail);
  }

  /**
   * Sets the units done, the fraction of the whole job done (NaN: done / total) and a short detail
   * shown after the figures ("loss 0.0123").
   */
  public synchronized void update(long done, double fraction, String detail) {
    if (closed) {
      return;
    }
    this.done = done;
    this.fraction = fraction;
    this.detail = detail == null ? "" : detail;
    double f = fraction();
    long now = nanoClock.getAsLong();
    if (Double.isNaN(startFraction) && !Double.isNaN(f)) {
      startFraction = f;
      startFractionNanos = now;
    }
    switch (mode) {
      case BAR -> {
        if (now - lastShown >= REDRAW_NANOS || drawnWidth == 0) {
          lastShown = now;
          draw(now);
        }
      }
      case LINES -> {
        if (now - lastShown >= lineIntervalNanos) {
          lastShown = now;
          out.println(label + " " + figures(now));
          out.flush();
          linePrinted = true;
        }
      }
      case QUIET -> {}
    }
  }

  /**
   * Prints a line of its own (a warning, a validation result) without tearing the bar; also when
   * quiet.
   */
  public synchronized void message(String line) {
    erase();
    out.println(line);
    if (mode == Mode.BAR && !closed && drawnWidth == 0 && done > 0) {
      draw(nanoClock.getAsLong());
    }
    out.flush();
  }

  /**
   * Ends the display: the bar is replaced by a summary line; in {@link Mode#LINES} a summary line
   * ends the lines, if any were printed (a job shorter than the interval prints nothing).
   */
  @Override
  public synchronized void close() {
    if (closed) {
      return;
    }
    closed = true;
    long now = nanoClock.getAsLong();
    if (mode == Mode.BAR || (mode == Mode.LINES && linePrinted)) {
      erase();
      out.println(label + " " + summary(now));
      out.flush();
    }
  }

  /** The fraction done in [0, 1], or NaN when neither a fraction nor a total is known. */
  private double fraction() {
    if (!Double.isNaN(fraction)) {
      return Math.max(0, Math.min(1, fraction));
    }
    return total > 0 ? Math.min(1, (double) done / total) : Double.NaN;
  }

  private void draw(long now) {
    double f = fraction();
    int filled = Double.isNaN(f) ? 0 : (int) Math.round(f * BAR_WIDTH);
    String text = "[" + "#".repeat(filled) + "-".repeat(BAR_WIDTH - filled) + "] " + figures(now);
    int pad = Math.max(0, drawnWidth - text.length());
    out.print("\r" + text + " ".repeat(pad));
    out.flush();
    drawnWidth = text.length();
  }

  private void erase() {
    if (mode == Mode.BAR && drawnWidth > 0) {
      out.print("\r" + " ".repeat(drawnWidth) + "\r");
      drawnWidth = 0;
    }
  }

  /** "512/2000 (25.6%), 410 images/s, 0:00:03 left, detail". */
  String figures(long now) {
    StringBuilder s = new StringBuilder();
    s.append(done);
    if (total > 0) {
      s.append('/').append(total);
    }
    s.append(' ').append(unit);
    double f = fraction();
    if (!Double.isNaN(f)) {
      s.append(String.format(Locale.ROOT, " (%.1f%%)", 100 * f));
    }
    double seconds = (now - startNanos) / 1e9;
    if (seconds > 0 && done > 0) {
      s.append(String.format(Locale.ROOT, ", %s %s/s", rate(done / seconds), unit));
    }
    double left = secondsLeft(f, (now - startFractionNanos) / 1e9);
    if (!Double.isNaN(left)) {
      s.append(", ").append(hms(left)).append(" left");
    }
    if (!detail.isEmpty()) {
      s.append(", ").append(detail);
    }
    return s.toString();
  }

  private String summary(long now) {
    double seconds = (now - startNanos) / 1e9;
    StringBuilder s = new StringBuilder();
    s.append(done);
    if (total > 0) {
      s.append('/').append(total);
    }
    s.append(' ').append(unit).append(" in ").append(hms(seconds));
    if (seconds > 0 && done > 0) {
      s.append(String.format(Locale.ROOT, " (%s %s/s)", rate(done / seconds), unit));
    }
    if (!detail.isEmpty()) {
      s.append(", ").append(detail);
    }
    return s.toString();
  }

  /**
   * Time left at the pace since the first fraction was known ({@code seconds} ago), so a resumed
   * job's earlier part does not count.
   */
  private double secondsLeft(double f, double seconds) {
    if (Double.isNaN(f) || Double.isNaN(startFraction) || seconds <= 0) {
      return Double.NaN;
    }
    double gained = f - startFraction;
    if (gained <= 0) {
      return Double.NaN;
    }
    return seconds * (1 - f) / gained;
  }

  private static String rate(double perSecond) {
    return perSecond >= 100
        ? String.format(Locale.ROOT, "%.0f", perSecond)
        : String.format(Locale.ROOT, "%.1f", perSecond);
  }

  static String hms(double seconds) {
    long s = (long) Math.max(0, seconds);
    return String.format(Locale.ROOT, "%d:%02d:%02d", s / 3600, (s / 60) % 60, s % 60);
  }
}
