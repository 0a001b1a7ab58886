package org.calmworkbench.app.cli.commands;

import com.google.gson.JsonArray;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.ExperimentWorkers;
import org.calmworkbench.app.cli.ProgressLine;
import org.calmworkbench.app.cli.UsageException;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.experiment.CellResult;
import org.calmworkbench.backend.experiment.Experiment;
import org.calmworkbench.backend.experiment.ExperimentRunner;
import org.calmworkbench.backend.experiment.SummaryRow;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** {@code calm experiment run FILE.json --out DIR}: a grid of CALM runs (and the AR baseline), resumable. */
public final class ExperimentRunCommand implements Command {
  @Parameters(paramLabel = "FILE.json", description = "the experiment file")
  Path file;
  @Option(names = "--out", paramLabel = "DIR", required = true, description = "experiment folder (results, checkpoints)")
  Path out;
  @Option(names = "--retry-failed", description = "run cells recorded as failed again")
  boolean retryFailed;
  @Option(names = "--jobs", paramLabel = "N|auto",
      description = "cell groups run at once in worker processes (default: the file's jobs, else 1)")
  String jobs;

  @Override
  public String name() {
    return "experiment run";
  }

  @Override
  public String summary() {
    return "run a grid of CALM models (K, head, input, latent size, seeds) from an experiment file; resumable";
  }

  @Override
  public String description() {
    return summary() + """


        The file names a corpus, presets, the grid and a budget per cell (docs/EXPERIMENTS.md; samples in
        sample-projects/experiments/). Each cell trains a language model on an autoencoder shared by the cells
        with the same K, latent size and seed, then measures BrierLM on the held-out split, training and
        inference FLOPs and generation tokens/s. Rows go to DIR/results.jsonl, DIR/results.csv and
        DIR/summary.csv (mean and std over seeds) as cells finish. Ctrl-C stops after saving the current
        training; the same command again skips finished cells and continues.

        --jobs N runs N cell groups at once (cells sharing an autoencoder form a group; the AR baseline is
        one), each in its own worker process with cores / N engine threads; a cell gives the same numbers
        either way. The default is the file's "jobs" (1 when absent); 'auto' is one per core.""";
  }



  @Override
  public int run(CliContext ctx) throws Exception {
    Experiment experiment = Experiment.read(file);
    Cancellation stop = ctx.cancellation();
    int cellCount = experiment.cells().size();
    ctx.log("experiment " + experiment.name() + ": " + cellCount + " cells into " + out);
    // One progress line per cell, ended when the cell's row is logged (so the log never lands mid-line).
    ProgressLine[] line = {ctx.progress("experiment", 0)};
    ExperimentRunner.Listener listener = new ExperimentRunner.Listener() {
      @Override
      public void onProgress(ExperimentRunner.Progress p) {
        String eta = Double.isFinite(p.etaSeconds()) ? ", eta " + ProgressLine.duration(p.etaSeconds()) : "";
        line[0].update(p.finishedCells(), "cells done; " + p.where() + eta);
      }

      @Override
      public void onCellFinished(CellResult r, int finished, int total) {
        line[0].finish(finished, "cells done");
        ctx.log(r.ok()
            ? String.format(Locale.ROOT, "cell %s: BrierLM %.2f, %.3g train FLOPs, %.1f tokens/s, %.0f s", r.cellId(),
                r.brierLm(), r.trainFlops(), r.tokensPerSecond(), r.wallSeconds())
            : "cell " + r.cellId() + " failed: " + r.error());
        line[0] = ctx.progress("experiment", 0);
      }

      @Override
      public void onWarning(String warning) {
        ctx.log("warning: " + warning);
      }
    };
    int jobCount = jobs(jobs, experiment);
    if (jobCount > 1) {
      ctx.log("running up to " + jobCount + " cell groups at once in worker processes (logs in " + out.resolve("logs")
          + ")");
    }
    ExperimentRunner.Result r = ExperimentRunner.run(new ExperimentRunner.Options(experiment, out,
        retryFailed, jobCount, ExperimentWorkers.INSTANCE), listener, stop::isCancelled);
    line[0].finish(r.rows().size(), "of " + r.cellCount() + " cells done");

    printTables(ctx, r);
    if (r.stopped()) {
      ctx.out().println("stopped (" + stop.reason() + ") after " + r.rows().size() + " of " + r.cellCount()
          + " cells; run the same command again to continue");
    } else {
      ctx.out().println(r.rows().size() + " of " + r.cellCount() + " cells done (" + r.ran() + " now, " + r.skipped()
          + " before); results in " + out.resolve(ExperimentRunner.RESULTS_CSV) + " and "
          + out.resolve(ExperimentRunner.SUMMARY_CSV));
    }
    JsonArray rows = new JsonArray();
    r.rows().forEach(row -> rows.add(row.toJson()));
    JsonArray summary = new JsonArray();
    for (SummaryRow s : r.summary()) {
      summary.add(s.toJson());
    }
    ctx.put("rows", rows);
    ctx.put("summary", summary);
    ctx.put("out", out.toAbsolutePath());
    ctx.put("cells", r.cellCount());
    ctx.put("ran", r.ran());
    ctx.put("skipped", r.skipped());
    ctx.put("stopped", r.stopped());
    return 0;
  }

