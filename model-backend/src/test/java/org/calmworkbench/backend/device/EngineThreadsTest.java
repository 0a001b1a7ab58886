package org.calmworkbench.backend.device;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import java.util.Properties;
import org.junit.jupiter.api.Test;

class EngineThreadsTest {
  @Test
  void thePropertyWinsOverTheEnvironmentWhichWinsOverTheDefault() {
    Properties props = new Properties();
    assertEquals("PyTorch's default: one per core", EngineThreads.source(props, Map.of()));
    assertEquals("OMP_NUM_THREADS=1", EngineThreads.source(props, Map.of("OMP_NUM_THREADS", "1")));
    props.setProperty(EngineThreads.PROPERTY, "3");
    assertEquals(EngineThreads.PROPERTY + "=3", EngineThreads.source(props, Map.of("OMP_NUM_THREADS", "1")));
  }

  @Test
  void theLoadedEngineReportsAtLeastOneThreadOfEachKind() {
    EngineThreads t = EngineThreads.current();
    assertTrue(t.intraOp() >= 1 && t.interOp() >= 1, t.describe());
    assertTrue(t.describe().startsWith("intra-op " + t.intraOp() + ", inter-op " + t.interOp() + " ("), t.describe());
  }
}
