package org.calmworkbench.app.cli.commands;

import java.util.Locale;
import java.util.Map;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.ProgressLine;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.data.TokenizedCorpus;
import org.calmworkbench.backend.train.TrainingLoop;
import org.calmworkbench.backend.workflow.AeTraining;

/**
 * What every {@code ... train} command prints: stage messages, a progress line with the step's
 * loss, chosen terms and the latest held-out metrics, and the final summary and JSON result.
 */
final class TrainingOutput implements AeTraining.Listener {
  private final CliContext ctx;
  private final String label;
  private final String[] terms; // step terms shown on the progress line
  private final String[] evals; // held-out metrics shown once measured
  private ProgressLine line;
  private String lastEval = "";

  TrainingOutput(CliContext ctx, String label, String[] terms, String[] evals) {
    this.ctx = ctx;
    this.label = label;
    this.terms = terms;
    this.evals = evals;
  }

  @Override
  public void onStage(String stage, double fraction) {
    if (fraction == 0) {
      ctx.log(stage + "...");
    }
  }

  @Override
  public void onWarning(String warning) {
    ctx.log("warning: " + warning);
  }

  @Override
  public void onSplit(TokenizedCorpus.Split split) {
    ctx.log(split.describe());
    ctx.put("train_tokens", split.trainTokens());
    ctx.put("valid_tokens", split.validTokens());
    ctx.put("train_documents", split.trainDocuments());
    ctx.put("valid_documents", split.validDocuments());
    ctx.put("validation_fraction", split.realisedFraction());
    ctx.put("split_rule", split.rule().name().toLowerCase(java.util.Locale.ROOT));
  }

  @Override
  public void onProgress(TrainingLoop.Progress p) {
    if (line == null) {
      line = ctx.progress(label, p.totalSteps());
    }
    StringBuilder sb = new StringBuilder(String.format(Locale.ROOT, "loss %.4f", p.loss()));
    for (String t : terms) {
      sb.append(String.format(Locale.ROOT, " %s %.4f", short_(t), p.term(t)));
    }
    if (!p.eval().isEmpty()) {
      StringBuilder e = new StringBuilder();
      for (String k : evals) {
        Double v = p.evalMetric(k);
        if (v != null) {
          e.append(String.format(Locale.ROOT, " %s %.4f", short_(k), v));
        }
      }
      lastEval = e.toString();
      ctx.debug("step " + p.step() + " held-out " + p.eval());
    }
    sb.append(lastEval).append(String.format(Locale.ROOT, " %.0f tok/s", p.tokensPerSecond()));
    line.update(p.step(), p.fraction(), p.etaSeconds(), sb.toString());
  }

  private static String short_(String key) {
    return key.replace("valid_", "held-out ").replace("token_accuracy", "acc").replace("_", " ");
  }

  /** Ends the progress line, prints the summary and fills the JSON result. */
  void finish(TrainingLoop.Result r, Cancellation stop) {
    if (line != null) {
      line.finish(r.steps(), String.format(Locale.ROOT, "loss %.4f", r.finalLoss()));
    }
    String why = switch (r.stopReason()) {
      case "stopped" -> "stopped (" + stop.reason() + "); resume with --resume";
      case "time_limit" -> "time limit reached";
      default -> "done";
    };
    ctx.out().printf(Locale.ROOT, "%s: %d steps, %d tokens, %.0f tokens/s, final loss %.4f, %.1f s; checkpoint %s%n",
        why, r.steps(), r.tokensSeen(), r.tokensPerSecond(), r.finalLoss(), r.elapsedSeconds(), r.checkpoint());
    for (Map.Entry<String, Object> e : Map.<String, Object>of(
        "steps", r.steps(), "tokens_seen", r.tokensSeen(), "tokens_per_second", r.tokensPerSecond(),
        "final_loss", r.finalLoss(), "elapsed_seconds", r.elapsedSeconds(),
        "checkpoint", r.checkpoint().toAbsolutePath(), "stop_reason", r.stopReason()).entrySet()) {
      ctx.put(e.getKey(), e.getValue());
    }
  }
}
