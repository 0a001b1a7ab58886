package org.calmworkbench.app.cli;

import java.io.PrintStream;
import java.util.Locale;
import java.util.function.LongSupplier;

/**
 * Progress of a long loop on stderr: {@code ae train  42% 420/1000  loss=0.12  01:23 eta 01:55}.
 *
 * <p>On a terminal the line is redrawn in place with {@code \r}, at most {@link
 * #TERMINAL_INTERVAL_NANOS} apart (5 per second). Elsewhere (a log file, CI, a pipe) a plain line is
 * printed every {@link #PLAIN_INTERVAL_NANOS} (10 s) so the log stays short. {@link #finish} always
 * prints the last state and ends the line.
 *
 * <p>The ETA divides the remaining steps by a moving average of the rate: an exponential average
 * with a time constant of {@link #RATE_TIME_CONSTANT_SECONDS}, updated on every call, so it follows
 * slow-downs (evaluation pauses, thermal throttling) within a few seconds but does not jump with
 * every step.
 */
public final class ProgressLine {
  public static final long TERMINAL_INTERVAL_NANOS = 200_000_000L;
  public static final long PLAIN_INTERVAL_NANOS = 10_000_000_000L;
  static final double RATE_TIME_CONSTANT_SECONDS = 10.0;
  /** ETAs beyond this show as {@code >100:00:00}: a stalled loop, not a plan. */
  static final double MAX_ETA_SECONDS = 100 * 3600;

  private final PrintStream err;
  private final boolean terminal;
  private final LongSupplier nanoTime;
  private final String label;
  private final long total;
  private final int width;
  private final long start;

  private long lastPrinted;
  private boolean printedOnce;
  private int lastLength;
  private long lastStep;
  private long lastTime;
  private double rate = Double.NaN; // steps per second, smoothed
  private boolean finished;
  private double knownFraction = Double.NaN;
  private double knownEta = Double.NaN;

  /**
   * @param terminal redraw in place (true) or print plain lines (false)
   * @param total steps in all; {@code <= 0} if unknown (no percent or ETA then)
   */
  public ProgressLine(PrintStream err, boolean terminal, LongSupplier nanoTime, String label, long total) {
    this.err = err;
    this.terminal = terminal;
    this.nanoTime = nanoTime;
    this.label = label;
    this.total = total;
    this.width = terminalWidth();
    this.start = nanoTime.getAsLong();
    this.lastTime = start;
  }

  /** Reports that {@code step} steps are done; prints if enough time has passed since the last line. */
  public synchronized void update(long step, String metrics) {
    if (finished) {
      return;
    }
    long now = nanoTime.getAsLong();
    updateRate(step, now);
    long interval = terminal ? TERMINAL_INTERVAL_NANOS : PLAIN_INTERVAL_NANOS;
    if (printedOnce && now - lastPrinted < interval) {
      return; // the first update prints at once, so a slow first step still shows the run started
    }
    print(format(step, metrics, now), false);
    lastPrinted = now;
    printedOnce = true;
  }

  /**
   * As {@link #update(long, String)}, with the caller's own estimate of the done fraction and the
   * seconds left (a training loop bounded by a time limit knows both better than a step count);
   * NaN falls back to the step-based values.
   */
  public synchronized void update(long step, double fraction, double etaSeconds, String metrics) {
    this.knownFraction = fraction;
    this.knownEta = etaSeconds;
    update(step, metrics);
  }

  /** Prints the final state and ends the line; later updates are ignored. */
  public synchronized void finish(long step, String metrics) {
    if (finished) {
      return;
    }
    long now = nanoTime.getAsLong();
    updateRate(step, now);
    print(format(step, metrics, now), true);
    finished = true;
  }

  /** The line for {@code step} at time {@code now}, without printing (visible for tests). */
  synchronized String format(long step, String metrics, long now) {
    StringBuilder b = new StringBuilder(label);
    if (total > 0) {
      double fraction = Double.isNaN(knownFraction) ? Math.min(1.0, (double) step / total) : knownFraction;
      b.append(String.format(Locale.ROOT, " %3d%% %d/%d", (int) Math.floor(fraction * 100), step, total));
    } else if (!Double.isNaN(knownFraction)) {
      b.append(String.format(Locale.ROOT, " %3d%% %d", (int) Math.floor(knownFraction * 100), step));
    } else {
      b.append(' ').append(step);
    }
    if (metrics != null && !metrics.isBlank()) {
      b.append("  ").append(metrics.strip());
    }
    b.append("  ").append(duration((now - start) / 1e9));
    double eta = eta(step);
    if (!Double.isNaN(eta)) {
      b.append(" eta ").append(eta < MAX_ETA_SECONDS ? duration(eta) : ">" + duration(MAX_ETA_SECONDS));
    }
    String line = b.toString();
    return terminal && line.length() > width ? line.substring(0, width - 1) + "~" : line;
  }

  /** Seconds left at the smoothed rate; NaN while unknown. */
  synchronized double eta(long step) {
    if (!Double.isNaN(knownEta)) {
      return Double.isInfinite(knownEta) ? Double.NaN : knownEta;
    }
    if (total <= 0 || Double.isNaN(rate) || rate <= 0) {
      return Double.NaN;
    }
    return Math.max(0, total - step) / rate;
  }

  private void updateRate(long step, long now) {
    double dt = (now - lastTime) / 1e9;
    if (step < lastStep) { // the loop restarted its count (a new epoch, a resumed run): new baseline
      lastStep = step;
      lastTime = now;
      return;
    }
    if (dt <= 0) {
      return;
    }
    double instant = (step - lastStep) / dt;
    if (Double.isNaN(rate)) {
      rate = instant;
    } else {
      double weight = 1 - Math.exp(-dt / RATE_TIME_CONSTANT_SECONDS);
      rate += weight * (instant - rate);
    }
    lastStep = step;
    lastTime = now;
  }

  private void print(String line, boolean end) {
    if (terminal) {
      // Spaces over the rest of a longer previous line, then back to the start.
      String padded = line + " ".repeat(Math.max(0, lastLength - line.length()));
      err.print("\r" + padded + (end ? "\n" : ""));
      lastLength = end ? 0 : line.length();
    } else {
      err.println(line);
    }
    err.flush();
  }

  /** {@code 42:07} or {@code 1:02:03} (also the ETA format of {@code experiment run}). */
  public static String duration(double seconds) {
    long s = Math.round(seconds);
    long h = s / 3600;
    long m = (s % 3600) / 60;
    return h > 0
        ? String.format(Locale.ROOT, "%d:%02d:%02d", h, m, s % 60)
        : String.format(Locale.ROOT, "%02d:%02d", m, s % 60);
  }

  private static int terminalWidth() {
    try {
      String columns = System.getenv("COLUMNS");
      if (columns != null) {
        return Math.max(40, Integer.parseInt(columns.strip()) - 1);
      }
    } catch (NumberFormatException ignored) {
      // fall through to the default
    }
    return 119;
  }
}
