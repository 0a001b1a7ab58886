package org.calmworkbench.backend.train;

import static org.calmworkbench.backend.config.Setting.doubleSetting;
import static org.calmworkbench.backend.config.Setting.intSetting;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;

/** How to train (not what): optimiser, schedule, batch, budget and seed; shared by every trainer. */
public record TrainConfig(
    double lr, // peak learning rate after warmup
    int warmupSteps, // linear warmup from 0 to lr, then constant
    int batchSize, // examples per step (autoencoder: chunks of K tokens; LMs: sequences)
    int steps, // step budget (0 = until time_limit)
    double timeLimit, // seconds of training (0 = no limit)
    long seed, // model init, masking, noise and batch order
    double weightDecay, // AdamW decoupled decay on matrices
    double beta1, // AdamW first-moment decay
    double beta2, // AdamW second-moment decay
    double gradClip, // global-norm clipping threshold (0 = off)
    int evalEvery, // steps between held-out accuracy checks
    double checkpointEvery) { // seconds between checkpoints (also saved at the end and on stop)

  public static final List<Setting> SETTINGS =
      List.of(
          doubleSetting("lr", 1e-7, 1, "Peak learning rate of AdamW (after warmup)."),
          intSetting("warmup_steps", 0, 10_000_000, "Steps of linear learning-rate warmup."),
          intSetting("batch_size", 1, 1 << 20, "Examples per step: chunks for the autoencoder, sequences for language models."),
          intSetting("steps", 0, Integer.MAX_VALUE, "Training steps (0: run until the time limit)."),
          doubleSetting("time_limit", 0, 1e8, "Stop after this many seconds (0: no limit)."),
          intSetting("seed", 0, Long.MAX_VALUE, "Seed for initialisation, masking, noise and batches."),
          doubleSetting("weight_decay", 0, 10, "AdamW weight decay on weight matrices."),
          doubleSetting("beta1", 0, 0.999999, "AdamW beta1."),
          doubleSetting("beta2", 0, 0.999999, "AdamW beta2."),
          doubleSetting("grad_clip", 0, 1e6, "Clip the global gradient norm to this (0: off)."),
          intSetting("eval_every", 1, Integer.MAX_VALUE, "Steps between held-out accuracy checks."),
          doubleSetting("checkpoint_every", 1, 1e8, "Seconds between checkpoints."));

  /**
   * Refuses a run that would never end: {@code steps} and {@code time_limit} both 0. The one check
   * (and message) of the trainers and of the GUI's settings sheets.
   */
  public static void checkBudget(Number steps, Number timeLimit) {
    if (steps.longValue() == 0 && timeLimit.doubleValue() == 0) {
      throw new CalmException("set steps or time_limit: both are 0, so training would never end");
    }
  }

  public static TrainConfig fromMap(Map<String, Number> m) {
    return new TrainConfig(
        m.get("lr").doubleValue(),
        m.get("warmup_steps").intValue(),
        m.get("batch_size").intValue(),
        m.get("steps").intValue(),
        m.get("time_limit").doubleValue(),
        m.get("seed").longValue(),
        m.get("weight_decay").doubleValue(),
        m.get("beta1").doubleValue(),
        m.get("beta2").doubleValue(),
        m.get("grad_clip").doubleValue(),
        m.get("eval_every").intValue(),
        m.get("checkpoint_every").doubleValue());
  }

  public Map<String, Number> toMap() {
    Map<String, Number> m = new LinkedHashMap<>();
    m.put("lr", lr);
    m.put("warmup_steps", warmupSteps);
    m.put("batch_size", batchSize);
    m.put("steps", steps);
    m.put("time_limit", timeLimit);
    m.put("seed", seed);
    m.put("weight_decay", weightDecay);
    m.put("beta1", beta1);
    m.put("beta2", beta2);
    m.put("grad_clip", gradClip);
    m.put("eval_every", evalEvery);
    m.put("checkpoint_every", checkpointEvery);
    return m;
  }

  public TrainConfig with(Map<String, Number> overrides) {
    Map<String, Number> m = toMap();
    overrides.forEach((k, v) -> {
      if (m.containsKey(k)) {
        m.put(k, v);
      }
    });
    return fromMap(m);
  }

  /** Learning rate at 0-based {@code step}: linear warmup, then constant. */
  public double learningRate(long step) {
    return warmupSteps > 0 && step < warmupSteps ? lr * (step + 1) / warmupSteps : lr;
  }
}
