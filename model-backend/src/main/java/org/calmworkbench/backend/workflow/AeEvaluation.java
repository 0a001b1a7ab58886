package org.calmworkbench.backend.workflow;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.function.DoubleConsumer;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.data.DataSplit;
import org.calmworkbench.backend.data.TokenizedCorpus;
import org.calmworkbench.backend.eval.Reconstruction;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;
import org.calmworkbench.backend.train.AutoencoderTrainer;

/**
 * {@code calm ae eval}: reconstruction accuracy of a checkpoint on a corpus, for a list of noise
 * levels, with the worst-reconstructed chunks as text.
 *
 * <p>Decision: by default every chunk of the given corpus is evaluated (in order, up to {@code
 * maxPatches}): pass a held-out corpus. {@code split = "valid"} instead takes the held-out split
 * that {@code ae train} made of the same corpus (same split seed), so the training corpus can be
 * passed too.
 */
public final class AeEvaluation {
  private AeEvaluation() {}

  public record Options(Path checkpoint, List<Path> corpus, double[] sigmas, int maxPatches, String split,
      Reconstruction.Mode mode, long seed, int worstPerSigma) {}

  /** A badly reconstructed chunk, as text. */
  public record Worst(double sigma, String input, String decoded, int errors) {}

  public record Result(Reconstruction.Report report, List<Worst> worst, long patches, String split) {}

  /**
   * {@code corpus} tokenized with the checkpoint's tokenizer and split as {@code ae train} split it
   * (the split recorded in its folder, {@link DataSplit#of}), so {@link TokenizedCorpus#validation()} is the text the checkpoint never saw.
   */
  public static TokenizedCorpus tokenize(AutoencoderCheckpoint ck, List<Path> corpus) throws IOException {
    byte[] tokJson = Files.readAllBytes(ck.dir().resolve(AutoencoderTrainer.TOKENIZER));
    return Corpora.tokenize(corpus, ck.tokenizer(), tokJson, DataSplit.of(ck.dir()), (a, b) -> {});
  }

  public static Result run(Options o, DoubleConsumer progress) throws IOException {
    if (o.maxPatches() < 1) {
      throw new CalmException("--max-patches must be at least 1, got " + o.maxPatches());
    }
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(o.checkpoint())) {
      TokenizedCorpus corpus = tokenize(ck, o.corpus());
      int k = ck.config().patchSize();
      List<TokenIds> ids = EvalSplit.parse(o.split()).parts(corpus);
      long[] patches = Corpora.leadingChunks(ids, k, o.maxPatches());
      if (patches.length == 0) {
        throw new CalmException("the corpus " + o.corpus() + " (split " + o.split() + ") has fewer than K=" + k + " tokens");
      }
      Reconstruction.Report report = Reconstruction.run(ck.model(), patches, o.sigmas(), o.mode(), o.seed(),
          o.worstPerSigma(), ck.manager(), progress);
      List<Worst> worst = new ArrayList<>();
      for (Reconstruction.Example e : report.worst()) {
        worst.add(new Worst(e.sigma(), ck.tokenizer().decode(e.input()), ck.tokenizer().decode(e.decoded()), e.errors()));
      }
      return new Result(report, worst, patches.length / k, o.split());
    }
  }
}
