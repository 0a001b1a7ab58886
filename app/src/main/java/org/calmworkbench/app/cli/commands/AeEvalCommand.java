package org.calmworkbench.app.cli.commands;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.nio.file.Path;
import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.ProgressLine;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.eval.Reconstruction;
import org.calmworkbench.backend.workflow.AeEvaluation;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code calm ae eval}: reconstruction accuracy under Gaussian latent noise. */
public final class AeEvalCommand implements Command {
  @Option(names = "--checkpoint", paramLabel = "DIR", required = true, description = "autoencoder checkpoint folder")
  Path checkpoint;
  @Option(names = "--noise", paramLabel = "S1,S2,...", description = "noise levels sigma")
  String noise = "0,0.1,0.2,0.3,0.5";
  @Option(names = "--max-patches", paramLabel = "N", description = "chunks to evaluate at most")
  Integer maxPatches = 20000;
  @Option(names = "--split", paramLabel = "all|valid", description = "which part of the corpus")
  String split = "all";
  @Option(names = "--mode", paramLabel = "mean|posterior", description = "which latent the noise is added to")
  String modeName = "mean";
  @Mixin
  EvaluationOptions evaluation;
  @Option(names = "--worst", paramLabel = "N", description = "worst chunks to show per sigma")
  Integer worst = 3;

  @Override
  public String name() {
    return "ae eval";
  }

  @Override
  public String summary() {
    return "reconstruction accuracy of an autoencoder on held-out text, for several noise levels sigma";
  }

  @Override
  public String description() {
    return summary() + """


        Each chunk's latent mean gets noise N(0, sigma^2) and is decoded by argmax. Reports token accuracy,
        chunk (patch) exact-match rate and the worst-reconstructed chunks. --split all (default) evaluates
        the corpus in order; --split valid takes the held-out part that 'ae train' split off the same
        corpus. --mode posterior decodes mean + std * eps (+ noise) instead of the mean.""";
  }


  static double[] parseSigmas(String raw) {
    String[] parts = raw.split(",");
    double[] out = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        out[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new CalmException("--noise expects comma-separated numbers, got '" + parts[i] + "'");
      }
      if (!(out[i] >= 0) || Double.isInfinite(out[i])) {
        throw new CalmException("--noise: sigma must be a finite number >= 0, got " + parts[i]);
      }
    }
    return out;
  }

  @Override
  public int run(CliContext ctx) throws Exception {
    Reconstruction.Mode mode = switch (modeName) {
      case "mean" -> Reconstruction.Mode.MEAN;
      case "posterior" -> Reconstruction.Mode.POSTERIOR;
      default -> throw new CalmException("--mode must be mean or posterior, got '" + modeName + "'");
    };
    AeEvaluation.Options o = new AeEvaluation.Options(checkpoint, evaluation.corpus(),
        parseSigmas(noise), Ranges.check("max-patches", maxPatches, 1, Integer.MAX_VALUE), split, mode,
        evaluation.seed(), Ranges.check("worst", worst, 0, 1000));
    ProgressLine line = ctx.progress("ae eval", 1000);
    AeEvaluation.Result r = AeEvaluation.run(o, f -> line.update(Math.round(f * 1000), ""));
    line.finish(1000, "");
    ctx.out().printf(Locale.ROOT, "%d chunks of K=%d tokens (%s, split %s)%n", r.patches(), r.report().patchSize(),
        mode.name().toLowerCase(Locale.ROOT), r.split());
    ctx.out().println("  sigma   token acc   chunk exact");
    JsonArray results = new JsonArray();
    for (Reconstruction.Level l : r.report().levels()) {
      ctx.out().printf(Locale.ROOT, "  %5.2f   %9.5f   %11.5f%n", l.sigma(), l.tokenAccuracy(), l.patchAccuracy());
      JsonObject j = new JsonObject();
      j.addProperty("sigma", l.sigma());
      j.addProperty("token_accuracy", l.tokenAccuracy());
      j.addProperty("patch_accuracy", l.patchAccuracy());
      j.addProperty("tokens", l.tokens());
      j.addProperty("patches", l.patches());
      results.add(j);
    }
    JsonArray worst = new JsonArray();
    if (!r.worst().isEmpty()) {
      ctx.out().println("worst chunks:");
    }
    for (AeEvaluation.Worst w : r.worst()) {
      ctx.out().printf(Locale.ROOT, "  sigma %.2f  %d wrong  %s -> %s%n", w.sigma(), w.errors(), quote(w.input()), quote(w.decoded()));
      JsonObject j = new JsonObject();
      j.addProperty("sigma", w.sigma());
      j.addProperty("errors", w.errors());
      j.addProperty("input", w.input());
      j.addProperty("decoded", w.decoded());
      worst.add(j);
    }
    Reconstruction.Geometry g = r.report().geometry();
    ctx.out().printf(Locale.ROOT, "latent space: posterior std %.3f (mean over dimensions), KL %.1f nats per chunk"
        + " (%.2f per dimension), means rms %.3f%n", g.posteriorStd(), g.klPerChunk(),
        g.klPerDimension(), g.meanRms());
    ctx.put("posterior_std", g.posteriorStd());
    ctx.put("kl_per_chunk", g.klPerChunk());
    ctx.put("mean_rms", g.meanRms());
    ctx.put("results", results);
    ctx.put("worst", worst);
    ctx.put("patches", r.patches());
    ctx.put("mode", mode.name().toLowerCase(Locale.ROOT));
    return 0;
  }

  static String quote(String s) {
    return "\"" + s.replace("\\", "\\\\").replace("\n", "\\n").replace("\"", "\\\"") + "\"";
  }
}
