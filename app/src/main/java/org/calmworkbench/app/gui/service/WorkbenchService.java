package org.calmworkbench.app.gui.service;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CancellationException;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import javafx.beans.property.ReadOnlyObjectProperty;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;
import org.calmworkbench.backend.train.ThreadPriority;

/**
 * The one owner of all engine (DJL/PyTorch) work: jobs run one after another on a single named
 * daemon thread, in a visible queue ({@link #jobs()}). The UI thread never waits on a job; jobs
 * report through {@link JobContext}, whose updates reach the UI coalesced.
 *
 * <p>One thread, not a pool, because PyTorch allows one gradient recorder per process and the CPU
 * is better used by one job at full width than by two fighting for cores.
 *
 * <p>The engine is loaded by the first job that needs it, so the window appears at once.
 *
 * <pre>{@code
 * Job job = service.submit(JobSpec.of("Train autoencoder", "ae-train").pausable().needsEngine(),
 *     ctx -> AeTraining.run(options, listener(ctx), ctx.control()),
 *     result -> status.set("saved " + result.checkpoint()));
 * }</pre>
 */
public final class WorkbenchService implements AutoCloseable {
  /** Finished jobs kept visible in the queue; older ones are dropped. */
  static final int KEEP_FINISHED = 30;

  private final UiExecutor ui;
  private final Executor worker;
  private final ExecutorService ownedWorker; // null when the caller supplied the executor
  private final CoalescingDispatcher dispatcher;
  private final LogModel log;
  private final ErrorReporter errors;
  private final Runnable engineLoader;
  private final ObservableList<Job> jobs = FXCollections.observableArrayList();
  private final ReadOnlyObjectWrapper<Job> current = new ReadOnlyObjectWrapper<>(this, "current");
  private final List<Runnable> idleCallbacks = new ArrayList<>();
  private volatile boolean engineLoaded;
  /** Interleavable jobs waiting; a running training job runs them between its steps. */
  private final java.util.concurrent.ConcurrentLinkedQueue<Runnable> interleaved = new java.util.concurrent.ConcurrentLinkedQueue<>();
  private volatile Job running; // the job on the service thread, for waking it
  /** Jobs not yet ended, readable from any thread (the shutdown hook). */
  private final java.util.Set<Job> live = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private int unfinished; // UI thread

  /**
   * @param worker runs jobs; the app passes its own single thread, view-model tests a same-thread
   *     executor ({@code Runnable::run}) or one they drain by hand
   * @param engineLoader loads the engine once before the first job that needs it
   */
  public WorkbenchService(UiExecutor ui, Executor worker, Runnable engineLoader, Notifier notifier) {
    this(ui, worker, null, engineLoader, notifier);
  }

  private WorkbenchService(UiExecutor ui, Executor worker, ExecutorService owned, Runnable engineLoader,
      Notifier notifier) {
    this.ui = ui;
    this.worker = worker;
    this.ownedWorker = owned;
    this.dispatcher = new CoalescingDispatcher(ui);
    this.log = new LogModel(dispatcher);
    this.errors = new ErrorReporter(ui, log, notifier);
    this.engineLoader = engineLoader;
  }

  /**
   * The nice value (0-19) the engine thread, and so PyTorch's worker threads it starts, run at:
   * {@value #DEFAULT_ENGINE_NICE} unless {@code -Dcalm.engineNice=N} says otherwise (0: as the
   * window). See {@link ThreadPriority} and docs/DECISIONS.md.
   */
  public static final String ENGINE_NICE_PROPERTY = "calm.engineNice";

  public static final int DEFAULT_ENGINE_NICE = 10;

  /** {@link #ENGINE_NICE_PROPERTY}, or the default when it is absent or not a number in 0..19. */
  static int engineNice() {
    try {
      int n = Integer.parseInt(System.getProperty(ENGINE_NICE_PROPERTY, String.valueOf(DEFAULT_ENGINE_NICE)).trim());
      return n >= 0 && n <= 19 ? n : DEFAULT_ENGINE_NICE;
    } catch (NumberFormatException e) {
      return DEFAULT_ENGINE_NICE;
    }
  }

