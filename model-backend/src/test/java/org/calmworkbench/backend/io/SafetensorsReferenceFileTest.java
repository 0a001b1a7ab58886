package org.calmworkbench.backend.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The PyTorch-written reference autoencoder in ../shared/reference/autoencoder: our reader must
 * see exactly the tensors its config implies, with the values PyTorch saved.
 */
class SafetensorsReferenceFileTest {

  private Path modelFile;
  private JsonObject config;

  @BeforeEach
  void locateReference() throws IOException {
    String shared = System.getProperty("calm.shared.dir");
    if (shared == null || !Files.isDirectory(Path.of(shared, "reference", "autoencoder"))) {
      Assumptions.assumeTrue(false, "calm.shared.dir with reference/autoencoder not available");
    }
    Path folder = Path.of(shared, "reference", "autoencoder");
    modelFile = folder.resolve("model.safetensors");
    config = JsonParser.parseString(Files.readString(folder.resolve("config.json"))).getAsJsonObject();
  }

  /** Tensor shapes of the CALM autoencoder, derived from its config.json. */
  private Map<String, int[]> shapesFromConfig(int hidden) {
    int vocab = config.get("vocab_size").getAsInt();
    int inter = config.get("intermediate_size").getAsInt();
    int latent = config.get("latent_size").getAsInt();
    int patch = config.get("patch_size").getAsInt();
    Map<String, int[]> s = new LinkedHashMap<>();
    s.put("encoder.embed_tokens.weight", new int[] {vocab, hidden});
    addLayers(s, "encoder.encoder_layers", config.get("num_encoder_layers").getAsInt(), hidden, inter);
    s.put("encoder.squeeze_layer.weight", new int[] {hidden, patch * hidden}); // [H, K*H]
    s.put("encoder.squeeze_layer.bias", new int[] {hidden});
    s.put("encoder.hidden_to_latent.weight", new int[] {2 * latent, hidden}); // mean and log-std
    s.put("encoder.hidden_to_latent.bias", new int[] {2 * latent});
    s.put("encoder.norm.weight", new int[] {hidden});
    s.put("decoder.latent_to_hidden.weight", new int[] {hidden, latent});
    s.put("decoder.latent_to_hidden.bias", new int[] {hidden});
    addLayers(s, "decoder.decoder_layers", config.get("num_decoder_layers").getAsInt(), hidden, inter);
    s.put("decoder.expand_layer.weight", new int[] {patch * hidden, hidden});
    s.put("decoder.expand_layer.bias", new int[] {patch * hidden});
    s.put("decoder.norm.weight", new int[] {hidden});
    return s;
  }

  private static void addLayers(Map<String, int[]> s, String prefix, int layers, int hidden, int inter) {
    for (int i = 0; i < layers; i++) {
      String p = prefix + "." + i + ".";
      s.put(p + "layernorm.weight", new int[] {hidden});
      s.put(p + "mlp.gate_proj.weight", new int[] {inter, hidden});
      s.put(p + "mlp.up_proj.weight", new int[] {inter, hidden});
      s.put(p + "mlp.down_proj.weight", new int[] {hidden, inter});
    }
  }

  @Test
  void readsTheReferenceAutoencoderWithTheTensorsItsConfigImplies() {
    SafetensorsFile file = Safetensors.read(modelFile);
    assertEquals(27, file.tensors().size());
    assertArrayEquals(new int[] {64, 32}, file.tensor("encoder.embed_tokens.weight").shape());
    file.requireExactly(shapesFromConfig(config.get("hidden_size").getAsInt()));
  }

  @Test
  void readsTheValuesPyTorchSaved() {
    SafetensorsFile file = Safetensors.read(modelFile);
    // Bits taken from the file with Python's struct module.
    float[] embed = file.tensor("encoder.embed_tokens.weight").data();
    assertEquals(0xBF51F456, Float.floatToRawIntBits(embed[0])); // -0.8201345
    assertEquals(0x3ECA902B, Float.floatToRawIntBits(embed[1])); // 0.39563116
    assertEquals(0x3F80AED6, Float.floatToRawIntBits(embed[64 * 32 - 1])); // 1.0053356
    float[] norm = file.tensor("decoder.norm.weight").data();
    assertEquals(0.9089697003364563f, norm[0]);
    assertEquals(0.9476050138473511f, norm[31]);
  }

  @Test
  void aConfigWithAnotherHiddenSizeIsRefusedNamingATensor() {
    SafetensorsFile file = Safetensors.read(modelFile);
    CalmException e = assertThrows(CalmException.class,
        () -> file.requireExactly(shapesFromConfig(16)));
    assertTrue(e.getMessage().contains("tensor encoder.embed_tokens.weight in " + modelFile
        + " has shape [64, 32] but the config needs [64, 16]"), e.getMessage());
  }

  @Test
  void rewritingTheReferenceKeepsEveryBit(@TempDir Path dir) {
    SafetensorsFile original = Safetensors.read(modelFile);
    Path copy = dir.resolve("copy.safetensors");
    Safetensors.write(copy, original.tensors(), original.metadata());
    SafetensorsFile again = Safetensors.read(copy);
    assertEquals(original.tensors(), again.tensors()); // Tensor.equals compares shape and floats
  }
}
