package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.calmworkbench.app.gui.TestContexts.RecordingNotifier;
import org.calmworkbench.app.gui.samplerlab.SamplerLabViewModel;
import org.calmworkbench.app.gui.samplerlab.SamplerLabViewModel.MethodResult;
import org.calmworkbench.app.gui.samplerlab.SamplerLabViewModel.Outcome;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.backend.sampling.SamplerCheck;
import org.calmworkbench.backend.sampling.TemperatureSampler;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Sampler lab's view model without a screen (jobs run on the calling thread). */
class SamplerLabViewModelTest {
  @TempDir Path dir;
  SamplerLabViewModel vm;

  @BeforeEach
  void create() {
    vm = new SamplerLabViewModel(TestContexts.sameThread(dir.resolve("config"), new RecordingNotifier()));
  }

  @Test
  void weightsAreShownNormalised() {
    vm.setWeights(new double[] {2, 1, 1});
    assertArrayEquals(new double[] {0.5, 0.25, 0.25}, vm.normalisedProperty().get(), 1e-12);
    assertEquals("0.500, 0.250, 0.250", vm.typedProperty().get());
    vm.weights().get(2).set(0); // a slider pulled to the bottom
    assertArrayEquals(new double[] {2.0 / 3, 1.0 / 3, 0}, vm.normalisedProperty().get(), 1e-12);
    assertEquals("0.333", vm.probabilityText(1).get());
    vm.addCategory();
    assertEquals(4, vm.weights().size());
    vm.removeCategory();
    vm.removeCategory();
    assertEquals(2, vm.weights().size());
    vm.removeCategory();
    assertEquals(2, vm.weights().size(), "at least two categories stay");
    assertTrue(vm.statusProperty().get().contains("At least 2"));
  }

  @Test
  void presetsLoadTheirDistribution() {
    SamplerLabViewModel.Preset uniform = SamplerLabViewModel.PRESETS.get(2);
    vm.presetProperty().set(uniform);
    assertArrayEquals(uniform.probabilities(), vm.normalisedProperty().get(), 1e-12);
  }

  @Test
  void typedProbabilitiesAreCheckedAndNormalised() {
    vm.typedProperty().set("0.5, abc");
    assertFalse(vm.applyTyped());
    assertTrue(vm.validationMessageProperty().get().contains("probability 2 ('abc') is not a number"),
        vm.validationMessageProperty().get());
    assertFalse(vm.canRunBinding().get());
    vm.typedProperty().set("-0.1, 1");
    assertFalse(vm.applyTyped());
    assertTrue(vm.validationMessageProperty().get().contains("probability 1 is -0.1"));
    vm.typedProperty().set("0 0 0");
    assertFalse(vm.applyTyped());
    assertTrue(vm.validationMessageProperty().get().contains("all probabilities are 0"));
    vm.typedProperty().set("1");
    assertFalse(vm.applyTyped());
    assertTrue(vm.validationMessageProperty().get().contains("between 2 and 12"));
    vm.typedProperty().set("NaN, 1");
    assertFalse(vm.applyTyped());
    assertTrue(vm.validationMessageProperty().get().contains("finite number >= 0"));

    vm.typedProperty().set("1; 1; 2");
    assertTrue(vm.applyTyped());
    assertArrayEquals(new double[] {0.25, 0.25, 0.5}, vm.normalisedProperty().get(), 1e-12);
    assertTrue(vm.validProperty().get(), vm.validationMessageProperty().get());
    assertTrue(vm.statusProperty().get().contains("summed to 4"), vm.statusProperty().get());
  }