  /**
   * The app's service: its own daemon thread "calm-engine", the PyTorch engine loaded on first use.
   * The thread lowers its own scheduling priority first ({@link #engineNice()}), before the engine
   * creates its worker threads, which inherit it: training then takes the cores the window does
   * not need, and the window gets one at once when it does (the FX-stall benchmark showed the FX
   * and renderer threads waiting for a core for half of every long pulse gap otherwise). The JVM's
   * JIT compiler threads get the same nice value: in the first seconds of a run they compile the
   * chart code on the core the FX thread needs (the last stall the benchmark found was the FX
   * thread sharing a core with the C2 compiler).
   */
  public static WorkbenchService start(UiExecutor ui, Notifier notifier) {
    int nice = engineNice();
    if (nice > 0) {
      ThreadPriority.lowerThreadsNamed(nice, "C1 CompilerThre", "C2 CompilerThre");
    }
    ExecutorService single = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(() -> {
        if (nice > 0) {
          ThreadPriority.lowerCurrentThread(nice);
        }
        r.run();
      }, "calm-engine");
      t.setDaemon(true);
      return t;
    });
    return new WorkbenchService(ui, single, single, () -> ai.djl.engine.Engine.getEngine("PyTorch"), notifier);
  }

  public UiExecutor ui() {
    return ui;
  }

  public CoalescingDispatcher dispatcher() {
    return dispatcher;
  }

  public LogModel log() {
    return log;
  }

  public ErrorReporter errors() {
    return errors;
  }

  /** The queue: queued, running and recently finished jobs. UI thread only. */
  public ObservableList<Job> jobs() {
    return jobs;
  }

  /** The running (or paused) job; null when idle. */
  public ReadOnlyObjectProperty<Job> currentProperty() {
    return current.getReadOnlyProperty();
  }

  /** Whether a job of {@code kind} is queued, running or paused. UI thread. */
  public boolean hasUnfinished(String kind) {
    return jobs.stream().anyMatch(j -> j.spec().kind().equals(kind) && !j.state().isFinal());
  }

  /** Unfinished jobs of every kind. UI thread. */
  public List<Job> unfinished() {
    return jobs.stream().filter(j -> !j.state().isFinal()).toList();
  }

  /**
   * Queues {@code body}. Returns at once with the job's view model (already in {@link #jobs()} when
   * called on the UI thread). {@code onResult} runs on the UI thread when the body returns, also
   * after a cancel that the body honoured by returning early (a stopped training run returns its
   * result); it does not run when the body throws. Failures are reported (log and notification).
   */
  public <T> Job submit(JobSpec spec, JobBody<T> body, Consumer<? super T> onResult) {
    Job job = new Job(spec);
    live.add(job);
    Runnable enqueue = () -> {
      jobs.add(job);
      unfinished++;
    };
    if (ui.isUiThread()) {
      enqueue.run();
    } else {
      dispatcher.always(enqueue);
    }
    job.onPauseChange(() -> dispatcher.latest(new StateKey(job), () -> {
      if (job.state().isActive()) {
        job.setState(job.isPaused() && !job.isCancelRequested() ? JobState.PAUSED : JobState.RUNNING);
        if (job.isCancelRequested()) {
          job.setMessage("stopping…");
        }
      }
    }));
    if (spec.canInterleave()) {
      interleaved.add(() -> {
        if (job.claim()) {
          runJob(job, body, onResult, true);
        }
      });
      Job r = running;
      if (r != null) {
        r.wake();
      }
    }
    try {
      worker.execute(() -> {
        if (job.claim()) {
          runJob(job, body, onResult, false);
        }
      });
    } catch (RejectedExecutionException e) {
      dispatcher.always(() -> finish(job, JobState.CANCELLED, "not started: the workbench is closing", null));
    }
    return job;
  }

  /** Runs the interleavable jobs that are waiting; called between the steps of a training job. */
  private void runInterleaved() {
    Runnable r;
    while ((r = interleaved.poll()) != null) {
      r.run();
    }
  }

  /** @param nested true when run between the steps of another job (which stays the current one) */
  private <T> void runJob(Job job, JobBody<T> body, Consumer<? super T> onResult, boolean nested) {
    if (job.isCancelRequested()) {
      live.remove(job);
      dispatcher.always(() -> finish(job, JobState.CANCELLED, "cancelled before it started", null));
      return;
    }
    dispatcher.always(() -> {
      if (!nested) {
        current.set(job);
      }
      job.setState(job.isPaused() ? JobState.PAUSED : JobState.RUNNING);
      job.setMessage(nested ? "running between training steps" : "started");
    });
    if (!nested) {
      running = job;
      job.betweenSteps(this::runInterleaved);
    }
    JobContext ctx = new JobContext(job, dispatcher, log::info);
    long start = System.nanoTime();
    try {
      if (job.spec().usesEngine()) {
        loadEngine(ctx);
      }
      T result = body.run(ctx);
      double seconds = (System.nanoTime() - start) / 1e9;
      boolean cancelled = job.isCancelRequested();
      dispatcher.always(() -> {
        finish(job, cancelled ? JobState.CANCELLED : JobState.DONE,
            cancelled ? "stopped by request" : "done in " + Durations.format(seconds), null);
        if (onResult != null) {
          onResult.accept(result);
        }
      });
      log.info(job.name() + ": " + (cancelled ? "stopped by request" : "done in " + Durations.format(seconds)));
    } catch (CancellationException | InterruptedException e) {
      dispatcher.always(() -> finish(job, JobState.CANCELLED, "cancelled", null));
      log.info(job.name() + ": cancelled");
      if (e instanceof InterruptedException) {
        Thread.currentThread().interrupt();
      }
    } catch (Throwable t) {
      String text = ErrorReporter.describe(t);
      dispatcher.always(() -> finish(job, JobState.FAILED, text, t));
      errors.report(job.name(), t);
    } finally {
      live.remove(job);
      if (!nested) {
        running = null;
      }
    }
  }

  private void loadEngine(JobContext ctx) {
    if (engineLoaded) {
      return;
    }
    ctx.progress(-1, Double.NaN, "starting the PyTorch engine (the first start unpacks it: about 400 MB)");
    log.info("starting the PyTorch engine");
    engineLoader.run();
    engineLoaded = true;
    log.info("PyTorch engine ready");
  }

  /**
   * UI thread: the job's final message and error, then its final state (so a listener of the state
   * reads the message it ended with, not its last progress text), then queue bookkeeping.
   */
  private void finish(Job job, JobState state, String message, Throwable error) {
    if (state == JobState.DONE) {
      job.setProgress(1, 0, message);
    } else {
      job.setProgress(job.progressProperty().get(), Double.NaN, message);
    }
    job.setError(error);
    job.setState(state);
    if (current.get() == job) {
      current.set(null);
    }
    if (job.spec().isQuiet() && state != JobState.FAILED) {
      jobs.remove(job);
    }
    dropOldFinished();
    unfinished = Math.max(0, unfinished - 1);
    if (unfinished == 0 && !idleCallbacks.isEmpty()) {
      List<Runnable> run = new ArrayList<>(idleCallbacks);
      idleCallbacks.clear();
      run.forEach(Runnable::run);
    }
  }

  private void dropOldFinished() {
    long finished = jobs.stream().filter(j -> j.state().isFinal()).count();
    for (int i = 0; i < jobs.size() && finished > KEEP_FINISHED; ) {
      if (jobs.get(i).state().isFinal()) {
        jobs.remove(i);
        finished--;
      } else {
        i++;
      }
    }
  }

  /** Removes finished jobs from the queue. UI thread. */
  public void clearFinished() {
    jobs.removeIf(j -> j.state().isFinal());
  }

  /** Cancels every queued and running job (a running training run saves a checkpoint first). */
  public void cancelAll() {
    for (Job j : new ArrayList<>(jobs)) {
      if (!j.state().isFinal()) {
        j.cancel();
      }
    }
  }

  /** Runs {@code r} on the UI thread once no job is queued or running (at once if idle). UI thread. */
  public void whenIdle(Runnable r) {
    if (unfinished == 0) {
      r.run();
    } else {
      idleCallbacks.add(r);
    }
  }

  /**
   * For a JVM shutdown (SIGTERM, logout): asks every job to stop (a training run saves a
   * checkpoint) and waits for the service thread to finish, at most {@code timeout}. Ending the
   * JVM while PyTorch runs a step would crash it and lose the run. Any thread.
   */
  public boolean stopAndAwait(long timeout, java.util.concurrent.TimeUnit unit) throws InterruptedException {
    live.forEach(Job::cancel);
    if (ownedWorker == null) {
      return live.isEmpty();
    }
    ownedWorker.shutdown();
    return ownedWorker.awaitTermination(timeout, unit);
  }

  /** Stops the worker thread (interrupting a job that is still running). */
  @Override
  public void close() {
    if (ownedWorker != null) {
      ownedWorker.shutdownNow();
    }
  }

  private record StateKey(Job job) {}
}
