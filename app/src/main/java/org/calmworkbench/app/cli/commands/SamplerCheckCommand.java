package org.calmworkbench.app.cli.commands;

import com.google.gson.JsonParser;
import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.sampling.SamplerCheck;
import org.calmworkbench.backend.sampling.TemperatureSampler;
import picocli.CommandLine.Option;

/**
 * {@code calm sampler-check}: the likelihood-free temperature samplers on a categorical
 * distribution whose answer is known, p^(1/T)/Z. A test of the samplers and a classroom tool.
 */
public final class SamplerCheckCommand implements Command {
  @Option(names = "--probs", paramLabel = "P1,P2,...", required = true, description = "the categorical distribution (normalised if it sums to 1 within 1e-3)")
  String probs;
  @Option(names = "--temperature", paramLabel = "T", required = true, description = "temperature in (0, 1]")
  Double temperature;
  @Option(names = "--method", paramLabel = "exact|batch", required = true, description = "which sampler")
  String method;
  @Option(names = "--candidates", paramLabel = "N", description = "N for batch")
  Integer candidates = SamplerCheck.DEFAULT_CANDIDATES;
  @Option(names = "--draws", paramLabel = "N", required = true, description = "outputs to sample")
  Integer draws;
  @Option(names = "--seed", paramLabel = "N", description = "random seed")
  Long seed = 0L;
  @Option(names = "--max-calls", paramLabel = "N", description = "exact sampler's budget of calls per output")
  Integer maxCalls = TemperatureSampler.DEFAULT_MAX_SAMPLER_CALLS;

  @Override
  public String name() {
    return "sampler-check";
  }

  @Override
  public String summary() {
    return "sample a known categorical distribution at temperature T without likelihoods and compare with p^(1/T)/Z";
  }

  @Override
  public String description() {
    return summary() + """


        The distribution is used only as a black box that returns draws, as CALM's generative head is.
          exact  Algorithm 1: write 1/T = n + alpha; accept when n draws agree, then a Bernoulli factory
                 for P(x)^alpha (draw; equal: accept; else restart with probability alpha/i). Exact, at a
                 cost of sampler calls that grows as T falls; over --max-calls it falls back to batch.
          batch  Algorithm 2: draw N candidates; for m = floor(1/T) down to 1 pick among those seen at
                 least m times with weight C(count, 1/T) (generalised binomial for fractional 1/T).
                 Biased for small N; the bias shrinks as N grows.
        Prints the observed frequencies, the target, their total variation and the mean sampler calls.""";
  }


  static double[] parseProbs(String raw) {
    String[] parts = raw.split(",");
    double[] p = new double[parts.length];
    for (int i = 0; i < parts.length; i++) {
      try {
        p[i] = Double.parseDouble(parts[i].trim());
      } catch (NumberFormatException e) {
        throw new CalmException("--probs expects comma-separated numbers, got '" + parts[i].trim() + "' (item " + (i + 1) + ")");
      }
    }
    return p;
  }

  @Override
  public int run(CliContext ctx) {
    SamplerCheck.Config config = new SamplerCheck.Config(parseProbs(probs), temperature,
        SamplerCheck.Method.parse(method), candidates, draws,
        seed, Ranges.check("max-calls", maxCalls, 1, Integer.MAX_VALUE));
    SamplerCheck.Result r = SamplerCheck.run(config);
    double[] p = r.probabilities();
    double[] f = r.frequencies();
    double[] t = r.target();
    ctx.out().printf(Locale.ROOT, "%s sampler, T = %s, %d draws%s%n", config.method().label(), temperature,
        config.draws(), config.method() == SamplerCheck.Method.BATCH ? ", N = " + config.candidates() : "");
    ctx.out().println("  item        p   target p^(1/T)/Z   observed");
    for (int i = 0; i < p.length; i++) {
      ctx.out().printf(Locale.ROOT, "  %4d  %7.4f   %16.4f   %8.4f%n", i, p[i], t[i], f[i]);
    }
    ctx.out().printf(Locale.ROOT, "total variation %.5f, %.2f sampler calls per output%s%n", r.totalVariation(),
        r.meanSamplerCalls(), r.fallbacks() > 0 ? ", " + r.fallbacks() + " outputs fell back to batch" : "");
    JsonParser.parseString(r.toJson()).getAsJsonObject().entrySet().forEach(e -> ctx.put(e.getKey(), e.getValue()));
    return 0;
  }
}
