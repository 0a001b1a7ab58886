package org.calmworkbench.app.cli.commands;

import com.google.gson.Gson;
import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.inspect.LatentCodec;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;
import picocli.CommandLine.Option;

/** {@code calm ae encode}: text to one latent vector per K-token chunk. */
public final class AeEncodeCommand implements Command {
  /** Largest --input file read. */
  static final long MAX_INPUT_BYTES = 64L << 20;

  @Option(names = "--checkpoint", paramLabel = "DIR", required = true, description = "autoencoder checkpoint folder")
  Path checkpoint;
  @Option(names = "--text", paramLabel = "TEXT", description = "the text to encode")
  String text;
  @Option(names = "--input", paramLabel = "FILE", description = "read the text from a file instead")
  Path input;

  @Override
  public String name() {
    return "ae encode";
  }

  @Override
  public String summary() {
    return "encode text into one latent vector per chunk of K tokens";
  }

  @Override
  public String description() {
    return summary() + """


        Prints each chunk's tokens and its latent mean (and log std). With --json the output is the input
        'ae decode --input' takes: {"latents": [[...], ...], "chunks": [...]}.""";
  }


  String readText() throws java.io.IOException {
    if ((text != null) == (input != null)) {
      throw new CalmException("give exactly one of --text or --input");
    }
    if (text != null) {
      return text;
    }
    if (!Files.isRegularFile(input)) {
      throw new CalmException("input file not found: " + input);
    }
    long size = Files.size(input);
    if (size > MAX_INPUT_BYTES) { // far more than LatentCodec.MAX_TOKENS; a file over 2 GB would not even fit a String
      throw new CalmException(String.format(Locale.ROOT, "--input %s is %,d bytes; ae encode reads at most %,d"
          + " (and encodes at most %,d tokens); give a part of it", input, size, MAX_INPUT_BYTES, LatentCodec.MAX_TOKENS));
    }
    return Files.readString(input);
  }

  @Override
  public int run(CliContext ctx) throws Exception {
    String text = readText();
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(checkpoint)) {
      LatentCodec codec = new LatentCodec(ck.model(), ck.tokenizer(), ck.manager());
      LatentCodec.Encoded e = codec.encode(text);
      JsonArray latents = new JsonArray();
      JsonArray chunks = new JsonArray();
      Gson gson = new Gson();
      for (LatentCodec.Chunk c : e.chunks()) {
        latents.add(gson.toJsonTree(c.mean()));
        JsonObject j = new JsonObject();
        j.add("ids", gson.toJsonTree(c.ids()));
        j.addProperty("text", c.text());
        j.add("log_std", gson.toJsonTree(c.logStd()));
        chunks.add(j);
        ctx.out().printf(Locale.ROOT, "chunk %3d %-24s mean[0..3] %s%n", c.index(), AeEvalCommand.quote(c.text()), preview(c.mean()));
      }
      ctx.out().printf("%d tokens -> %d chunks of K=%d (%d padding) -> latent size %d%n", e.ids().length - e.padding(),
          e.chunks().size(), codec.patchSize(), e.padding(), ck.config().latentSize());
      ctx.put("patch_size", codec.patchSize());
      ctx.put("latent_size", ck.config().latentSize());
      ctx.put("padding", e.padding());
      ctx.put("latents", latents);
      ctx.put("chunks", chunks);
    }
    return 0;
  }

  static String preview(float[] v) {
    StringBuilder sb = new StringBuilder("[");
    for (int i = 0; i < Math.min(4, v.length); i++) {
      sb.append(i == 0 ? "" : ", ").append(String.format(Locale.ROOT, "%.3f", v[i]));
    }
    return sb.append(v.length > 4 ? ", ...]" : "]").toString();
  }
}
