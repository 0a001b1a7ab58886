package org.calmworkbench.backend.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDManager;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.device.ComputeDevice.Preference;
import org.calmworkbench.backend.device.ComputeDevice.Selection;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ComputeDeviceTest {
  /** A GPU probe that counts its calls and answers {@code result}. */
  static final class Probe implements Supplier<String> {
    final AtomicInteger calls = new AtomicInteger();
    final String result;

    Probe(String result) {
      this.result = result;
    }

    @Override
    public String get() {
      calls.incrementAndGet();
      return result;
    }
  }

  @ParameterizedTest
  @CsvSource({"auto,AUTO", "CPU,CPU", " gpu ,GPU", "Auto,AUTO"})
  void parsesTheThreeChoicesInAnyCase(String text, Preference expected) {
    assertEquals(expected, Preference.parse(text));
  }

  @ParameterizedTest
  @CsvSource({"tpu", "gpu0", "cuda", "''"})
  void refusesAnythingElseNamingTheChoices(String text) {
    CalmException e = assertThrows(CalmException.class, () -> Preference.parse(text));
    assertTrue(e.getMessage().contains("auto, cpu or gpu"), e.getMessage());
  }

  @Test
  void cpuIsUsedWhenAskedEvenWithAWorkingGpuAndTheGpuIsNotTouched() {
    Probe probe = new Probe(null);
    Selection s = ComputeDevice.select(Preference.CPU, 2, probe);
    assertEquals(Device.cpu(), s.device());
    assertEquals("cpu", s.name());
    assertNull(s.notice());
    assertEquals(0, probe.calls.get());
  }

  @Test
  void autoTakesGpuZeroWhenTheEngineSeesOneAndItWorks() {
    Probe probe = new Probe(null);
    Selection s = ComputeDevice.select(Preference.AUTO, 1, probe);
    assertEquals(Device.gpu(0), s.device());
    assertEquals("gpu0", s.name());
    assertNull(s.notice());
    assertEquals(1, probe.calls.get());
  }

  @Test
  void autoWithoutAGpuIsTheCpuSilently() {
    Probe probe = new Probe(null);
    Selection s = ComputeDevice.select(Preference.AUTO, 0, probe);
    assertEquals(Device.cpu(), s.device());
    assertNull(s.notice(), "auto on a machine without a GPU is the normal case, not news");
    assertTrue(s.reason().contains("no GPU"), s.reason());
    assertEquals(0, probe.calls.get());
  }

  @Test
  void gpuWantedButNotSeenFallsBackToTheCpuWithANotice() {
    Selection s = ComputeDevice.select(Preference.GPU, 0, new Probe(null));
    assertEquals(Device.cpu(), s.device());
    assertTrue(s.notice().startsWith("--device gpu:"), s.notice());
    assertTrue(s.notice().endsWith("using the CPU"), s.notice());
  }

  @ParameterizedTest
  @CsvSource({"AUTO,--device auto", "GPU,--device gpu"})
  void aFailingGpuFallsBackToTheCpuAndTheNoticeCarriesTheError(Preference p, String prefix) {
    Selection s = ComputeDevice.select(p, 1, new Probe("EngineException: CUDA driver version is insufficient"));
    assertEquals(Device.cpu(), s.device());
    assertTrue(s.notice().startsWith(prefix), s.notice());
    assertTrue(s.notice().contains("CUDA driver version is insufficient"), s.notice());
  }

  @Test
  void thisCpuBuildSeesNoGpuSoAutoAndGpuBothResolveToTheCpu() {
    Assumptions.assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "a GPU is visible: this test is for the CPU build");
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    try {
      ComputeDevice.noticesTo(new PrintStream(buf, true, StandardCharsets.UTF_8));
      ComputeDevice.prefer(Preference.GPU);
      assertNull(ComputeDevice.resolved(), "a changed preference is not resolved until used");
      Selection s = ComputeDevice.current();
      assertEquals(s, ComputeDevice.resolved());
      assertEquals(Device.cpu(), s.device());
      String printed = buf.toString(StandardCharsets.UTF_8);
      assertTrue(printed.startsWith("note: --device gpu:"), printed);
      ComputeDevice.current();
      assertEquals(printed, buf.toString(StandardCharsets.UTF_8), "the notice is printed once, not at every use");
      try (NDManager m = NDManager.newBaseManager(ComputeDevice.device())) {
        assertEquals(Device.cpu(), m.ones(new ai.djl.ndarray.types.Shape(2)).getDevice());
      }
      ComputeDevice.prefer(Preference.AUTO);
      assertEquals(Device.cpu(), ComputeDevice.device());
      assertEquals(printed, buf.toString(StandardCharsets.UTF_8), "auto without a GPU prints nothing");
    } finally {
      ComputeDevice.noticesTo(System.err);
      ComputeDevice.prefer(ComputeDevice.defaultPreference());
    }
  }

  @Test
  void aGpuProbeOnThisCpuBuildReportsTheFailureInsteadOfThrowing() {
    Assumptions.assumeTrue(Engine.getEngine("PyTorch").getGpuCount() == 0, "a GPU is visible: this test is for the CPU build");
    String failure = ComputeDevice.tryGpu();
    assertFalse(failure == null, "GPU 0 cannot work with the CPU native library");
  }
}
