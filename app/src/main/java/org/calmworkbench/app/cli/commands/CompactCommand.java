package org.calmworkbench.app.cli.commands;

import java.util.List;
import java.util.Locale;
import org.calmworkbench.app.cli.Args;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Option;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.Dtype;
import org.calmworkbench.backend.train.CheckpointCompactor;

/** {@code calm compact}: an inference-only copy of a checkpoint with its weights in BF16 (or F16, F32). */
public final class CompactCommand implements Command {
  @Override
  public String name() {
    return "compact";
  }

  @Override
  public String summary() {
    return "copy a trained checkpoint for inference only, weights in bf16 (no optimizer state; cannot be resumed)";
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.value("checkpoint", "DIR", "autoencoder, CALM or AR checkpoint folder").required(),
        Option.value("out", "DIR", "where the compact copy goes").required(),
        Option.value("dtype", "bf16|f16|f32", "dtype of the copied weights").withDefault("bf16"));
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    Dtype dtype = switch (args.string("dtype").toLowerCase(Locale.ROOT)) {
      case "bf16" -> Dtype.BF16;
      case "f16" -> Dtype.F16;
      case "f32" -> Dtype.F32;
      default -> throw new CalmException("--dtype must be bf16, f16 or f32, got " + args.string("dtype"));
    };
    CheckpointCompactor.Result r = CheckpointCompactor.compact(args.path("checkpoint"), args.path("out"), dtype);
    ctx.out().printf(Locale.ROOT, "%d files in %s; weights %.1f MB -> %.1f MB%n", r.files(), args.path("out"),
        r.weightBytesBefore() / 1e6, r.weightBytesAfter() / 1e6);
    ctx.put("files", r.files());
    ctx.put("weight_bytes_before", r.weightBytesBefore());
    ctx.put("weight_bytes_after", r.weightBytesAfter());
    ctx.put("checkpoint", args.path("out").toAbsolutePath().toString());
    return 0;
  }
}