  /** --jobs N or auto (one per core), else the file's jobs. */
  static int jobs(String value, Experiment experiment) {
    if (value == null) {
      return experiment.jobs();
    }
    if (value.equals("auto")) {
      return Runtime.getRuntime().availableProcessors();
    }
    try {
      int n = Integer.parseInt(value);
      if (n >= 1 && n <= 64) {
        return n;
      }
    } catch (NumberFormatException e) {
      // the message below
    }
    throw new UsageException("--jobs must be a number from 1 to 64 or auto, got " + value);
  }

  private static void printTables(CliContext ctx, ExperimentRunner.Result r) {
    if (r.rows().isEmpty()) {
      return;
    }
    List<String> header = List.of("cell", "K", "head", "input", "L", "seed", "BrierLM", "train FLOPs",
        "infer FLOPs/tok", "steps/100 tok", "tok/s", "wall s", "status");
    List<List<String>> body = new ArrayList<>();
    for (CellResult c : r.rows()) {
      body.add(List.of(c.cellId(), Integer.toString(c.cell().patchSize()), c.cell().head(), c.cell().input().key(),
          c.cell().ar() ? "-" : Integer.toString(c.cell().latentSize()), Long.toString(c.cell().seed()),
          fixed(c.brierLm(), 2), sci(c.trainFlops()), sci(c.inferFlopsPerToken()), fixed(c.cell().stepsPer100Tokens(), 1),
          fixed(c.tokensPerSecond(), 1), fixed(c.wallSeconds(), 0), c.ok() ? "ok" : "failed: " + c.error()));
    }
    table(ctx, header, body);
    if (r.summary().isEmpty()) {
      return;
    }
    ctx.out().println();
    List<String> sHeader = List.of("model", "K", "head", "input", "L", "seeds", "BrierLM (mean ± std)",
        "train FLOPs", "infer FLOPs/tok", "steps/100 tok", "tok/s (mean ± std)", "failed");
    List<List<String>> sBody = new ArrayList<>();
    for (SummaryRow s : r.summary()) {
      sBody.add(List.of(s.model(), Integer.toString(s.patchSize()), s.head(), s.input(),
          s.latentSize() == null ? "-" : s.latentSize().toString(), Integer.toString(s.seeds()),
          plusMinus(s.brierLmMean(), s.brierLmStd(), 2), sci(s.trainFlopsMean()), sci(s.inferFlopsPerToken()),
          fixed(s.stepsPer100Tokens(), 1), plusMinus(s.tokensPerSecondMean(), s.tokensPerSecondStd(), 1),
          Integer.toString(s.failed())));
    }
    table(ctx, sHeader, sBody);
  }

  private static void table(CliContext ctx, List<String> header, List<List<String>> body) {
    int[] width = new int[header.size()];
    for (int i = 0; i < width.length; i++) {
      width[i] = header.get(i).length();
      for (List<String> row : body) {
        width[i] = Math.max(width[i], Math.min(row.get(i).length(), 60));
      }
    }
    List<List<String>> all = new ArrayList<>();
    all.add(header);
    all.addAll(body);
    for (List<String> row : all) {
      StringBuilder b = new StringBuilder();
      for (int i = 0; i < row.size(); i++) {
        String v = row.get(i);
        b.append(i == 0 ? "" : "  ").append(v).append(" ".repeat(Math.max(0, width[i] - v.length())));
      }
      ctx.out().println(b.toString().stripTrailing());
    }
  }

  private static String fixed(double v, int digits) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%." + digits + "f", v) : "-";
  }

  private static String sci(double v) {
    return Double.isFinite(v) ? String.format(Locale.ROOT, "%.3g", v) : "-";
  }

  private static String plusMinus(double mean, double std, int digits) {
    if (!Double.isFinite(mean)) {
      return "-";
    }
    return fixed(mean, digits) + (Double.isFinite(std) ? " ± " + fixed(std, digits) : "");
  }

}
