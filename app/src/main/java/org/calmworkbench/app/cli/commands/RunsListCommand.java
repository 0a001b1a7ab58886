package org.calmworkbench.app.cli.commands;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.project.RunStore;
import picocli.CommandLine.Option;

/** {@code calm runs list}: the runs the Runs page shows, workbench and Hugging Face Trainer alike. */
public final class RunsListCommand implements Command {
  @Option(names = "--project", paramLabel = "DIR", description = "a project folder: lists PROJECT/runs/")
  Path project;
  @Option(names = "--run", arity = "1..*", paramLabel = "DIR", description = "run folders to list (workbench runs or Trainer output folders)")
  List<Path> run;
  @Option(names = "--curves", description = "also print each run's loss and evaluation rows")
  boolean curves;

  @Override
  public String name() {
    return "runs list";
  }

  @Override
  public String summary() {
    return "list a project's runs (and Hugging Face Trainer output folders) with steps, final loss and BrierLM";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    List<Path> dirs = new ArrayList<>();
    if (project != null) {
      if (!Files.isDirectory(project)) { // else a typo would list no runs and succeed
        throw new CalmException(Files.exists(project) ? "--project " + project + " is a file, not a project folder"
            : "project folder not found: " + project);
      }
      dirs.addAll(RunStore.runDirs(project));
    }
    if (run != null) {
      dirs.addAll(run);
    }
    if (project == null && run == null) {
      throw new CalmException("give --project DIR or --run DIR (or both)");
    }
    JsonArray runs = new JsonArray();
    ctx.out().printf(Locale.ROOT, "%-5s %-11s %-32s %9s %11s %8s %5s%n", "type", "trained by", "name", "steps", "final loss",
        "BrierLM", "ckpts");
    for (Path dir : dirs) {
      RunStore.Run r = RunStore.read(dir);
      if (r == null) {
        ctx.log("skipped " + dir + ": not a run of a model this workbench knows");
        continue;
      }
      ctx.out().printf(Locale.ROOT, "%-5s %-11s %-32s %9d %11.4f %8.2f %5d%n", r.type(), r.source(), r.name(), r.steps(),
          r.finalLoss(), r.brierLm(), r.checkpoints().size());
      JsonObject o = new JsonObject();
      o.addProperty("name", r.name());
      o.addProperty("dir", r.dir().toString());
      o.addProperty("type", r.type());
      o.addProperty("source", r.source());
      o.addProperty("steps", r.steps());
      o.addProperty("final_loss", finite(r.finalLoss()));
      o.addProperty("brier_lm", finite(r.brierLm()));
      JsonArray checkpoints = new JsonArray();
      r.checkpoints().forEach(c -> checkpoints.add(c.toString()));
      o.add("checkpoints", checkpoints);
      o.addProperty("metrics", String.join(",", r.metrics()));
      if (curves) {
        JsonArray rows = new JsonArray();
        r.rows().forEach(row -> {
          JsonObject line = new JsonObject();
          line.addProperty("step", row.step());
          row.values().forEach((k, v) -> line.addProperty(k, finite(v)));
          rows.add(line);
          ctx.out().println("  " + line);
        });
        o.add("rows", rows);
      }
      runs.add(o);
    }
    ctx.put("runs", runs);
    return 0;
  }

  private static Double finite(double v) {
    return Double.isFinite(v) ? v : null;
  }
}
