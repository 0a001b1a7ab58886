package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.backend.experiment.CellResult;
import org.calmworkbench.backend.experiment.Experiment;
import org.calmworkbench.backend.experiment.ExperimentRunner;
import org.calmworkbench.backend.experiment.WorkerEvents;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code calm experiment worker FILE --out DIR --cells A,B}: the worker process of {@code experiment
 * run --jobs N}. Prints {@link WorkerEvents} lines on stdout; the parent holds the folder's lock and
 * writes results.jsonl.
 */
public final class ExperimentWorkerCommand implements Command {
  @Parameters(paramLabel = "FILE.json", description = "the experiment file")
  Path file;
  @Option(names = "--out", paramLabel = "DIR", required = true,
      description = "the experiment folder, prepared by 'experiment run'")
  Path out;
  @Option(names = "--cells", paramLabel = "ID,ID", required = true, description = "the cells to run, in order")
  String cells;

  @Override
  public String name() {
    return "experiment worker";
  }

  @Override
  public String summary() {
    return "(started by 'experiment run --jobs N') run some cells of a prepared experiment folder";
  }

  @Override
  public String description() {
    return summary() + """


        Runs the named cells in order, as 'experiment run' would, writing each finished row to
        DIR/cells/ID/result.json and one JSON event per line on stdout (progress, warning, finished). It ends
        when its cells are done, on Ctrl-C or SIGTERM (after saving the current training), or when the process
        that started it is gone. Not meant to be run by hand.""";
  }

  @Override
  public int run(CliContext ctx) throws Exception {
    Experiment experiment = Experiment.read(file);
    List<String> ids = Arrays.stream(cells.split(",")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    List<CellResult> rows = ExperimentRunner.runWorker(experiment, out, ids, WorkerEvents.printer(ctx.out()),
        ctx.cancellation()::isCancelled);
    ctx.put("finished", rows.size());
    return 0;
  }
}
