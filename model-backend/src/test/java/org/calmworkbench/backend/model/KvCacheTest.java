package org.calmworkbench.backend.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDArrays;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import java.nio.file.Path;
import org.calmworkbench.backend.SharedFixtures;
import org.calmworkbench.backend.io.Safetensors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/** Incremental decoding with a key/value cache reproduces the full causal forward pass. */
class KvCacheTest {
  static final float TOL = 1e-5f;
  static NDManager manager;
  static CalmModel model;

  @BeforeAll
  static void load() {
    Path dir = SharedFixtures.reference("energy");
    manager = NDManager.newBaseManager();
    model = new CalmModel(CalmConfig.read(dir.resolve("config.json")));
    model.initializeParameters(manager);
    Weights.load(model, Safetensors.read(dir.resolve("model.safetensors")));
  }

  @AfterAll
  static void close() {
    if (manager != null) {
      manager.close();
    }
  }

  /** Random ids [B, P*K] on m (fixed seed per case). */
  static NDArray ids(NDManager m, int batch, int chunks) {
    m.getEngine().setRandomSeed(1234 + chunks);
    int v = model.config().vocabSize();
    return m.randomInteger(0, v, new Shape(batch, (long) chunks * model.config().patchSize()),
        DataType.INT64);
  }

  /** Hidden states [B, chunks, H] of a 2-chunk prompt and then one chunk per step through {@code cache}. */
  static float[] stepByStep(NDManager m, NDArray ids, KvCache cache) {
    int k = model.config().patchSize();
    long chunks = ids.getShape().get(1) / k;
    NDList pieces = new NDList();
    pieces.add(model.step(ids.get(":, :" + 2 * k), cache));
    for (long p = 2; p < chunks; p++) {
      try (NDManager step = m.newSubManager()) {
        NDArray chunk = ids.get(":, " + p * k + ":" + (p + 1) * k);
        chunk.attach(step);
        NDArray h = model.step(chunk, cache); // [B, 1, H]
        h.attach(m);
        pieces.add(h);
      }
    }
    return NDArrays.concat(pieces, 1).toFloatArray();
  }

  @ParameterizedTest(name = "capacity {0}, grown to {1}")
  @CsvSource({"2, 16", "5, 20", "16, 16"}) // 2 -> 4 -> 8 -> 16 and 5 -> 10 -> 20 reallocate; 16 never does
  void thePreallocatedCacheMatchesTheConcatenatingOne(int capacity, int grown) {
    int layers = model.transformer().numLayers();
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = ids(m, 3, 11);
      float[] concatenated;
      try (KvCache old = new KvCache(m, layers, 1, KvCache.Layout.CONCATENATED)) {
        concatenated = stepByStep(m, ids, old);
      }
      try (KvCache cache = new KvCache(m, layers, capacity, KvCache.Layout.PREALLOCATED)) {
        float[] inPlace = stepByStep(m, ids, cache);
        assertEquals(11, cache.length());
        assertEquals(grown, cache.capacity());
        assertArrayEquals(concatenated, inPlace, TOL);
      }
    }
  }

  @ParameterizedTest(name = "prompt of {0} chunks, then one chunk per step")
  @ValueSource(ints = {1, 3})
  void stepByStepHiddenStatesEqualTheFullPass(int promptChunks) {
    int chunks = 9; // longer than the reference sequence, so positions beyond 5 are exercised
    int k = model.config().patchSize();
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = ids(m, 2, chunks);
      NDArray full = model.hidden(ids); // [2, 9, H]
      try (KvCache cache = model.newCache(m)) {
        NDList pieces = new NDList();
        pieces.add(model.step(ids.get(":, :" + promptChunks * k), cache)); // [2, prompt, H]
        for (int p = promptChunks; p < chunks; p++) {
          // Each step on its own manager: the cache must survive it being closed.
          try (NDManager step = m.newSubManager()) {
            NDArray chunk = ids.get(":, " + p * k + ":" + (p + 1) * k); // [2, K]
            chunk.attach(step); // so every array of this step lives on, and dies with, `step`
            NDArray h = model.step(chunk, cache); // [2, 1, H]
            h.attach(m);
            pieces.add(h);
          }
          assertEquals(p + 1, cache.length());
        }
        NDArray incremental = NDArrays.concat(pieces, 1);
        assertArrayEquals(full.getShape().getShape(), incremental.getShape().getShape());
        assertArrayEquals(full.toFloatArray(), incremental.toFloatArray(), TOL);
      }
    }
  }

  @ParameterizedTest(name = "{0} chunks at once after a 2-chunk prompt")
  @ValueSource(ints = {2, 4})
  void multiChunkStepsAreCausalInsideTheStep(int perStep) {
    int k = model.config().patchSize();
    int chunks = 2 + perStep;
    try (NDManager m = manager.newSubManager()) {
      NDArray ids = ids(m, 1, chunks);
      NDArray full = model.hidden(ids);
      try (KvCache cache = model.newCache(m)) {
        NDArray first = model.step(ids.get(":, :" + 2 * k), cache);
        NDArray rest = model.step(ids.get(":, " + 2 * k + ":"), cache);
        assertEquals(chunks, cache.length());
        assertArrayEquals(full.toFloatArray(), first.concat(rest, 1).toFloatArray(), TOL);
      }
    }
  }
}
