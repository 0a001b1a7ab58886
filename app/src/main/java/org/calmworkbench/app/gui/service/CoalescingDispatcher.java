package org.calmworkbench.app.gui.service;

import java.util.ArrayList;
import java.util.Iterator;
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
 *
 * <p>A flush spends at most {@link #FLUSH_BUDGET_MS} of UI-thread time on updates: what is left
 * runs in the next UI task (after the frame the toolkit has waiting), ahead of what was posted
 * meanwhile, merged with it (a newer value of a key replaces the waiting one; batches join). A burst
 * of slow updates (a checkpoint, a chart's first points and a finished job at once) thus spreads over
 * frames instead of holding one.
 */
public final class CoalescingDispatcher {
  /** UI-thread time a flush spends before it leaves the remaining updates to the next UI task. */
  public static final long FLUSH_BUDGET_MS = 8;

  private final UiExecutor ui;
  private final Object lock = new Object();
  private Map<Object, Runnable> pending = new LinkedHashMap<>();
  private boolean scheduled;
  private long flushes;
  private long deferrals;
  private static final java.lang.management.ThreadMXBean CPU = java.lang.management.ManagementFactory.getThreadMXBean();
  private volatile SlowUpdates slow; // null: not watched

  /** Told of every update that kept the UI thread longer than {@code thresholdMs} (diagnostics). */
  public interface SlowUpdates {
    long thresholdMs();

    /**
     * @param what the update's key when it is a name, else the class of the code that posted it
     * @param ms the update's wall time on the UI thread
     * @param cpuMs the UI thread's CPU time in it (less than {@code ms} when the thread waited: for a
     *     core, a GC pause, a lock, the disk)
     */
    void slow(String what, double ms, double cpuMs);

    /**
     * Told just before ({@code true}) and after each update runs, on the UI thread, outside the
     * update's timing (for a stack sampler); {@link #slow} follows the {@code false} of a slow one.
     */
    default void running(boolean running) {}
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
    long start = System.nanoTime();
    Iterator<Map.Entry<Object, Runnable>> it = work.entrySet().iterator();
    while (it.hasNext()) {
      Map.Entry<Object, Runnable> e = it.next();
      it.remove();
      if (watch == null) {
        e.getValue().run();
      } else {
        watched(watch, e.getKey(), e.getValue());
      }
      if (it.hasNext() && System.nanoTime() - start >= FLUSH_BUDGET_MS * 1_000_000L) {
        deferRest(work);
        return;
      }
    }
  }

  /** Runs {@code update} timed (wall and CPU), the watcher's own work outside the timing. */
  private static void watched(SlowUpdates watch, Object key, Runnable update) {
    watch.running(true);
    long t0 = System.nanoTime();
    long cpu0 = CPU.getCurrentThreadCpuTime();
    update.run();
    double cpuMs = (CPU.getCurrentThreadCpuTime() - cpu0) / 1e6;
    double ms = (System.nanoTime() - t0) / 1e6;
    watch.running(false);
    if (ms >= watch.thresholdMs()) {
      watch.slow(describe(key, update), ms, cpuMs);
    }
  }

  /** Puts the updates a flush left back in front of those posted since, merged with them, and schedules a flush. */
  @SuppressWarnings({"unchecked", "rawtypes"})
  private void deferRest(Map<Object, Runnable> rest) {
    synchronized (lock) {
      for (Map.Entry<Object, Runnable> e : pending.entrySet()) {
        Runnable waiting = rest.get(e.getKey());
        if (waiting instanceof Batch older && e.getValue() instanceof Batch newer) {
          older.items.addAll(newer.items); // nothing lost, the older values first
        } else {
          rest.put(e.getKey(), e.getValue()); // the newer value, in the waiting one's place
        }
      }
      pending = rest;
      deferrals++;
    }
    scheduleIfIdle();
  }

  /** How many flushes ran out of their time budget and left updates for the next UI task (diagnostics). */
  public long deferrals() {
    synchronized (lock) {
      return deferrals;
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
