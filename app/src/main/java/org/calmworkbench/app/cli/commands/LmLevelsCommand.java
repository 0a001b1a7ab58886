package org.calmworkbench.app.cli.commands;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.eval.PredictorLevels;
import org.calmworkbench.backend.workflow.LmLevels;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code calm lm levels}: where a CALM run's energy loss stands against what the context is worth. */
public final class LmLevelsCommand implements Command {
  @Option(names = "--checkpoint", paramLabel = "DIR", required = true, description = "CALM checkpoint folder (energy head)")
  Path checkpoint;
  @Option(names = "--ar", paramLabel = "DIR", description = "AR baseline trained with --tokenizer on the same autoencoder")
  Path ar;
  @Option(names = "--windows", paramLabel = "N", description = "held-out windows of context_chunks + 1 chunks")
  Integer windows = 32;
  @Option(names = "--samples", paramLabel = "S", description = "samples per predictor and of the target")
  Integer samples = 8;
  @Mixin
  EvaluationOptions evaluation;

  @Override
  public String name() {
    return "lm levels";
  }

  @Override
  public String summary() {
    return "a CALM run's held-out energy loss beside the marginal, oracle and AR-baseline levels, on the same chunks";
  }

  @Override
  public String description() {
    return summary() + """


        Scores every chunk of the first --windows held-out windows (the run's own validation split) with
        S = --samples samples per predictor and S posterior samples of the target: the marginal level (random
        other chunks: a model that ignores the context), the oracle level (the target's own posterior), the
        CALM run's head, and with --ar the AR baseline's own continuations of K tokens after the same
        context, encoded by the autoencoder. The AR level is the loss a CALM would score if it predicted
        chunks as well as that AR model predicts tokens: how much the context is worth at that model size.
        Differences to the marginal level are paired (same chunks, same target samples) and come with
        their standard error. JSON: {"levels": {"marginal": {"loss": x, "stderr": s, "gain": g,
        "gain_stderr": gs, "context_gain": c}, ...}, "positions": n, "samples": S}.""";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    PredictorLevels.Result r = LmLevels.run(new LmLevels.Options(checkpoint,
        ar, evaluation.corpusIfAny(),
        Ranges.check("windows", windows, 1, Integer.MAX_VALUE), Ranges.check("samples", samples, 2, 4096), evaluation.seed()));
    ctx.out().printf(Locale.ROOT, "energy loss on %d held-out chunks, %d samples each (lower is better)%n",
        r.positions(), r.samples());
    JsonObject levels = new JsonObject();
    for (int i = 0; i < r.levels().size(); i++) {
      PredictorLevels.Level l = r.levels().get(i);
      double gain = r.contextGain(l.name());
      ctx.out().printf(Locale.ROOT, "  %-12s %8.4f +- %.4f   marginal - level %8.4f +- %.4f   context gain %6.3f%n",
          l.name(), l.loss(), l.standardError(), r.gainVsMarginal()[i], r.gainStandardError()[i], gain);
      JsonObject o = new JsonObject();
      o.addProperty("loss", l.loss());
      o.addProperty("stderr", l.standardError());
      o.addProperty("gain", r.gainVsMarginal()[i]);
      if (Double.isFinite(r.gainStandardError()[i])) {
        o.addProperty("gain_stderr", r.gainStandardError()[i]);
      }
      if (Double.isFinite(gain)) {
        o.addProperty("context_gain", gain);
      }
      levels.add(l.name(), o);
    }
    ctx.put("levels", levels);
    ctx.put("positions", r.positions());
    ctx.put("samples", r.samples());
    return 0;
  }
}
