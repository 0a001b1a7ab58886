package org.calmworkbench.app.gui.common;

import java.nio.file.Files;
import java.nio.file.Path;
import org.calmworkbench.backend.bench.Flops;
import org.calmworkbench.backend.model.ArConfig;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.train.CalmTrainer;
import org.calmworkbench.backend.train.TrainerState;
import org.calmworkbench.backend.train.TrainingLoop;

/**
 * Training FLOPs per step for the "x axis: training FLOPs" charts, by the one formula of
 * {@link Flops}, so CALM and the AR baseline are compared at equal compute rather than equal steps.
 */
public final class TrainingFlops {
  private TrainingFlops() {}

  /** What the FLOPs axis counts, for its tooltip. */
  public static final String FORMULA =
      "Training FLOPs (the formula of backend.bench.Flops): each matrix product costs 2 FLOPs per"
          + " multiply-add forward and twice that backward, so one step costs 6 x (matrix parameters used per"
          + " token) x (tokens in the batch).\n"
          + "CALM, per token: 6 x (backbone + embed_proj + N energy-head samples) / K + 2 x the frozen encoder.\n"
          + "AR baseline, per token: 6 x (backbone + the H x V softmax head).\n"
          + "Norms, activations, embedding lookups and attention scores are left out; evaluation is not counted.";

  /** CALM: tokens per step = batch_size x context_chunks x K. */
  public static double calmPerStep(CalmConfig c, AutoencoderConfig ae, long tokensPerStep) {
    return Flops.calmTrainingPerToken(c, ae) * tokensPerStep;
  }

  /** AR baseline: tokens per step = batch_size x context tokens. */
  public static double arPerStep(ArConfig c, long tokensPerStep) {
    return Flops.arTrainingPerToken(c.backbone()) * tokensPerStep;
  }

  /**
   * FLOPs per step of the run in {@code dir} (a CALM or AR checkpoint folder: config.json, the
   * trainer state's tokens per step, and for CALM its copy of the autoencoder); NaN for other
   * runs (the autoencoder) or when a file is missing.
   */
  public static double perStep(Path dir, String modelType) {
    try {
      Path state = dir.resolve(TrainingLoop.STATE);
      if (!Files.isRegularFile(state)) {
        return Double.NaN;
      }
      TrainerState st = TrainerState.read(state);
      if (st.step() <= 0) {
        return Double.NaN;
      }
      long tokensPerStep = st.tokensSeen() / st.step();
      Path config = dir.resolve(TrainingLoop.CONFIG);
      return switch (modelType) {
        case CalmTrainer.KIND -> calmPerStep(CalmConfig.read(config),
            AutoencoderConfig.read(dir.resolve(CalmTrainer.AUTOENCODER_DIR).resolve(TrainingLoop.CONFIG)), tokensPerStep);
        case ArConfig.MODEL_TYPE -> arPerStep(ArConfig.read(config), tokensPerStep);
        default -> Double.NaN;
      };
    } catch (RuntimeException e) {
      return Double.NaN; // no FLOPs axis for this run; its steps still chart
    }
  }
}
