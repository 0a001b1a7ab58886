package org.calmworkbench.app.gui.common;

import org.calmworkbench.backend.bench.Flops;

/**
 * What the "x axis: training FLOPs" charts count. The numbers themselves are the trainer's ({@link
 * Flops} through {@code TrainingLoop}), read from each run's metrics.jsonl ({@code train_flops}),
 * so CALM with any head or input and the AR baseline are compared at equal compute.
 */
public final class TrainingFlops {
  private TrainingFlops() {}

  /** What the FLOPs axis counts, for its tooltip. */
  public static final String FORMULA =
      "Training FLOPs (the formula of backend.bench.Flops): each matrix product costs 2 FLOPs per"
          + " multiply-add forward and twice that backward, so one step costs 6 x (matrix parameters used per"
          + " token) x (tokens in the batch).\n"
          + "CALM, per token: 6 x (backbone + input projection + the head's training evaluations: N energy-head"
          + " samples, or head_samples flow/diffusion passes) / K + 2 x the frozen encoder.\n"
          + "AR baseline, per token: 6 x (backbone + the H x V softmax head).\n"
          + "Norms, activations, embedding lookups and attention scores are left out; evaluation is not counted.";
}
