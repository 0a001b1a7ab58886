package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.nn.Parameter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.generate.TinyCalm;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.workflow.LmTraining;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A NaN or infinity injected into one gradient or weight at step 4 of a run resumed from a step-2
 * checkpoint (issue 13, goal 6): every trainer stops at that step, names the tensor, and leaves the
 * step-2 checkpoint byte for byte.
 */
class NumericFaultTest {
  static final long FAULT_STEP = 3; // 0-based: the 4th step

  /** Poisons the gradient (or, after the update, the weight) of the last trainable tensor at FAULT_STEP. */
  static final class Poison implements TrainingLoop.FaultHook {
    final boolean weight;
    final List<String> poisoned = new ArrayList<>();

    Poison(boolean weight) {
      this.weight = weight;
    }

    private String last(Map<String, Parameter> params) {
      return new ArrayList<>(params.keySet()).get(params.size() - 1);
    }

    @Override
    public void afterBackward(long step, Map<String, Parameter> params) {
      if (!weight && step == FAULT_STEP) {
        String name = last(params);
        params.get(name).getArray().getGradient().muli(Float.NaN);
        poisoned.add(name);
      }
    }

    @Override
    public void afterUpdate(long step, Map<String, Parameter> params) {
      if (weight && step == FAULT_STEP) {
        String name = last(params);
        // An in-place change of a weight is refused where autograd is on. It is off only on the
        // thread that started the engine, which is not this one when an earlier test class first
        // trained on another thread (RunLockTest): switch it off here either way.
        boolean gradMode = ai.djl.pytorch.jni.JniUtils.isGradMode();
        ai.djl.pytorch.jni.JniUtils.setGradMode(false);
        try {
          params.get(name).getArray().addi(Float.POSITIVE_INFINITY);
        } finally {
          ai.djl.pytorch.jni.JniUtils.setGradMode(gradMode);
        }
        poisoned.add(name);
      }
    }
  }

  @AfterEach
  void removeHook() {
    TrainingLoop.faultHook = TrainingLoop.FaultHook.NONE;
  }

  interface Training {
    void run(Path out, int steps, boolean resume) throws Exception;
  }

  static void assertStopsNamingTheTensor(Path dir, Training t, boolean weight) throws Exception {
    t.run(dir, 2, false);
    byte[] model = Files.readAllBytes(dir.resolve(TrainingLoop.MODEL));
    byte[] optimizer = Files.readAllBytes(dir.resolve(TrainingLoop.OPTIMIZER));
    Poison poison = new Poison(weight);
    TrainingLoop.faultHook = poison;
    CalmException e = assertThrows(CalmException.class, () -> t.run(dir, 8, true));
    TrainingLoop.faultHook = TrainingLoop.FaultHook.NONE;
    assertEquals(1, poison.poisoned.size());
    String tensor = poison.poisoned.get(0);
    String m = e.getMessage();
    assertTrue(m.startsWith("training stopped at step 4: "), m);
    assertTrue(m.contains(weight ? "the weight " + tensor + " became Infinity after the update"
        : "the gradient of " + tensor + " became NaN"), m);
    assertTrue(m.contains("the last good checkpoint in " + dir + " (step 2) is intact"), m);
    assertArrayEquals(model, Files.readAllBytes(dir.resolve(TrainingLoop.MODEL)), "model.safetensors untouched");
    assertArrayEquals(optimizer, Files.readAllBytes(dir.resolve(TrainingLoop.OPTIMIZER)));
    assertEquals(2, TrainerState.read(dir.resolve(TrainingLoop.STATE)).step());
    assertFalse(Files.exists(dir.resolve(CheckpointFiles.PENDING)));
    // the good checkpoint resumes and trains on
    t.run(dir, 5, true);
    assertEquals(5, TrainerState.read(dir.resolve(TrainingLoop.STATE)).step());
  }

  static final Training AUTOENCODER = (out, steps, resume) ->
      AutoencoderTrainer.run(AutoencoderTrainerTest.request(out, steps, resume), p -> {}, TrainControl.NONE);
  static final Training AR = (out, steps, resume) ->
      ArTrainer.run(ArTrainerTest.request(out, steps, 0, resume), p -> {}, TrainControl.NONE);
  static final Training CALM = (out, steps, resume) -> LmTraining.run(new LmTraining.Options(
      resume ? null : TinyCalm.root().resolve("ae"), List.of(TinyCalm.corpus()), out, "energy", InputMode.DISCRETE,
      "tiny", List.of("eval_positions=0"), steps, null, 1L, resume), p -> {}, TrainControl.NONE);

  @Test
  void autoencoderStopsAtANanGradientNamingIt(@TempDir Path dir) throws Exception {
    assertStopsNamingTheTensor(dir, AUTOENCODER, false);
  }

  @Test
  void autoencoderStopsAtAnInfiniteWeightNamingIt(@TempDir Path dir) throws Exception {
    assertStopsNamingTheTensor(dir, AUTOENCODER, true);
  }

  @Test
  void calmStopsAtANanGradientNamingIt(@TempDir Path dir) throws Exception {
    assertStopsNamingTheTensor(dir, CALM, false);
  }

  @Test
  void calmStopsAtAnInfiniteWeightNamingIt(@TempDir Path dir) throws Exception {
    assertStopsNamingTheTensor(dir, CALM, true);
  }

  @Test
  void arBaselineStopsAtANanGradientNamingIt(@TempDir Path dir) throws Exception {
    assertStopsNamingTheTensor(dir, AR, false);
  }

  @Test
  void arBaselineStopsAtAnInfiniteWeightNamingIt(@TempDir Path dir) throws Exception {
    assertStopsNamingTheTensor(dir, AR, true);
  }
}
