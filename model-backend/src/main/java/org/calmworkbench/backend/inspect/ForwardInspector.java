package org.calmworkbench.backend.inspect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Arrays;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.JsonArrays;
import org.calmworkbench.backend.io.JsonFiles;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.CalmModel;
import org.calmworkbench.backend.model.HeadType;
import org.calmworkbench.backend.model.Weights;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;
import org.calmworkbench.backend.train.CalmCheckpoint;

/**
 * {@code calm inspect forward}: runs a checkpoint on the inputs of a JSON file laid out like the
 * reference {@code expected.json} and returns the outputs under the same keys, so any stage of the
 * model can be compared number by number with another implementation. Autoencoders follow
 * {@code reference/autoencoder/expected.json}, CALM language models {@code
 * reference/energy/expected.json}.
 */
public final class ForwardInspector {
  private ForwardInspector() {}

  /** The JSON object of an input file; a missing, unreadable or malformed file is named in the error. */
  public static JsonObject readInput(Path file) {
    return JsonFiles.readObject(file);
  }

  /** Autoencoder: input_ids -> encoder_output; decoder_input (optional) -> decoder_logits. */
  public static JsonObject autoencoder(AutoencoderCheckpoint ck, JsonObject input, String where) {
    Autoencoder ae = ck.model();
    int k = ae.config().patchSize();
    JsonObject out = new JsonObject();
    try (NDManager m = ck.manager().newSubManager()) {
      Tensor ids = require(input, "input_ids", where);
      if (ids.shape().length != 2 || ids.shape()[1] % k != 0 || ids.shape()[1] == 0) {
        throw new CalmException(where + ": input_ids must be [B, T] with T a positive multiple of K=" + k + ", got "
            + Arrays.toString(ids.shape()));
      }
      checkIds(ids, ae.config().vocabSize(), where);
      NDArray enc = ae.encode(m.create(ids.data(), shape(ids.shape())).toType(DataType.INT64, false));
      out.add("encoder_output", JsonArrays.write(Weights.toTensor("encoder_output", enc).shape(), enc.toFloatArray()));
      if (input.has("decoder_input")) {
        Tensor lat = require(input, "decoder_input", where);
        if (lat.shape().length != 3 || lat.shape()[2] != ae.config().latentSize()) {
          throw new CalmException(where + ": decoder_input must be [B, P, L] with L=" + ae.config().latentSize()
              + ", got " + Arrays.toString(lat.shape()));
        }
        NDArray logits = ae.decode(m.create(lat.data(), shape(lat.shape())));
        out.add("decoder_logits", JsonArrays.write(Weights.toTensor("decoder_logits", logits).shape(), logits.toFloatArray()));
      }
    }
    return out;
  }

  /**
   * CALM language model: input_ids [B, T] -> patch_embeddings [B, T/K, H] (the embed_proj output;
   * only under an input mode that reads tokens) and hidden_states [B, T/K, H] (the backbone over
   * every chunk, no shift: hidden_states[:, p] predicts chunk p+1); with generator_noise [B, T/K,
   * noise_size] also generator_output [B, T/K, L] (the energy head on hidden_states and that noise).
   * Under the latent and both input modes the chunks' latents are the autoencoder's means.
   */
  public static JsonObject energy(CalmCheckpoint ck, JsonObject input, String where) {
    CalmModel lm = ck.model();
    int k = lm.config().patchSize();
    JsonObject out = new JsonObject();
    try (NDManager m = ck.manager().newSubManager()) {
      Tensor ids = require(input, "input_ids", where);
      if (ids.shape().length != 2 || ids.shape()[1] % k != 0 || ids.shape()[1] == 0) {
        throw new CalmException(where + ": input_ids must be [B, T] with T a positive multiple of K=" + k + ", got "
            + Arrays.toString(ids.shape()));
      }
      checkIds(ids, lm.config().vocabSize(), where);
      NDArray x = m.create(ids.data(), shape(ids.shape())).toType(DataType.INT64, false);
      if (lm.inputMode().usesTokens()) {
        put(out, "patch_embeddings", lm.patchEmbeddings(x));
      }
      NDArray latents = lm.inputMode().usesLatents() ? ck.autoencoder().encodeMean(x) : null;
      NDArray hidden = lm.transformer().forward(lm.inputs(x, latents)); // [B, P, H]
      put(out, "hidden_states", hidden);
      if (input.has("generator_noise")) {
        if (lm.headConfig().type() != HeadType.ENERGY) {
          throw new CalmException(where + ": generator_noise -> generator_output is only computed for the energy head;"
              + " the checkpoint " + ck.dir() + " has a " + lm.headConfig().type().key() + " head (leave out"
              + " generator_noise to get patch_embeddings and hidden_states)");
        }
        Tensor noise = require(input, "generator_noise", where);
        long[] hs = hidden.getShape().getShape();
        int[] want = {(int) hs[0], (int) hs[1], lm.energyHead().noiseSize()};
        if (!Arrays.equals(noise.shape(), want)) {
          throw new CalmException(where + ": generator_noise must be [B, T/K, noise_size] = " + Arrays.toString(want)
              + ", got " + Arrays.toString(noise.shape()));
        }
        put(out, "generator_output", lm.energyHead().forward(hidden, m.create(noise.data(), shape(noise.shape()))));
      }
    }
    return out;
  }

  private static void put(JsonObject out, String key, NDArray a) {
    out.add(key, JsonArrays.write(Weights.toTensor(key, a).shape(), a.toFloatArray()));
  }

  public static Tensor require(JsonObject input, String key, String where) {
    if (!input.has(key)) {
      throw new CalmException(where + ": missing \"" + key + "\"");
    }
    return JsonArrays.read(key, input.get(key), where);
  }

  public static void checkIds(Tensor ids, int vocabSize, String where) {
    float[] d = ids.data();
    for (int i = 0; i < d.length; i++) {
      if (d[i] < 0 || d[i] >= vocabSize || d[i] != Math.rint(d[i])) {
        throw new CalmException(where + ": input_ids element " + i + " is " + d[i] + ", not a token id in [0, " + vocabSize + ")");
      }
    }
  }

  public static Shape shape(int[] s) {
    return new Shape(Arrays.stream(s).asLongStream().toArray());
  }
}
