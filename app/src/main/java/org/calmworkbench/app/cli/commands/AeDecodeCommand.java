package org.calmworkbench.app.cli.commands;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import java.util.List;
import org.calmworkbench.app.cli.Args;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Option;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.inspect.ForwardInspector;
import org.calmworkbench.backend.inspect.LatentCodec;
import org.calmworkbench.backend.io.JsonArrays;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;

/** {@code calm ae decode}: latent vectors (as 'ae encode --json' prints them) back to text. */
public final class AeDecodeCommand implements Command {
  @Override
  public String name() {
    return "ae decode";
  }

  @Override
  public String summary() {
    return "decode latent vectors back into text, optionally after adding Gaussian noise";
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.value("checkpoint", "DIR", "autoencoder checkpoint folder").required(),
        Option.value("input", "FILE", "JSON with \"latents\": [[...], ...] (the output of 'ae encode --json')").required(),
        Option.value("noise", "SIGMA", "add N(0, sigma^2) to every latent before decoding").withDefault(0),
        Option.value("seed", "N", "seed of the noise").withDefault(1));
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    String where = args.path("input").toString();
    JsonObject in = ForwardInspector.readInput(args.path("input"));
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
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(args.path("checkpoint"))) {
      LatentCodec codec = new LatentCodec(ck.model(), ck.tokenizer(), ck.manager());
      LatentCodec.Decoded d = codec.decode(latents, args.number("noise"), args.longValue("seed"), null);
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
