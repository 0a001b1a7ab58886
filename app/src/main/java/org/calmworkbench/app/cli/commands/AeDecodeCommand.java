package org.calmworkbench.app.cli.commands;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.inspect.ForwardInspector;
import org.calmworkbench.backend.inspect.LatentCodec;
import org.calmworkbench.backend.io.JsonArrays;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;
import picocli.CommandLine.Option;

/** {@code calm ae decode}: latent vectors (as 'ae encode --json' prints them) back to text. */
public final class AeDecodeCommand implements Command {
  @Option(names = "--checkpoint", paramLabel = "DIR", required = true, description = "autoencoder checkpoint folder")
  Path checkpoint;
  @Option(names = "--input", paramLabel = "FILE", required = true, description = "JSON with \"latents\": [[...], ...] (the output of 'ae encode --json')")
  Path input;
  @Option(names = "--noise", paramLabel = "SIGMA", description = "add N(0, sigma^2) to every latent before decoding")
  Double noise = 0.0;
  @Option(names = "--seed", paramLabel = "N", description = "seed of the noise")
  Long seed = 1L;

  @Override
  public String name() {
    return "ae decode";
  }

  @Override
  public String summary() {
    return "decode latent vectors back into text, optionally after adding Gaussian noise";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    Ranges.atLeast("noise", noise, 0);
    String where = input.toString();
    JsonObject in = ForwardInspector.readInput(input);
    JsonElement lat = in.get("latents");
    if (lat == null) {
      throw new CalmException(where + ": missing \"latents\" (a list of latent vectors)");
    }
    Tensor t = JsonArrays.read("latents", lat, where);
    if (t.shape().length != 2) {
      throw new CalmException(where + ": \"latents\" must be a list of vectors [P][L]");
    }
    int p = t.shape()[0];
    int l = t.shape()[1];
    float[][] latents = new float[p][l];
    for (int i = 0; i < p; i++) {
      System.arraycopy(t.data(), i * l, latents[i], 0, l);
    }
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(checkpoint)) {
      LatentCodec codec = new LatentCodec(ck.model(), ck.tokenizer(), ck.manager());
      LatentCodec.Decoded d = codec.decode(latents, noise, seed, null);
      ctx.out().println(d.text());
      JsonArray ids = new JsonArray();
      for (int id : d.ids()) {
        ids.add(id);
      }
      ctx.put("text", d.text());
      ctx.put("ids", ids);
    }
    return 0;
  }
}
