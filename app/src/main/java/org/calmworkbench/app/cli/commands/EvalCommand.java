package org.calmworkbench.app.cli.commands;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.eval.BrierResult;
import org.calmworkbench.backend.workflow.LmEvaluation;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code calm eval}: BrierLM of a CALM or AR checkpoint on held-out text. */
public final class EvalCommand implements Command {
  @Option(names = "--checkpoint", paramLabel = "DIR", required = true, description = "CALM or AR checkpoint folder")
  Path checkpoint;
  @Option(names = "--positions", paramLabel = "N", description = "positions to score")
  Integer positions = LmEvaluation.DEFAULT_POSITIONS;
  @Mixin
  EvaluationOptions evaluation;
  @Option(names = "--autoencoder", paramLabel = "DIR", description = "the CALM model's frozen autoencoder (default: found beside it)")
  Path autoencoder;
  @Option(names = "--split", paramLabel = "all|valid",
      description = "which part of the corpus: all (default, in order) or valid (the held-out part of the run's split)")
  String split = "all";

  @Override
  public String name() {
    return "eval";
  }

  @Override
  public String summary() {
    return "BrierLM (Brier-1..4 from two samples) of a CALM or AR baseline checkpoint on held-out text";
  }

  @Override
  public String description() {
    return summary() + """


        Brier-n = acc1 + acc2 - collision for the next n tokens, estimated from two independent samples
        per position; BrierLM = 100 x geometric mean of Brier-1..4. The corpus is read from its start
        (--split valid: only the held-out part of the split recorded in the checkpoint's split.json, the
        text training evaluated on) in windows of (context_chunks + 1) x K tokens (the context the checkpoint was trained with). CALM
        with K >= 4 scores within-chunk prefixes; with K < 4 it rolls out ceil(4/K) chunks. The AR
        baseline is scored at the same positions (every 4 tokens) and also reports the exact Brier-1,
        2 p(y) - sum p^2, from its probabilities: a check on the two-sample estimator.
        BrierLM is 0 when any Brier-n is <= 0 (an untrained model); its standard error is then null.
        JSON: {"brier": [b1, b2, b3, b4], "brier_lm": x, "stderr": s, "positions": n, ...}.""";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    LmEvaluation.Result r = LmEvaluation.run(new LmEvaluation.Options(checkpoint, evaluation.corpus(),
        Ranges.check("positions", positions, 1, Integer.MAX_VALUE), evaluation.seed(),
        autoencoder, split));
    BrierResult b = r.brier();
    ctx.out().printf(Locale.ROOT, "%s checkpoint, %d positions (split %s), context %d chunks%n", r.modelType(),
        b.patches(), r.split(), r.contextChunks());
    for (int n = 1; n <= 4; n++) {
      ctx.out().printf(Locale.ROOT, "  Brier-%d  %8.5f  +- %.5f%n", n, b.brier(n), b.standardError(n));
    }
    ctx.out().printf(Locale.ROOT, "  BrierLM  %8.3f  +- %.3f  (100 x geometric mean)%n", b.brierLm(), b.brierLmStandardError());
    if (r.exactBrier1() != null) {
      ctx.out().printf(Locale.ROOT, "  exact Brier-1 from the model's probabilities: %.5f%n", r.exactBrier1());
    }
    JsonObject j = r.toJson();
    j.entrySet().forEach(e -> ctx.put(e.getKey(), e.getValue()));
    return 0;
  }
}
