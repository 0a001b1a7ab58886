package org.calmworkbench.backend.experiment;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.Deque;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.StorageException;
import org.calmworkbench.backend.train.TrainControl;

/**
 * Runs an experiment's pending cells in worker processes, up to {@code jobs} at once (see {@link
 * ExperimentRunner}). Cells that share an autoencoder form one group and run in one worker, in grid
 * order, so that no two processes train the same autoencoder; the AR baseline is a group of its
 * own. The costliest groups start first (smaller K means more positions per step).
 *
 * <p>Everything the caller sees happens on the caller's thread: reader threads only queue the
 * workers' lines, and this loop turns them into listener calls and result rows. A stop request
 * sends each worker SIGTERM (it saves its training checkpoint and exits; the cell stays pending) and
 * starts no new group. A worker that dies without a row for one of its cells gets a failed row
 * naming its exit code and the last line of its log ({@code DIR/logs/worker-GROUP.log}), except
 * a worker that exits with {@link StorageException}'s code (its file system refused a write): that
 * stops the grid with a {@link StorageException}, and its cells stay pending.
 */
final class ParallelCells {
  /** The parent's handler of a finished row (records it in results.jsonl and tells the listener). */
  interface Recorder {
    void record(CellResult row) throws IOException;
  }

  record Outcome(boolean stopped) {}

  /** Where worker logs go, inside the experiment folder. */
  static final String LOGS = "logs";

  private final Experiment x;
  private final Path out;
  private final int jobs;
  private final ExperimentRunner.WorkerLauncher launcher;
  private final ExperimentRunner.Listener listener;
  private final TrainControl control;
  private final List<ExperimentCell> allCells;
  private final Recorder recorder;
  private final BlockingQueue<Line> lines = new LinkedBlockingQueue<>();
  /** Progress of the cells running now, by id, in the order they started. */
  private final Map<String, WorkerEvents.Event> running = new LinkedHashMap<>();
  /** Cells recorded by this run. */
  private final Set<String> recorded = new HashSet<>();
  private final long start = System.nanoTime();
  private int finished; // rows recorded (earlier runs included)
  private int doneHere;
  private int todo;

  ParallelCells(Experiment x, Path out, int jobs, ExperimentRunner.WorkerLauncher launcher,
      ExperimentRunner.Listener listener, TrainControl control, List<ExperimentCell> allCells, int finishedBefore,
      Recorder recorder) {
    this.x = x;
    this.out = out;
    this.jobs = jobs;
    this.launcher = launcher;
    this.listener = listener;
    this.control = control;
    this.allCells = allCells;
    this.finished = finishedBefore;
    this.recorder = recorder;
  }

  /** A line from a worker's stdout, or its end ({@code text == null}). */
  private record Line(Worker worker, String text) {}

  private final class Worker {
    final String group;
    final List<ExperimentCell> cells;
    final Process process;
    final Path log;

    Worker(String group, List<ExperimentCell> cells, int threads) throws IOException {
      this.group = group;
      this.cells = cells;
      this.log = out.resolve(LOGS).resolve("worker-" + group + ".log");
      Files.createDirectories(log.getParent());
      ProcessBuilder pb = launcher.worker(x.file(), out, cells.stream().map(ExperimentCell::id).toList(), threads);
      pb.redirectError(ProcessBuilder.Redirect.appendTo(log.toFile()));
      this.process = pb.start();
      Thread reader = new Thread(this::pump, "experiment-worker-" + group);
      reader.setDaemon(true);
      reader.start();
    }

    private void pump() {
      try (BufferedReader r = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
        String s;
        while ((s = r.readLine()) != null) {
          lines.add(new Line(this, s));
        }
      } catch (IOException e) {
        // the pipe closed: the worker is gone; its exit is handled below
      }
      lines.add(new Line(this, null));
    }
  }

  /** Groups of pending cells, costliest first. */
  static List<List<ExperimentCell>> groups(List<ExperimentCell> pending) {
    Map<String, List<ExperimentCell>> byAe = new LinkedHashMap<>();
    for (ExperimentCell c : pending) {
      String key = c.ar() ? c.id() : c.autoencoderId();
      byAe.computeIfAbsent(key, k -> new ArrayList<>()).add(c);
    }
    List<List<ExperimentCell>> groups = new ArrayList<>(byAe.values());
    groups.sort(Comparator.comparingDouble(ParallelCells::cost).reversed()); // stable: grid order among equals
    return groups;
  }

  /**
   * A rough relative cost of a group, only for ordering: an LM step's positions grow as the context
   * over K (the AR baseline is cheap: no head samples, no autoencoder).
   */
  static double cost(List<ExperimentCell> group) {
    double c = 0;
    for (ExperimentCell cell : group) {
      c += cell.ar() ? 0.5 : 1 + 4.0 / cell.patchSize();
    }
    return c;
  }

  private static String groupName(List<ExperimentCell> group) {
    ExperimentCell first = group.get(0);
    return first.ar() ? first.id() : first.autoencoderId();
  }

