package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.backend.train.CheckpointConverter;
import picocli.CommandLine.Option;

/** {@code calm convert}: an official (or any loadable) checkpoint folder in the workbench's own format. */
public final class ConvertCommand implements Command {
  @Option(names = "--from", paramLabel = "DIR", required = true, description = "the checkpoint folder to convert")
  Path from;
  @Option(names = "--out", paramLabel = "DIR", required = true, description = "where the converted checkpoint goes (must not hold one)")
  Path out;
  @Option(names = "--tokenizer", paramLabel = "DIR", description = "tokenizer.json (or its folder) to include; official folders ship without")
  Path tokenizer;
  @Option(names = "--autoencoder", paramLabel = "DIR", description = "a CALM model's frozen autoencoder (default: found beside it)")
  Path autoencoder;

  @Override
  public String name() {
    return "convert";
  }

  @Override
  public String summary() {
    return "write an official CALM or autoencoder checkpoint folder in the workbench's format";
  }

  @Override
  public String description() {
    return summary() + """


        --from takes a folder of the official code (config.json with model_type "autoencoder", "energy", "flow" or
        "diffusion"; pytorch_model.bin or model.safetensors) or of the workbench. The pickle in pytorch_model.bin is
        read without running anything; a file that names any other global than a state dict needs is refused.
        --out gets config.json, float32 model.safetensors, tokenizer.json (from --tokenizer, else the source's) and,
        for a CALM model, its frozen autoencoder in autoencoder/ (found as 'inspect forward' describes).""";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    CheckpointConverter.Result r = CheckpointConverter.convert(from, out, tokenizer, autoencoder);
    ctx.out().println("wrote " + r.modelType().key() + " checkpoint " + out);
    if (!r.autoencoderOrigin().isEmpty()) {
      ctx.out().println("  autoencoder from " + r.autoencoderOrigin() + " -> " + out.resolve("autoencoder"));
    }
    if (!r.hasTokenizer()) {
      ctx.out().println("  no tokenizer.json: text commands need one (pass --tokenizer DIR)");
    }
    ctx.put("checkpoint", out.toAbsolutePath().toString());
    ctx.put("model_type", r.modelType().key());
    ctx.put("autoencoder_origin", r.autoencoderOrigin());
    ctx.put("tokenizer", r.hasTokenizer());
    return 0;
  }
}
