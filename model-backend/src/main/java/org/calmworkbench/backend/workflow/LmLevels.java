package org.calmworkbench.backend.workflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.DataSplit;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.eval.PredictorLevels;
import org.calmworkbench.backend.model.HeadConfig;
import org.calmworkbench.backend.train.ArCheckpoint;
import org.calmworkbench.backend.train.AutoencoderTrainer;
import org.calmworkbench.backend.train.CalmCheckpoint;

/**
 * {@code calm lm levels}: a CALM run's energy loss next to the marginal, oracle and (optionally)
 * AR-baseline levels on the same held-out chunks ({@link PredictorLevels}). The held-out text is
 * the validation part of the run's own split (its {@code split.json}), unless a corpus is given.
 */
public final class LmLevels {
  private LmLevels() {}

  /**
   * @param ar an AR baseline trained on the same tokenizer, or null
   * @param corpus held-out corpus paths; empty for the run's recorded corpus and split
   */
  public record Options(Path checkpoint, Path ar, List<Path> corpus, int windows, int samples, long seed) {}

  public static PredictorLevels.Result run(Options o) throws IOException {
    if (o.windows() < 1) {
      throw new CalmException("--windows must be at least 1, got " + o.windows());
    }
    try (CalmCheckpoint ck = CalmCheckpoint.load(o.checkpoint())) {
      if (!(ck.headConfig() instanceof HeadConfig.Energy energy)) {
        throw new CalmException(o.checkpoint() + " has a " + ck.headConfig().type().key() + " head; the levels are"
            + " energy losses and need the energy head");
      }
      byte[] tokJson = LmEvaluation.tokenizerJson(ck);
      List<Path> corpus = o.corpus().isEmpty() ? DataSplit.corpusOf(o.checkpoint()) : o.corpus();
      if (corpus.isEmpty()) {
        throw new CalmException(o.checkpoint() + " records no corpus (no split.json); pass --corpus PATH...");
      }
      TokenIds valid = Corpora.tokenize(corpus, ck.tokenizer(), tokJson, DataSplit.of(o.checkpoint()), (a, b) -> {})
          .validation();
      int p = ck.contextChunks().orElse(LmEvaluation.DEFAULT_CONTEXT_CHUNKS);
      if (o.ar() == null) {
        return PredictorLevels.measure(ck.autoencoder(), null, ck.model(), valid, p, energy.beta(), o.windows(),
            o.samples(), o.seed(), ck.manager());
      }
      try (ArCheckpoint ar = ArCheckpoint.load(o.ar())) {
        Path arTok = ar.dir().resolve(AutoencoderTrainer.TOKENIZER);
        if (!Files.isRegularFile(arTok) || !Arrays.equals(Files.readAllBytes(arTok), tokJson)) {
          throw new CalmException(arTok + " is not the CALM run's tokenizer; the AR baseline must be trained with"
              + " --tokenizer on the same autoencoder");
        }
        return PredictorLevels.measure(ck.autoencoder(), ar.model(), ck.model(), valid, p, energy.beta(), o.windows(),
            o.samples(), o.seed(), ck.manager());
      }
    }
  }
}
