package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.Dtype;
import org.calmworkbench.backend.train.CheckpointCompactor;
import picocli.CommandLine.Option;

/** {@code calm compact}: an inference-only copy of a checkpoint with its weights in BF16 (or F16, F32). */
public final class CompactCommand implements Command {
  @Option(names = "--checkpoint", paramLabel = "DIR", required = true, description = "autoencoder, CALM or AR checkpoint folder")
  Path checkpoint;
  @Option(names = "--out", paramLabel = "DIR", required = true, description = "where the compact copy goes")
  Path out;
  @Option(names = "--dtype", paramLabel = "bf16|f16|f32", description = "dtype of the copied weights")
  String dtypeName = "bf16";

  @Override
  public String name() {
    return "compact";
  }

  @Override
  public String summary() {
    return "copy a trained checkpoint for inference only, weights in bf16 (no optimizer state; cannot be resumed)";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    Dtype dtype = switch (dtypeName.toLowerCase(Locale.ROOT)) {
      case "bf16" -> Dtype.BF16;
      case "f16" -> Dtype.F16;
      case "f32" -> Dtype.F32;
      default -> throw new CalmException("--dtype must be bf16, f16 or f32, got " + dtypeName);
    };
    CheckpointCompactor.Result r = CheckpointCompactor.compact(checkpoint, out, dtype);
    ctx.out().printf(Locale.ROOT, "%d files in %s; weights %.1f MB -> %.1f MB%n", r.files(), out,
        r.weightBytesBefore() / 1e6, r.weightBytesAfter() / 1e6);
    ctx.put("files", r.files());
    ctx.put("weight_bytes_before", r.weightBytesBefore());
    ctx.put("weight_bytes_after", r.weightBytesAfter());
    ctx.put("checkpoint", out.toAbsolutePath().toString());
    return 0;
  }
}
