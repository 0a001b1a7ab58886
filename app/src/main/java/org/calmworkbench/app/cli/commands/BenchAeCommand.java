package org.calmworkbench.app.cli.commands;

import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.bench.AeThroughput;
import org.calmworkbench.backend.train.AePresets;
import picocli.CommandLine.Option;

/** {@code calm bench ae}: autoencoder training throughput against the matmul roofline, in one run. */
public final class BenchAeCommand implements Command {
  @Option(names = "--preset", paramLabel = "NAME", description = "autoencoder preset")
  String preset = AePresets.DEFAULT;
  @Option(names = "--vocab-size", paramLabel = "N", description = "vocabulary size (Llama 3: 128256)")
  Integer vocabSize = 1024;
  @Option(names = "--batch-size", paramLabel = "N", description = "chunks per step (default: the preset's)")
  Integer batchSize;
  @Option(names = "--steps", paramLabel = "N", description = "measured steps (after 5 warm-up steps)")
  Integer steps = 40;
  @Option(names = "--roofline-size", paramLabel = "N", description = "matrix size of the roofline matmul")
  Integer rooflineSize = 1024;

  @Override
  public String name() {
    return "bench ae";
  }

  @Override
  public String summary() {
    return "measure autoencoder training tokens/s and model FLOP/s against this machine's matmul roofline";
  }

  @Override
  public String description() {
    return summary() + """


        Training FLOPs are counted as 6 x (matrix parameters used per token) x tokens, including the tied
        output projection (see docs/BENCHMARKS.md). The roofline is the best dense fp32 N x N matmul rate
        of the same engine, measured in the same run.""";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    ctx.reportDevice();
    int batch = batchSize != null ? Ranges.check("batch-size", batchSize, 1, 1 << 20) : 0;
    AeThroughput.Result r = AeThroughput.run(preset, Ranges.check("vocab-size", vocabSize, 2, 1 << 20), batch,
        Ranges.check("steps", steps, 2, 1_000_000), 5, Ranges.check("roofline-size", rooflineSize, 64, 8192));
    ctx.out().printf(Locale.ROOT, "preset %s, vocab %d, batch %d chunks, %d measured steps%n", r.preset(), r.vocabSize(),
        r.batchSize(), r.measuredSteps());
    ctx.out().printf(Locale.ROOT, "training throughput   %,.0f tokens/s%n", r.tokensPerSecond());
    ctx.out().printf(Locale.ROOT, "model FLOPs per token %,.0f (6 x matmul params per token)%n", r.flopsPerToken());
    ctx.out().printf(Locale.ROOT, "achieved              %.1f GFLOP/s%n", r.achievedFlops() / 1e9);
    ctx.out().printf(Locale.ROOT, "matmul roofline       %.1f GFLOP/s (%dx%d fp32, same run)%n", r.rooflineFlops() / 1e9,
        r.rooflineSize(), r.rooflineSize());
    ctx.out().printf(Locale.ROOT, "fraction of roofline  %.1f%%%n", 100 * r.fractionOfRoofline());
    ctx.out().printf(Locale.ROOT, "parameters            %,d, of which the tied embedding/output layer %,d (%.1f%%)%n",
        r.parameters(), r.outputParameters(), 100.0 * r.outputParameters() / r.parameters());
    ctx.out().printf(Locale.ROOT, "output layer FLOPs    %.1f%% of training FLOPs%n", 100 * r.outputFlopsShare());
    ctx.out().printf(Locale.ROOT, "training state        %.0f MiB (fp32 weights, gradients, AdamW moments)%n",
        r.trainingStateBytes() / 1048576.0);
    ctx.out().printf(Locale.ROOT, "logits per step       %.0f MiB (B*K x V fp32; its gradient as much again)%n",
        r.logitsBytes() / 1048576.0);
    ctx.out().printf(Locale.ROOT, "peak RSS              %.0f MiB%n", r.peakRssBytes() / 1048576.0);
    ctx.put("preset", r.preset());
    ctx.put("tokens_per_second", r.tokensPerSecond());
    ctx.put("flops_per_token", r.flopsPerToken());
    ctx.put("achieved_flops", r.achievedFlops());
    ctx.put("roofline_flops", r.rooflineFlops());
    ctx.put("fraction_of_roofline", r.fractionOfRoofline());
    ctx.put("vocab_size", r.vocabSize());
    ctx.put("batch_size", r.batchSize());
    ctx.put("parameters", r.parameters());
    ctx.put("output_parameters", r.outputParameters());
    ctx.put("output_flops_share", r.outputFlopsShare());
    ctx.put("training_state_bytes", r.trainingStateBytes());
    ctx.put("logits_bytes", r.logitsBytes());
    ctx.put("peak_rss_bytes", r.peakRssBytes());
    return 0;
  }
}