  Outcome run(List<ExperimentCell> pending) throws IOException, InterruptedException {
    todo = pending.size();
    Deque<List<ExperimentCell>> queue = new ArrayDeque<>(groups(pending));
    int threads = Math.max(1, Runtime.getRuntime().availableProcessors() / jobs);
    List<Worker> workers = new ArrayList<>();
    boolean stopping = false;
    Files.deleteIfExists(out.resolve(ExperimentRunner.PAUSED)); // left by a parent that died while paused
    try {
      while (!queue.isEmpty() || !workers.isEmpty()) {
        if (!stopping && control.stopRequested()) {
          stopping = true;
          queue.clear();
          workers.forEach(w -> w.process.destroy()); // SIGTERM: the worker saves its checkpoint and exits
        }
        while (!stopping && workers.size() < jobs && !queue.isEmpty()) {
          List<ExperimentCell> g = queue.poll();
          workers.add(new Worker(groupName(g), g, threads));
        }
        holdWhilePaused(workers);
        Line line = lines.poll(200, TimeUnit.MILLISECONDS);
        if (line == null) {
          continue;
        }
        if (line.text() == null) {
          ended(line.worker(), stopping);
          workers.remove(line.worker());
        } else {
          handle(line.text());
        }
      }
    } finally {
      for (Worker w : workers) { // an exception above: leave no worker behind
        w.process.destroy();
      }
      Files.deleteIfExists(out.resolve(ExperimentRunner.PAUSED));
    }
    return new Outcome(stopping);
  }

  /**
   * Lets the caller's interleaved work run (that is what {@link TrainControl#awaitIfPaused} does
   * between steps), and while the caller is paused holds the workers too, through the {@link
   * ExperimentRunner#PAUSED} file they look for between steps.
   */
  private void holdWhilePaused(List<Worker> workers) throws IOException, InterruptedException {
    if (!control.paused() || workers.isEmpty()) {
      control.awaitIfPaused();
      return;
    }
    Path marker = out.resolve(ExperimentRunner.PAUSED);
    Files.writeString(marker, "paused by the experiment's job\n");
    try {
      while (control.paused() && !control.stopRequested()) {
        control.awaitIfPaused();
      }
    } finally {
      Files.deleteIfExists(marker);
    }
  }

  private void handle(String text) throws IOException {
    WorkerEvents.Event e = WorkerEvents.parse(text);
    if (e == null || (e.cell() == null || e.cell().isEmpty()) && !"warning".equals(e.kind())) {
      return; // a worker's events before its first cell (tokenizing) are not a cell's progress
    }
    switch (e.kind()) {
      case "progress" -> {
        running.put(e.cell(), e);
        report();
      }
      case "finished" -> {
        running.remove(e.cell());
        CellResult row = ExperimentRunner.readCellResult(out, e.cell());
        if (row == null) {
          throw new CalmException("a worker reported cell " + e.cell() + " finished but wrote no "
              + out.resolve(ExperimentRunner.CELLS).resolve(e.cell()).resolve(ExperimentRunner.CELL_RESULT));
        }
        record(row);
      }
      case "warning" -> listener.onWarning(e.text());
      default -> {
        // an event of a newer worker: ignored
      }
    }
  }

  private void record(CellResult row) throws IOException {
    if (!recorded.add(row.cellId())) {
      return;
    }
    finished++;
    doneHere++;
    recorder.record(row);
  }

  /** A worker's output ended: wait for it, and give each of its cells without a row a failed one. */
  private void ended(Worker w, boolean stopping) throws IOException, InterruptedException {
    int code = w.process.waitFor();
    for (ExperimentCell c : w.cells) {
      running.remove(c.id());
    }
    if (stopping) {
      return; // the cells a stop interrupted stay pending
    }
    String last = lastLine(w.log);
    if (code == StorageException.EXIT_CODE && !last.startsWith("internal error")) {
      // The worker's file system refused a write (a full disk): not the cells' result. The grid stops;
      // its cells run on resume (as in one process). An internal error (also exit 1) fails the cells below.
      throw new StorageException("a worker stopped the grid: " + last + " (log: " + out.relativize(w.log)
          + "); fix that and run the same command again", null);
    }
    for (ExperimentCell c : w.cells) {
      if (recorded.contains(c.id())) {
        continue;
      }
      CellResult row = ExperimentRunner.readCellResult(out, c.id());
      record(row != null ? row : CellResult.failed(c, "the worker process exited with code " + code + ": "
          + last + " (log: " + out.relativize(w.log) + ")", 0));
    }
    report();
  }

  private static String lastLine(Path log) {
    try {
      List<String> all = Files.readAllLines(log, StandardCharsets.UTF_8);
      for (int i = all.size() - 1; i >= 0; i--) {
        String s = all.get(i).replace('\r', '\n').strip();
        if (!s.isEmpty()) {
          int nl = s.lastIndexOf('\n');
          return nl >= 0 ? s.substring(nl + 1) : s;
        }
      }
      return "no output";
    } catch (IOException e) {
      return "its log is unreadable (" + e.getMessage() + ")";
    }
  }

  /** One progress event for all running cells: the first one's fields, their fractions summed. */
  private void report() {
    double elapsed = ExperimentRunner.seconds(start);
    List<ExperimentRunner.Running> now = new ArrayList<>();
    double cellSum = 0;
    for (WorkerEvents.Event e : running.values()) {
      double sf = Double.isFinite(e.stageFraction()) ? e.stageFraction() : 0;
      double cf = Double.isFinite(e.cellFraction()) ? e.cellFraction() : 0;
      now.add(new ExperimentRunner.Running(e.cell(), e.stage(), sf, cf));
      cellSum += cf;
    }
    double done = doneHere + cellSum;
    double eta = done > 0.02 ? elapsed / done * Math.max(0, todo - done) : Double.NaN;
    if (now.isEmpty()) {
      return; // between groups: the next worker reports as soon as its cell starts
    }
    ExperimentRunner.Running first = now.get(0);
    int index = 0;
    for (int i = 0; i < allCells.size(); i++) {
      if (allCells.get(i).id().equals(first.cellId())) {
        index = i + 1;
      }
    }
    listener.onProgress(new ExperimentRunner.Progress(index, allCells.size(), first.cellId(), first.stage(),
        first.stageFraction(), cellSum, finished, elapsed, eta, now));
  }
}
