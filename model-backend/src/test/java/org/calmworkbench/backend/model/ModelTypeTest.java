package org.calmworkbench.backend.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** config.json's model_type: every type round-trips, and the strings older versions wrote still read. */
class ModelTypeTest {
  static final CalmConfig ENERGY = new CalmConfig(new BackboneConfig(64, 32, 64, 2, 4, 1e-6, 10000.0), 8, 4, 2,
      new HeadConfig.Energy(16, 8, 1.0, 32));

  private static JsonObject json(String text) {
    return JsonParser.parseString(text).getAsJsonObject();
  }

  @ParameterizedTest
  @EnumSource(ModelType.class)
  void everyTypeRoundTripsThroughItsKey(ModelType type) {
    assertEquals(type, ModelType.fromKey(type.key()).orElseThrow());
    JsonObject o = new JsonObject();
    o.addProperty("model_type", type.key());
    assertEquals(type, ModelType.of(o, "config.json"));
  }

  @ParameterizedTest
  @org.junit.jupiter.params.provider.CsvSource({"autoencoder, AUTOENCODER", "energy, CALM_ENERGY", "flow, CALM_FLOW",
      "diffusion, CALM_DIFFUSION"})
  void theOfficialCodesModelTypesReadAsTheirWorkbenchTypes(String official, ModelType type) {
    assertEquals(type, ModelType.fromKey(official).orElseThrow());
    assertFalse(ModelType.fromKey("calm").isPresent(), "other strings stay unknown");
  }

  @ParameterizedTest
  @EnumSource(HeadType.class)
  void aCalmConfigIsWrittenWithItsHeadsTypeAndReadBackEqual(HeadType head, @TempDir Path dir) throws Exception {
    CalmConfig c = head == HeadType.ENERGY ? ENERGY : ENERGY.withHead(HeadConfig.defaults(head));
    Path file = dir.resolve("config.json");
    Files.writeString(file, c.toJson().toString());

    JsonObject written = json(Files.readString(file));
    assertEquals(ModelType.calm(head).key(), written.get("model_type").getAsString());
    assertEquals(ModelType.calm(head), c.modelType());
    assertEquals(c, CalmConfig.read(file));
    // Only this head's keys: a flow model has no noise_size, an energy model no flow_steps.
    for (HeadType other : HeadType.values()) {
      for (String k : HeadConfig.ownKeys(other)) {
        assertEquals(HeadConfig.ownKeys(head).contains(k), written.has(k), head + " config.json and " + k);
      }
    }
  }

  @Test
  void theTypesBeforeEachHeadHadItsOwnStillRead() {
    // A flow run as versions before ModelType wrote it: calm_energy, "head", and unused energy keys.
    JsonObject oldFlow = json("""
        {"vocab_size":64,"hidden_size":32,"intermediate_size":64,"num_hidden_layers":2,"num_attention_heads":4,
         "latent_size":8,"patch_size":4,"noise_size":16,"num_mlp_layers":2,"rms_norm_eps":1.0E-6,
         "rope_theta":10000.0,"num_samples":8,"beta":1.0,"model_type":"calm_energy","input_mode":"discrete",
         "ae_path":"autoencoder","head":"flow","head_samples":2,"flow_steps":3,"flow_solver":"euler"}""");
    assertEquals(ModelType.CALM_FLOW, ModelType.of(oldFlow, "old/config.json"));
    CalmConfig flow = CalmConfig.read(oldFlow, "old/config.json");
    assertEquals(new HeadConfig.Flow(2, 3, HeadConfig.EULER), flow.head());
    assertEquals(ENERGY.backbone(), flow.backbone());

    // An energy run from before "head" and target_samples: the energy head, M from the default.
    JsonObject oldEnergy = ENERGY.toJson();
    oldEnergy.remove("target_samples");
    oldEnergy.addProperty("model_type", "calm_energy");
    CalmConfig energy = CalmConfig.read(oldEnergy, "old/config.json");
    assertEquals(new HeadConfig.Energy(16, 8, 1.0, HeadConfig.Energy.DEFAULT_TARGET_SAMPLES), energy.head());

    // The official CALM code's model_type for its energy model.
    oldEnergy.addProperty("model_type", "energy");
    assertEquals(ModelType.CALM_ENERGY, ModelType.of(oldEnergy, "official/config.json"));

    // A trainer_state.json of an old flow run says calm_energy; resuming it as a flow run is fine.
    assertTrue(ModelType.CALM_FLOW.isSavedAs("calm_energy"));
    assertTrue(ModelType.CALM_FLOW.isSavedAs("calm_flow"));
    assertFalse(ModelType.CALM_FLOW.isSavedAs("calm_diffusion"));
    assertFalse(ModelType.AR.isSavedAs("calm_energy"));
  }

  @Test
  void unknownOrContradictoryTypesAreNamedWithTheFile() {
    CalmException e = assertThrows(CalmException.class,
        () -> ModelType.of(json("{\"model_type\":\"gpt2\"}"), "x/config.json"));
    assertTrue(e.getMessage().contains("x/config.json") && e.getMessage().contains("gpt2")
        && e.getMessage().contains("calm_flow"), e.getMessage());

    e = assertThrows(CalmException.class, () -> ModelType.of(json("{\"vocab_size\":3}"), "y/config.json"));
    assertTrue(e.getMessage().contains("y/config.json") && e.getMessage().contains("model_type"), e.getMessage());

    e = assertThrows(CalmException.class,
        () -> ModelType.of(json("{\"model_type\":\"calm_flow\",\"head\":\"diffusion\"}"), "z/config.json"));
    assertTrue(e.getMessage().contains("z/config.json") && e.getMessage().contains("diffusion"), e.getMessage());

    e = assertThrows(CalmException.class, () -> CalmConfig.read(json("{\"model_type\":\"calm_ar\"}"), "ar/config.json"));
    assertTrue(e.getMessage().contains("ar/config.json") && e.getMessage().contains("not a CALM"), e.getMessage());
  }

  @Test
  void onlyCalmTypesHaveAHead() {
    for (ModelType t : ModelType.values()) {
      assertEquals(t.isCalm(), List.of(ModelType.CALM_ENERGY, ModelType.CALM_FLOW, ModelType.CALM_DIFFUSION).contains(t));
      if (t.isCalm()) {
        assertEquals(t, ModelType.calm(t.head()));
      } else {
        assertThrows(IllegalStateException.class, t::head);
      }
    }
  }
}