  @Test
  void otherBadSettingsAreRefusedWithAMessage() {
    for (var w : vm.weights()) {
      w.set(0);
    }
    assertTrue(vm.validationMessageProperty().get().contains("every weight is 0"));
    vm.setWeights(new double[] {1, 1});
    vm.exactProperty().set(false);
    vm.batchProperty().set(false);
    assertTrue(vm.validationMessageProperty().get().contains("tick the exact sampler"));
    vm.batchProperty().set(true);
    vm.candidatesProperty().set("0");
    assertTrue(vm.validationMessageProperty().get().contains("N (candidates) must be between 1"));
    vm.candidatesProperty().set("4");
    vm.drawsProperty().set("999999999");
    assertTrue(vm.validationMessageProperty().get().contains("draws must be between 1 and 200000"));
    assertNull(vm.run());
    vm.drawsProperty().set("100");
    vm.temperatureProperty().set(0);
    assertTrue(vm.validationMessageProperty().get().contains("temperature must be in (0, 1]"));
    vm.temperatureProperty().set(0.5);
    assertTrue(vm.validProperty().get());
  }

  @Test
  void aRunMatchesSamplerCheckAndHitsTheTarget() {
    vm.setWeights(new double[] {0.5, 0.25, 0.15, 0.07, 0.03});
    vm.temperatureProperty().set(0.5);
    vm.candidatesProperty().set("8");
    vm.drawsProperty().set("5000");
    vm.seedProperty().set("7");
    Job job = vm.run();
    assertEquals(JobState.DONE, job.state(), job.messageProperty().get());
    Outcome o = vm.outcomeProperty().get();
    assertNotNull(o);
    double[] p = vm.normalisedProperty().get();
    assertArrayEquals(TemperatureSampler.targetDistribution(p, 0.5), o.target(), 1e-12);
    assertEquals(2, o.methods().size());

    MethodResult exact = o.methods().get(0);
    SamplerCheck.Result expectedExact = SamplerCheck.run(SamplerLabViewModel.config(p, 0.5, SamplerCheck.Method.EXACT, 8,
        5000, 7));
    assertArrayEquals(expectedExact.frequencies(), exact.frequencies(), 0);
    assertEquals(expectedExact.totalVariation(), exact.totalVariation(), 0);
    assertEquals(expectedExact.meanSamplerCalls(), exact.meanSamplerCalls(), 0);
    assertTrue(exact.totalVariation() < 0.04, "exact sampling lands on p^2/Z: TV " + exact.totalVariation());
    assertTrue(exact.meanSamplerCalls() >= 2, "T = 1/2 needs at least two identical draws");

    MethodResult batch = o.methods().get(1);
    SamplerCheck.Result expectedBatch = SamplerCheck.run(SamplerLabViewModel.config(p, 0.5, SamplerCheck.Method.BATCH, 8,
        5000, 7));
    assertArrayEquals(expectedBatch.frequencies(), batch.frequencies(), 0);
    assertEquals(8.0, batch.meanSamplerCalls(), 0, "batch always costs N");
    assertTrue(batch.name().contains("N=8"));

    assertTrue(vm.statusProperty().get().contains("TV"), vm.statusProperty().get());
    vm.temperatureProperty().set(0.25);
    assertNull(vm.outcomeProperty().get(), "a result for another temperature is not kept on screen");
  }

  @Test
  void anExactRunThatWouldTakeTooLongIsRefusedBeforeItStarts() {
    vm.presetProperty().set(SamplerLabViewModel.PRESETS.get(2)); // uniform over 4
    vm.temperatureProperty().set(0.05); // an attempt succeeds with probability 4 * 0.25^20
    vm.drawsProperty().set("20000");
    assertTrue(vm.validationMessageProperty().get().contains("the exact sampler would need about 10000 sampler calls"),
        vm.validationMessageProperty().get());
    assertNull(vm.run());
    vm.exactProperty().set(false);
    assertTrue(vm.validProperty().get(), "batch alone costs N per draw");
    vm.exactProperty().set(true);
    vm.temperatureProperty().set(0.5);
    assertTrue(vm.validProperty().get(), "at T = 0.5 exact needs about 2 / 0.25 = 8 calls per draw");
  }

  @Test
  void onlyTheTickedMethodRuns() {
    vm.exactProperty().set(false);
    vm.drawsProperty().set("200");
    vm.run();
    assertEquals(1, vm.outcomeProperty().get().methods().size());
    assertTrue(vm.outcomeProperty().get().methods().get(0).name().startsWith("batch"));
  }
}
