package org.calmworkbench.app.gui.service;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;

/**
 * Hands updates from background threads to the UI thread without flooding it: updates are kept
 * per key until the UI thread takes them, and at most one {@link UiExecutor#execute} is pending at
 * any time. A burst of thousands of progress events per second thus becomes one UI task per frame.
 *
 * <ul>
 *   <li>{@link #latest}: only the newest value per key survives (progress, ETA, status text).
 *   <li>{@link #append}: every value is kept and delivered as one list per flush (chart points,
 *       log lines): nothing is lost, but the UI still sees one update per frame.
 *   <li>{@link #always}: a one-off action that is never merged (a job finished, a result).
 * </ul>
 *
 * Keys are delivered in the order they were first posted since the last flush.
 */
public final class CoalescingDispatcher {
  private final UiExecutor ui;
  private final Object lock = new Object();
  private Map<Object, Runnable> pending = new LinkedHashMap<>();
  private boolean scheduled;
  private long flushes;
  private volatile SlowUpdates slow; // null: not watched

  /** Told of every update that kept the UI thread longer than {@code thresholdMs} (diagnostics). */
  public interface SlowUpdates {
    long thresholdMs();

    /** @param what the update's key when it is a name, else the class of the code that posted it */
    void slow(String what, double ms);
  }

  /** Watches the updates' run time from now on ({@code null}: stop); {@code scripts/gui-session.sh} prints them. */
  public void watchSlowUpdates(SlowUpdates listener) {
    slow = listener;
  }

  public CoalescingDispatcher(UiExecutor ui) {
    this.ui = ui;
  }

  /** Delivers {@code value} to {@code sink} on the UI thread unless a newer value for {@code key} comes first. */
  public <T> void latest(Object key, T value, Consumer<? super T> sink) {
    post(key, () -> sink.accept(value));
  }

  /** Delivers {@code update} on the UI thread unless a newer update for {@code key} comes first. */
  public void latest(Object key, Runnable update) {
    post(key, update);
  }

  /** Adds {@code value} to the batch for {@code key}; the batch reaches {@code sink} as one list. */
  public <T> void append(Object key, T value, Consumer<? super List<T>> sink) {
    synchronized (lock) {
      Runnable r = pending.get(key);
      if (r instanceof Batch<?> b) {
        @SuppressWarnings("unchecked")
        Batch<T> batch = (Batch<T>) b;
        batch.items.add(value);
        return;
      }
      Batch<T> batch = new Batch<>(sink);
      batch.items.add(value);
      pending.put(key, batch);
    }
    scheduleIfIdle();
  }

  /** Runs {@code action} on the UI thread in order with the other updates; never merged. */
  public void always(Runnable action) {
    post(new Object(), action);
  }

  /** How many times the UI thread has flushed (for tests and diagnostics). */
  public long flushes() {
    synchronized (lock) {
      return flushes;
    }
  }

  private void post(Object key, Runnable r) {
    synchronized (lock) {
      pending.put(key, r);
    }
    scheduleIfIdle();
  }

  /** Schedules one flush unless one is pending; outside the lock, so a same-thread UI may flush at once. */
  private void scheduleIfIdle() {
    synchronized (lock) {
      if (scheduled || pending.isEmpty()) {
        return;
      }
      scheduled = true;
    }
    ui.execute(this::flush);
  }

  private void flush() {
    Map<Object, Runnable> work;
    synchronized (lock) {
      work = pending;
      pending = new LinkedHashMap<>();
      scheduled = false;
      flushes++;
    }
    SlowUpdates watch = slow;
    for (Map.Entry<Object, Runnable> e : work.entrySet()) {
      long t0 = watch == null ? 0 : System.nanoTime();
      e.getValue().run();
      if (watch != null) {
        double ms = (System.nanoTime() - t0) / 1e6;
        if (ms >= watch.thresholdMs()) {
          watch.slow(describe(e.getKey(), e.getValue()), ms);
        }
      }
    }
  }

  /** A key that names itself (a string, a record), else the class of the update (a lambda's names its poster). */
  private static String describe(Object key, Runnable update) {
    Object what = update instanceof Batch<?> b ? b.sink : update;
    boolean named = key instanceof CharSequence || key instanceof Record || key instanceof Enum<?>;
    return (named ? key + " " : "") + what.getClass().getName();
  }

  private static final class Batch<T> implements Runnable {
    final List<T> items = new ArrayList<>();
    final Consumer<? super List<T>> sink;

    Batch(Consumer<? super List<T>> sink) {
      this.sink = sink;
    }

    @Override
    public void run() {
      sink.accept(items);
    }
  }
}
