package org.calmworkbench.backend.inspect;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.JsonArrays;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.model.Autoencoder;
import org.calmworkbench.backend.model.Weights;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;

/**
 * {@code calm inspect forward}: runs a checkpoint on the inputs of a JSON file laid out like the
 * reference {@code expected.json} and returns the outputs under the same keys, so any stage of the
 * model can be compared number by number with another implementation.
 */
public final class ForwardInspector {
  private ForwardInspector() {}

  public static JsonObject readInput(Path file) {
    try {
      JsonElement e = JsonParser.parseString(Files.readString(file));
      if (!e.isJsonObject()) {
        throw new CalmException(file + ": expected a JSON object with input_ids");
      }
      return e.getAsJsonObject();
    } catch (IOException e) {
      throw new CalmException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (com.google.gson.JsonParseException e) {
      throw new CalmException(file + ": not valid JSON (" + e.getMessage() + ")", e);
    }
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
