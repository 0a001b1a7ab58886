package org.calmworkbench.backend.experiment;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.ToDoubleFunction;

/**
 * Mean and standard deviation over seeds of the finished cells of one configuration (model, K,
 * head, input, latent size): a row of {@code summary.csv}. The standard deviation is the sample
 * one (n - 1); NaN for a single seed. Failed cells are counted but not averaged.
 */
public record SummaryRow(
    String model,
    int patchSize,
    String head,
    String input,
    Integer latentSize, // null for the AR baseline
    int seeds, // finished cells that are ok
    int failed,
    double brierLmMean,
    double brierLmStd,
    double trainFlopsMean,
    double inferFlopsPerToken,
    double stepsPer100Tokens,
    double tokensPerSecondMean,
    double tokensPerSecondStd,
    double wallSecondsMean) {

  public static final List<String> COLUMNS = List.of("model", "patch_size", "head", "input", "latent_size", "seeds",
      "failed", "brier_lm_mean", "brier_lm_std", "train_flops_mean", "infer_flops_per_token", "steps_per_100_tokens",
      "tokens_per_second_mean", "tokens_per_second_std", "wall_seconds_mean");

  /** One row per configuration, in the order the configurations first appear in {@code rows}. */
  public static List<SummaryRow> of(List<CellResult> rows) {
    Map<String, List<CellResult>> groups = new LinkedHashMap<>();
    for (CellResult r : rows) {
      ExperimentCell c = r.cell();
      String key = c.model() + "|" + c.patchSize() + "|" + c.head() + "|" + c.input() + "|" + c.latentSize();
      groups.computeIfAbsent(key, k -> new ArrayList<>()).add(r);
    }
    List<SummaryRow> out = new ArrayList<>();
    for (List<CellResult> g : groups.values()) {
      List<CellResult> ok = g.stream().filter(CellResult::ok).toList();
      ExperimentCell c = g.get(0).cell();
      out.add(new SummaryRow(c.model(), c.patchSize(), c.head(), c.input().key(), c.ar() ? null : c.latentSize(),
          ok.size(), g.size() - ok.size(),
          mean(ok, CellResult::brierLm), std(ok, CellResult::brierLm),
          mean(ok, CellResult::trainFlops), mean(ok, CellResult::inferFlopsPerToken), c.stepsPer100Tokens(),
          mean(ok, CellResult::tokensPerSecond), std(ok, CellResult::tokensPerSecond),
          mean(ok, CellResult::wallSeconds)));
    }
    return out;
  }

  public Map<String, Object> values() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("model", model);
    m.put("patch_size", patchSize);
    m.put("head", head);
    m.put("input", input);
    m.put("latent_size", latentSize);
    m.put("seeds", seeds);
    m.put("failed", failed);
    m.put("brier_lm_mean", brierLmMean);
    m.put("brier_lm_std", brierLmStd);
    m.put("train_flops_mean", trainFlopsMean);
    m.put("infer_flops_per_token", inferFlopsPerToken);
    m.put("steps_per_100_tokens", stepsPer100Tokens);
    m.put("tokens_per_second_mean", tokensPerSecondMean);
    m.put("tokens_per_second_std", tokensPerSecondStd);
    m.put("wall_seconds_mean", wallSecondsMean);
    return m;
  }

  /** The row as one JSON object (the "summary" entries of {@code calm experiment run --json}). */
  public com.google.gson.JsonObject toJson() {
    return CellResult.json(values());
  }

  static double mean(List<CellResult> rows, ToDoubleFunction<CellResult> f) {
    if (rows.isEmpty()) {
      return Double.NaN;
    }
    double s = 0;
    for (CellResult r : rows) {
      s += f.applyAsDouble(r);
    }
    return s / rows.size();
  }

  static double std(List<CellResult> rows, ToDoubleFunction<CellResult> f) {
    if (rows.size() < 2) {
      return Double.NaN;
    }
    double m = mean(rows, f);
    double ss = 0;
    for (CellResult r : rows) {
      double d = f.applyAsDouble(r) - m;
      ss += d * d;
    }
    return Math.sqrt(ss / (rows.size() - 1));
  }
}
