package org.calmworkbench.backend.experiment;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * A worker process for {@link ParallelCellsTest}, as {@code calm experiment worker} is in the app:
 * arguments {@code FILE OUT ID...}. SIGTERM stops it through a shutdown hook that waits for the
 * worker to return (the app's ShutdownGuard does the same). {@code --exit N} prints a line to stderr
 * and exits with code N at once.
 */
public final class TestWorkerMain {
  private TestWorkerMain() {}

  public static void main(String[] args) throws Exception {
    if (args[0].equals("--exit")) {
      System.err.println("told to fail");
      System.exit(Integer.parseInt(args[1]));
    }
    Experiment x = Experiment.read(Path.of(args[0]));
    List<String> ids = Arrays.asList(args).subList(2, args.length);
    AtomicBoolean stop = new AtomicBoolean();
    Thread main = Thread.currentThread();
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      stop.set(true);
      try {
        main.join(60_000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }));
    ExperimentRunner.runWorker(x, Path.of(args[1]), ids, WorkerEvents.printer(System.out), stop::get);
    System.out.flush();
  }
}
