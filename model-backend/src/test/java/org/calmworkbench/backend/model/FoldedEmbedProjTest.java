package org.calmworkbench.backend.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.util.Map;
import org.calmworkbench.backend.train.LmPresets;
import org.junit.jupiter.api.Test;

/** embed_proj's first layer folded into lookup tables gives the same patch embeddings and hidden states. */
class FoldedEmbedProjTest {
  private static CalmConfig config(int vocab) {
    return LmPresets.get("tiny").calmConfig(vocab, 4, 16, HeadType.ENERGY);
  }

  private static float maxAbsDiff(NDArray a, NDArray b) {
    return a.sub(b).abs().max().getFloat();
  }

  @Test
  void foldedInputEqualsTheMatrixPathAndLeavesTheWeightsAlone() {
    CalmModel model = new CalmModel(config(300));
    try (NDManager manager = NDManager.newBaseManager()) {
      model.initializeParameters(manager);
      manager.getEngine().setRandomSeed(7);
      // Non-zero biases, so a bias added K times (instead of once) would show.
      model.embedProj().firstLayer().biasArray().set(manager.randomNormal(new Shape(128)).toFloatArray());
      NDArray ids = manager.randomInteger(0, 300, new Shape(2, 5 * 4), DataType.INT64);
      NDArray expected = model.patchEmbeddings(ids); // [2, 5, H]
      FoldedEmbedProj folded;
      try (NDManager holder = manager.newSubManager()) {
        folded = FoldedEmbedProj.build(model, holder);
        assertNotNull(folded);
        NDArray got = folded.forward(ids);
        assertEquals(expected.getShape(), got.getShape());
        assertTrue(maxAbsDiff(expected, got) < 1e-5f, "max |diff| " + maxAbsDiff(expected, got));

        // Through the backbone with a cache, chunk by chunk, as generation runs it.
        NDArray full = model.hidden(ids);
        try (KvCache cache = model.newCache(manager)) {
          NDArray first = model.step(ids.get(":, :8"), null, cache, folded);
          NDArray rest = model.step(ids.get(":, 8:"), null, cache, folded);
          assertTrue(maxAbsDiff(full.get(":, :2"), first) < 1e-5f);
          assertTrue(maxAbsDiff(full.get(":, 2:"), rest) < 1e-5f);
        }
      }
      // The borrowed weights went back to the model's manager and are still open and unchanged.
      assertTrue(maxAbsDiff(expected, model.patchEmbeddings(ids)) == 0f);
    }
  }

  @Test
  void noFoldForLatentInputOrATableTooLarge() {
    try (NDManager manager = NDManager.newBaseManager()) {
      CalmModel latent = new CalmModel(config(300), InputMode.LATENT);
      latent.initializeParameters(manager);
      assertNull(FoldedEmbedProj.build(latent, manager));

      CalmConfig huge = LmPresets.get("paper-m").calmConfig(1 << 16, 4, 128, HeadType.ENERGY); // 4 x 65536 x 2048 floats
      assertFalse(FoldedEmbedProj.fits(huge));
      assertEquals(4L * 65536 * 2048, FoldedEmbedProj.tableFloats(huge));
      assertTrue(FoldedEmbedProj.fits(LmPresets.get("paper-m").calmConfig(1024, 4, 128, HeadType.ENERGY)));
    }
  }
}
