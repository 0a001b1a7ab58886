package org.calmworkbench.backend.experiment;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.model.InputMode;

/**
 * One finished cell: a row of {@code results.jsonl} and {@code results.csv}. Numbers that were not
 * measured (a failed cell) are NaN, written as JSON null and an empty CSV field.
 *
 * @param status {@link #OK} or {@link #FAILED}
 * @param error why the cell failed; null when ok
 * @param brier Brier-1..4 on the held-out split, [4]
 * @param positions held-out positions scored
 * @param aeTrainFlops FLOPs of training the cell's autoencoder (0 for the AR baseline); shared by
 *     the cells on that autoencoder but counted in each, as each model needs it
 * @param lmTrainFlops FLOPs of training the language model
 * @param inferFlopsPerToken generation FLOPs per token (CALM: backbone and one head sample per K
 *     tokens plus the decoder; AR: backbone and softmax head per token)
 * @param tokensPerSecond generated tokens per second of wall time (a short sampling run)
 * @param lmSteps optimizer steps of the language model
 * @param lmTokensSeen tokens the language model trained on
 * @param wallSeconds this cell's wall time: LM training, evaluation and generation
 * @param aeWallSeconds training time of the cell's autoencoder (shared with the cells on it)
 * @param checkpoint the LM checkpoint, relative to the experiment folder
 */
public record CellResult(
    String cellId,
    String status,
    String error,
    ExperimentCell cell,
    double brierLm,
    double brierLmStderr,
    double[] brier,
    long positions,
    double aeTrainFlops,
    double lmTrainFlops,
    double inferFlopsPerToken,
    double tokensPerSecond,
    long lmSteps,
    long lmTokensSeen,
    double wallSeconds,
    double aeWallSeconds,
    String checkpoint) {

  public static final String OK = "ok";
  public static final String FAILED = "failed";

  /** Column order of results.csv (and of the JSON row). */
  public static final List<String> COLUMNS = List.of("cell_id", "status", "model", "patch_size", "head", "input",
      "latent_size", "seed", "brier_lm", "brier_lm_stderr", "brier_1", "brier_2", "brier_3", "brier_4", "positions",
      "train_flops", "ae_train_flops", "lm_train_flops", "infer_flops_per_token", "steps_per_100_tokens",
      "tokens_per_second", "lm_steps", "lm_tokens_seen", "wall_seconds", "ae_wall_seconds", "checkpoint", "error");

  public CellResult {
    brier = brier.clone();
  }

  @Override
  public double[] brier() {
    return brier.clone();
  }

  public static CellResult failed(ExperimentCell cell, String error, double wallSeconds) {
    double[] nan = {Double.NaN, Double.NaN, Double.NaN, Double.NaN};
    return new CellResult(cell.id(), FAILED, error, cell, Double.NaN, Double.NaN, nan, 0, Double.NaN, Double.NaN,
        Double.NaN, Double.NaN, 0, 0, wallSeconds, Double.NaN, null);
  }

  public boolean ok() {
    return OK.equals(status);
  }

  /** AE + LM training FLOPs (see docs/EXPERIMENTS.md for the formula). */
  public double trainFlops() {
    return aeTrainFlops + lmTrainFlops;
  }

  /** The row as ordered key/value pairs: NaN for numbers not measured, null for absent text. */
  public Map<String, Object> values() {
    Map<String, Object> m = new LinkedHashMap<>();
    m.put("cell_id", cellId);
    m.put("status", status);
    m.put("model", cell.model());
    m.put("patch_size", cell.patchSize());
    m.put("head", cell.head());
    m.put("input", cell.input().key());
    m.put("latent_size", cell.ar() ? null : cell.latentSize());
    m.put("seed", cell.seed());
    m.put("brier_lm", brierLm);
    m.put("brier_lm_stderr", brierLmStderr);
    for (int n = 1; n <= 4; n++) {
      m.put("brier_" + n, brier[n - 1]);
    }
    m.put("positions", positions);
    m.put("train_flops", trainFlops());
    m.put("ae_train_flops", aeTrainFlops);
    m.put("lm_train_flops", lmTrainFlops);
    m.put("infer_flops_per_token", inferFlopsPerToken);
    m.put("steps_per_100_tokens", cell.stepsPer100Tokens());
    m.put("tokens_per_second", tokensPerSecond);
    m.put("lm_steps", lmSteps);
    m.put("lm_tokens_seen", lmTokensSeen);
    m.put("wall_seconds", wallSeconds);
    m.put("ae_wall_seconds", aeWallSeconds);
    m.put("checkpoint", checkpoint);
    m.put("error", error);
    return m;
  }

  /** One results.jsonl line's object; NaN becomes null (JSON has no NaN). */
  public JsonObject toJson() {
    return json(values());
  }

  /** Ordered values as a JSON object: NaN and null become JSON null, numbers stay numbers. */
  static JsonObject json(Map<String, Object> values) {
    JsonObject o = new JsonObject();
    values.forEach((k, v) -> {
      if (v == null || v instanceof Double d && !Double.isFinite(d)) {
        o.add(k, com.google.gson.JsonNull.INSTANCE);
      } else if (v instanceof Number n) {
        o.addProperty(k, n);
      } else {
        o.addProperty(k, v.toString());
      }
    });
    return o;
  }

  /** Reads a row written by {@link #toJson()}. */
  public static CellResult fromJson(JsonObject o) {
    boolean ar = "ar".equals(str(o, "model"));
    ExperimentCell cell = new ExperimentCell(o.get("patch_size").getAsInt(), str(o, "head"),
        InputMode.parse(str(o, "input")), ar ? 0 : o.get("latent_size").getAsInt(), o.get("seed").getAsLong(), ar);
    double[] brier = new double[4];
    for (int n = 1; n <= 4; n++) {
      brier[n - 1] = num(o, "brier_" + n);
    }
    return new CellResult(str(o, "cell_id"), str(o, "status"), str(o, "error"), cell, num(o, "brier_lm"),
        num(o, "brier_lm_stderr"), brier, (long) num0(o, "positions"), num(o, "ae_train_flops"),
        num(o, "lm_train_flops"), num(o, "infer_flops_per_token"), num(o, "tokens_per_second"),
        (long) num0(o, "lm_steps"), (long) num0(o, "lm_tokens_seen"), num(o, "wall_seconds"),
        num(o, "ae_wall_seconds"), str(o, "checkpoint"));
  }

  private static String str(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? null : e.getAsString();
  }

  private static double num(JsonObject o, String key) {
    JsonElement e = o.get(key);
    return e == null || e.isJsonNull() ? Double.NaN : e.getAsDouble();
  }

  private static double num0(JsonObject o, String key) {
    double v = num(o, key);
    return Double.isNaN(v) ? 0 : v;
  }
}
