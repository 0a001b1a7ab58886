package org.calmworkbench.backend.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.calmworkbench.backend.SharedFixtures;
import org.calmworkbench.backend.io.JsonArrays;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.Tensor;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Java autoencoder against ../shared/reference/autoencoder (the paper's equations). */
class AutoencoderParityTest {
  static final float TOL = 1e-4f;
  static NDManager manager;
  static Autoencoder ae;
  static JsonObject expected;

  @BeforeAll
  static void load() {
    Path dir = SharedFixtures.reference("autoencoder");
    manager = NDManager.newBaseManager();
    ae = new Autoencoder(AutoencoderConfig.read(dir.resolve("config.json")));
    ae.initializeParameters(manager);
    Weights.load(ae, Safetensors.read(dir.resolve("model.safetensors")));
    expected = SharedFixtures.readJson(dir.resolve("expected.json"));
  }

  @AfterAll
  static void close() {
    if (manager != null) {
      manager.close();
    }
  }

  static NDArray array(NDManager m, String key) {
    Tensor t = JsonArrays.read(key, expected.get(key), "expected.json");
    long[] shape = new long[t.shape().length];
    for (int i = 0; i < shape.length; i++) {
      shape[i] = t.shape()[i];
    }
    return m.create(t.data(), new Shape(shape));
  }

  static void assertClose(String key, NDArray actual) {
    Tensor want = JsonArrays.read(key, expected.get(key), "expected.json");
    assertArrayEquals(want.data(), actual.toFloatArray(), TOL, key);
  }

  @Test
  void encoderOutputMatchesReference() {
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = array(m, "input_ids").toType(DataType.INT64, false);
      NDArray out = ae.encode(ids);
      assertArrayEquals(new long[] {2, 3, 16}, out.getShape().getShape());
      assertClose("encoder_output", out);
    }
  }

  @Test
  void decoderLogitsMatchReference() {
    try (NDManager m = manager.newSubManager()) {
      NDArray logits = ae.decode(array(m, "decoder_input"));
      assertArrayEquals(new long[] {2, 12, 64}, logits.getShape().getShape());
      assertClose("decoder_logits", logits);
    }
  }

  @Test
  void vaeLossMatchesReferenceForGivenNoise() {
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = array(m, "input_ids").toType(DataType.INT64, false);
      Autoencoder.Loss loss = ae.loss(ids, array(m, "loss_eps"), false);
      assertEquals(expected.get("loss_ce").getAsFloat(), loss.ce().getFloat(), TOL);
      assertEquals(expected.get("loss_kl").getAsFloat(), loss.kl().getFloat(), TOL * 10);
      assertEquals(expected.get("loss_total").getAsFloat(), loss.total().getFloat(), TOL * 10);
    }
  }
}
