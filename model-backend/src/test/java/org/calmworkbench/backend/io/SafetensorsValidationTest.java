package org.calmworkbench.backend.io;

import static org.junit.jupiter.api.Assertions.assertDoesNotThrow;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;

class SafetensorsValidationTest {

  private static final Path FILE = Path.of("runs", "ae", "model.safetensors");

  private static Tensor tensor(String name, int... shape) {
    return new Tensor(name, shape, new float[(int) Tensor.numel(shape)]);
  }

  private static Map<String, Tensor> loaded(Tensor... tensors) {
    Map<String, Tensor> map = new LinkedHashMap<>();
    for (Tensor t : tensors) {
      map.put(t.name(), t);
    }
    return map;
  }

  private static Map<String, int[]> expected() {
    Map<String, int[]> shapes = new LinkedHashMap<>();
    shapes.put("encoder.embed_tokens.weight", new int[] {64, 32});
    shapes.put("encoder.norm.weight", new int[] {32});
    return shapes;
  }

  @Test
  void acceptsExactlyTheExpectedTensors() {
    Map<String, Tensor> ok =
        loaded(tensor("encoder.norm.weight", 32), tensor("encoder.embed_tokens.weight", 64, 32));
    assertDoesNotThrow(() -> Safetensors.requireExactly(ok, expected(), FILE));
  }

  @Test
  void namesAShapeMismatchWithBothShapes() {
    Map<String, Tensor> wrong =
        loaded(tensor("encoder.embed_tokens.weight", 64, 32), tensor("encoder.norm.weight", 16));
    CalmException e = assertThrows(CalmException.class,
        () -> Safetensors.requireExactly(wrong, expected(), FILE));
    assertTrue(e.getMessage().contains("tensor encoder.norm.weight in " + FILE
        + " has shape [16] but the config needs [32]"), e.getMessage());
    assertFalse(e.getMessage().contains("embed_tokens"), e.getMessage());
  }

  @Test
  void namesAMissingTensor() {
    Map<String, Tensor> partial = loaded(tensor("encoder.embed_tokens.weight", 64, 32));
    CalmException e = assertThrows(CalmException.class,
        () -> Safetensors.requireExactly(partial, expected(), FILE));
    assertTrue(e.getMessage().contains(FILE + " is missing tensor encoder.norm.weight"),
        e.getMessage());
  }

  @Test
  void namesAnUnexpectedExtraTensor() {
    Map<String, Tensor> extra = loaded(tensor("encoder.embed_tokens.weight", 64, 32),
        tensor("encoder.norm.weight", 32), tensor("lm_head.weight", 64, 32));
    CalmException e = assertThrows(CalmException.class,
        () -> Safetensors.requireExactly(extra, expected(), FILE));
    assertTrue(e.getMessage().contains("unexpected tensor lm_head.weight"), e.getMessage());
    assertTrue(e.getMessage().contains(FILE.toString()), e.getMessage());
  }

  @Test
  void listsOnlyAFewOfManyMissingTensors() {
    Map<String, int[]> many = new LinkedHashMap<>();
    for (int i = 0; i < 12; i++) {
      many.put("layers." + i + ".weight", new int[] {4});
    }
    CalmException e = assertThrows(CalmException.class,
        () -> Safetensors.requireExactly(Map.of(), many, FILE));
    assertTrue(e.getMessage().contains("missing 12 tensors layers.0.weight, layers.1.weight"),
        e.getMessage());
    assertTrue(e.getMessage().contains("and 7 more"), e.getMessage());
    assertFalse(e.getMessage().contains("layers.11.weight"), e.getMessage());
  }

  @Test
  void reportsMissingExtraAndMismatchTogether() {
    Map<String, Tensor> messy =
        loaded(tensor("encoder.embed_tokens.weight", 32, 64), tensor("decoder.norm.weight", 32));
    CalmException e = assertThrows(CalmException.class,
        () -> Safetensors.requireExactly(messy, expected(), FILE));
    String m = e.getMessage();
    assertTrue(m.contains("missing tensor encoder.norm.weight"), m);
    assertTrue(m.contains("unexpected tensor decoder.norm.weight"), m);
    assertTrue(m.contains("has shape [32, 64] but the config needs [64, 32]"), m);
  }

  @Test
  void fileLookupOfAnAbsentTensorNamesTheFile() {
    SafetensorsFile f = new SafetensorsFile(FILE, loaded(tensor("a", 1)), Map.of());
    CalmException e = assertThrows(CalmException.class, () -> f.tensor("b"));
    assertTrue(e.getMessage().contains("tensor b") && e.getMessage().contains(FILE.toString()),
        e.getMessage());
  }

  @Test
  void tensorRefusesDataThatDoesNotFitItsShape() {
    assertThrows(IllegalArgumentException.class,
        () -> new Tensor("w", new int[] {2, 3}, new float[5]));
    assertThrows(IllegalArgumentException.class,
        () -> new Tensor("w", new int[] {-1}, new float[0]));
  }

  @Test
  void tensorShapeCannotBeChangedFromOutside() {
    int[] shape = {2, 2};
    Tensor t = new Tensor("w", shape, new float[4]);
    shape[0] = 99;
    t.shape()[1] = 99;
    assertTrue(java.util.Arrays.equals(new int[] {2, 2}, t.shape()));
  }
}
