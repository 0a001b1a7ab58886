package org.calmworkbench.backend.eval;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.List;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.data.TokenizedCorpus;
import org.calmworkbench.backend.generate.TinyCalm;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;
import org.calmworkbench.backend.workflow.AeEvaluation;
import org.junit.jupiter.api.Test;

/** The on-manifold test against the autoencoder itself: its own posterior samples pass, random points do not. */
class OnManifoldTest {
  @Test
  void posteriorSamplesOfCorrectlyDecodedChunksAreOnTheManifoldAndRandomPointsAreNot() throws Exception {
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(TinyCalm.root().resolve("ae"));
        NDManager m = NDManager.newBaseManager()) {
      Autoencoder ae = ck.model();
      TokenizedCorpus corpus = AeEvaluation.tokenize(ck, List.of(TinyCalm.corpus()));
      TokenIds valid = corpus.validation();
      EnergyLevels levels = EnergyLevels.measure(ae, valid, 1.0, 256, 5, m);
      int k = ae.config().patchSize();
      int chunks = (int) Math.min(256, valid.size() / k);
      int[] ids = new int[chunks * k];
      valid.copy(0, ids, 0, ids.length);
      NDArray input = m.create(ids, new Shape(1, (long) chunks * k)).toType(DataType.INT64, false);
      NDList meanLogStd = ae.encode(input).split(2, 2);
      m.getEngine().setRandomSeed(3);
      NDArray posterior = meanLogStd.get(0).add(m.randomNormal(meanLogStd.get(0).getShape()).mul(meanLogStd.get(1).exp()));
      long[] decoded = ae.decodeGreedy(posterior).toLongArray();
      long right = 0;
      for (int i = 0; i < chunks; i++) {
        boolean ok = true;
        for (int j = 0; j < k; j++) {
          ok &= decoded[i * k + j] == ids[i * k + j];
        }
        right += ok ? 1 : 0;
      }

      OnManifold own = new OnManifold(levels.manifoldRadius());
      own.add(posterior, ae.encodeMean(ae.decodeGreedy(posterior)));
      NDArray far = m.randomNormal(posterior.getShape()).mul(m.create(10f));
      OnManifold random = new OnManifold(levels.manifoldRadius());
      random.add(far, ae.encodeMean(ae.decodeGreedy(far)));

      assertEquals(chunks, own.samples());
      double decodedRight = (double) right / chunks;
      // A correctly decoded posterior sample re-encodes to its own mean: on the manifold about 95% of the time.
      assertTrue(own.fraction() >= 0.8 * 0.95 * decodedRight, "posterior samples: " + own.fraction()
          + " on the manifold, " + decodedRight + " decoded right");
      assertTrue(random.fraction() < 0.1, "random points far out: " + random.fraction());
    }
  }
}
