package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.model.ArConfig;
import org.calmworkbench.backend.model.ArModel;
import org.calmworkbench.backend.model.BackboneConfig;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.CalmModel;
import org.calmworkbench.backend.model.HeadConfig;
import org.calmworkbench.backend.model.Weights;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The recipe ablation's warm start: CALM's backbone from an AR baseline checkpoint of the same shape. */
class WarmStartTest {
  @TempDir Path dir;

  /** A CALM model on {@code backbone}, with a small energy head. */
  private static CalmConfig calm(BackboneConfig backbone) {
    return new CalmConfig(backbone, 1, 1, 0, new HeadConfig.Energy(1, 2, 1.0, 1));
  }

  @Test
  void copiesEveryBackboneTensorAndNothingElse() {
    ArConfig shape = new ArConfig(new BackboneConfig(40, 32, 64, 2, 4, 1e-6, 10000.0));
    try (NDManager m = NDManager.newBaseManager()) {
      Engine.getInstance().setRandomSeed(1);
      ArModel ar = new ArModel(shape);
      ar.initializeParameters(m);
      Safetensors.write(dir.resolve(TrainingLoop.MODEL), Weights.export(ar), Map.of());
      Engine.getInstance().setRandomSeed(2);
      CalmModel calm = new CalmModel(calm(shape.backbone()));
      calm.initializeParameters(m);
      float[] headBefore = calm.namedParameters().get("mlp_generator.noise_embd.weight").getArray().toFloatArray();
      assertFalse(Arrays.equals(ar.namedParameters().get("transformer.layers.0.self_attn.q_proj.weight").getArray().toFloatArray(),
          calm.namedParameters().get("transformer.layers.0.self_attn.q_proj.weight").getArray().toFloatArray()),
          "different seeds start different");

      CalmTrainer.warmStart(calm, dir);

      int backbone = 0;
      for (var e : ar.namedParameters().entrySet()) {
        if (e.getKey().startsWith("transformer.")) {
          backbone++;
          assertArrayEquals(e.getValue().getArray().toFloatArray(),
              calm.namedParameters().get(e.getKey()).getArray().toFloatArray(), e.getKey());
        }
      }
      assertTrue(backbone >= 10, "layers, norms and embeddings: " + backbone);
      assertArrayEquals(headBefore, calm.namedParameters().get("mlp_generator.noise_embd.weight").getArray().toFloatArray(),
          "the head is not touched");
    }
  }

  @Test
  void aBackboneOfAnotherShapeIsRefusedNamingTheTensor() {
    try (NDManager m = NDManager.newBaseManager()) {
      ArModel ar = new ArModel(new ArConfig(new BackboneConfig(40, 32, 64, 2, 4, 1e-6, 10000.0)));
      ar.initializeParameters(m);
      Safetensors.write(dir.resolve(TrainingLoop.MODEL), Weights.export(ar), Map.of());
      CalmModel wider = new CalmModel(calm(new BackboneConfig(40, 48, 64, 2, 4, 1e-6, 10000.0)));
      wider.initializeParameters(m);

      CalmException e = assertThrows(CalmException.class, () -> CalmTrainer.warmStart(wider, dir));

      assertTrue(e.getMessage().contains("transformer.") && e.getMessage().contains("does not fit"), e.getMessage());
    }
  }

  @Test
  void aFolderWithoutWeightsSaysWhatToPass() {
    CalmException e = assertThrows(CalmException.class,
        () -> CalmTrainer.warmStart(null, dir.resolve("nothing-here")));

    assertTrue(e.getMessage().contains("AR baseline checkpoint"), e.getMessage());
  }
}
