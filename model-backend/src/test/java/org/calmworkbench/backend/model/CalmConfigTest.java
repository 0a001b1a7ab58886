package org.calmworkbench.backend.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class CalmConfigTest {
  static final CalmConfig BABY =
      new CalmConfig(new BackboneConfig(64, 32, 64, 2, 4, 1e-6, 10000.0), 8, 4, 2, new HeadConfig.Energy(16, 8, 1.0, 8));

  @Test
  void jsonRoundTripsThroughAFile(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("config.json");
    Files.writeString(file, BABY.toJson().toString());
    assertEquals(BABY, CalmConfig.read(file));
    assertTrue(Files.readString(file).contains("\"model_type\":\"calm_energy\""));
  }

  @ParameterizedTest(name = "{0} = {1} is rejected")
  @CsvSource({
    "num_attention_heads, 3", // 32 / 3 is not whole
    "num_attention_heads, 32", // head size 1 cannot be rotated in pairs
    "beta, 2.0", // not strictly proper
    "beta, 0.0"
  })
  void rejectsUnusableArchitectures(String key, double value) {
    CalmException e = assertThrows(CalmException.class, () -> BABY.with(Map.of(key, value)));
    assertTrue(e.getMessage().contains(key), e.getMessage());
  }

  @Test
  void missingKeyIsNamed() {
    Map<String, Number> m = new LinkedHashMap<>(BABY.toMap());
    m.remove("noise_size");
    CalmException e = assertThrows(CalmException.class, () -> CalmConfig.fromMap(m, HeadType.ENERGY, "x.json"));
    assertTrue(e.getMessage().contains("x.json: missing noise_size"), e.getMessage());
  }
}
