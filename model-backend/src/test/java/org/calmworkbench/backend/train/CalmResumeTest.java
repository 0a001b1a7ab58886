package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.Map;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.Tensor;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** CALM's resume is exact (issue 13, goal 2), as the autoencoder's and the AR baseline's are. */
class CalmResumeTest {
  @Test
  void resumedCalmRunEqualsUninterruptedRunBitForBit(@TempDir Path straight, @TempDir Path split) throws Exception {
    NumericFaultTest.CALM.run(straight, 12, false);
    NumericFaultTest.CALM.run(split, 5, false);
    NumericFaultTest.CALM.run(split, 12, true);
    assertEquals(12, TrainerState.read(split.resolve(TrainingLoop.STATE)).step());
    Map<String, Tensor> x = Safetensors.read(straight.resolve(TrainingLoop.MODEL)).tensors();
    Map<String, Tensor> y = Safetensors.read(split.resolve(TrainingLoop.MODEL)).tensors();
    assertEquals(x.keySet(), y.keySet());
    for (String name : x.keySet()) {
      assertArrayEquals(x.get(name).data(), y.get(name).data(), 0f, name);
    }
    Map<String, Tensor> ox = Safetensors.read(straight.resolve(TrainingLoop.OPTIMIZER)).tensors();
    Map<String, Tensor> oy = Safetensors.read(split.resolve(TrainingLoop.OPTIMIZER)).tensors();
    for (String name : ox.keySet()) {
      assertArrayEquals(ox.get(name).data(), oy.get(name).data(), 0f, name);
    }
    assertEquals(12, AutoencoderTrainerTest.lossCurve(split).size());
    assertEquals(AutoencoderTrainerTest.lossCurve(straight), AutoencoderTrainerTest.lossCurve(split),
        "the loss curve, bit for bit");
  }
}
