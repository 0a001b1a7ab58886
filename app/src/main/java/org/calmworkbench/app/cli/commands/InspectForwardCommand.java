package org.calmworkbench.app.cli.commands;

import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Map;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.backend.inspect.ForwardInspector;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;
import org.calmworkbench.backend.train.CalmCheckpoint;
import org.calmworkbench.backend.train.Checkpoints;
import picocli.CommandLine.Option;

/** {@code calm inspect forward}: intermediate tensors of a checkpoint, for parity checks. */
public final class InspectForwardCommand implements Command {
  @Option(names = "--checkpoint", paramLabel = "DIR", required = true, description = "checkpoint folder")
  Path checkpoint;
  @Option(names = "--input", paramLabel = "FILE", required = true, description = "JSON with input_ids (and optionally decoder_input)")
  Path inputFile;
  @Option(names = "--autoencoder", paramLabel = "DIR", description = "a CALM model's frozen autoencoder (default: found beside it; not needed" + " for the discrete input)")
  Path autoencoder;

  @Override
  public String name() {
    return "inspect forward";
  }

  @Override
  public String summary() {
    return "run an autoencoder or CALM checkpoint on input_ids from a JSON file and print its tensors";
  }

  @Override
  public String description() {
    return summary() + """


        The input follows ../shared/reference/autoencoder/expected.json: "input_ids" [B, T] (T a multiple of K)
        and optionally "decoder_input" [B, P, L]. The output has "encoder_output" [B, T/K, 2L] and, with
        decoder_input, "decoder_logits" [B, P*K, V], as nested lists under the same keys.
        For a CALM energy-model checkpoint (../shared/reference/energy/expected.json): "input_ids" [B, T] and
        optionally "generator_noise" [B, T/K, noise_size] give "patch_embeddings" [B, T/K, H], "hidden_states"
        [B, T/K, H] and, with the noise, "generator_output" [B, T/K, L].
        Official checkpoint folders (config.json with model_type "autoencoder" or "energy", pytorch_model.bin or
        model.safetensors) are read directly; a CALM model's autoencoder is --autoencoder, else config.json's
        ae_path, else autoencoder/ inside or beside the folder, else the ae_model.* tensors in its weights.""";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    JsonObject input = ForwardInspector.readInput(inputFile);
    JsonObject out;
    java.nio.file.Path dir = checkpoint;
    if (Checkpoints.modelType(dir).isCalm()) {
      // the discrete input needs no autoencoder; one is loaded when found or given
      try (CalmCheckpoint ck = CalmCheckpoint.load(dir, autoencoder, false)) {
        out = ForwardInspector.energy(ck, input, inputFile.toString());
      }
    } else {
      if (autoencoder != null) {
        throw new org.calmworkbench.backend.CalmException("--autoencoder is for CALM checkpoints; " + dir
            + " is an autoencoder itself");
      }
      try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(dir)) {
        out = ForwardInspector.autoencoder(ck, input, inputFile.toString());
      }
    }
    for (Map.Entry<String, com.google.gson.JsonElement> e : out.entrySet()) {
      ctx.put(e.getKey(), e.getValue());
      ctx.out().println(e.getKey() + " = " + e.getValue());
    }
    return 0;
  }
}
