package org.calmworkbench.app.cli.commands;

import com.google.gson.JsonArray;
import com.google.gson.JsonObject;
import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.bench.MemoryGrowth;
import org.calmworkbench.backend.bench.TrainingMemory;
import picocli.CommandLine.Option;

/** {@code calm bench memory}: does memory stay flat over a long training run? */
public final class BenchMemoryCommand implements Command {
  @Option(names = "--model", paramLabel = "ae|lm", description = "autoencoder or CALM language model")
  String model = "ae";
  @Option(names = "--preset", paramLabel = "NAME", description = "preset of that model")
  String preset = "tiny";
  @Option(names = "--steps", paramLabel = "N", description = "training steps")
  Integer steps = 10000;
  @Option(names = "--sample-every", paramLabel = "N", description = "steps between memory samples")
  Integer sampleEvery = 500;
  @Option(names = "--warmup", paramLabel = "STEP", description = "growth is measured from the first sample at or after this step")
  Integer warmup = 1000;
  @Option(names = "--vocab-size", paramLabel = "N", description = "vocabulary of the random token ids")
  Integer vocabSize = 1024;
  @Option(names = "--seed", paramLabel = "N", description = "random seed")
  Long seed = 42L;
  @Option(names = "--eval-every", paramLabel = "N", description = "steps between evaluations (default: --sample-every); to isolate what grows")
  Integer evalEvery;
  @Option(names = "--checkpoint-every", paramLabel = "S", description = "seconds between checkpoints (default: the preset's); to isolate what grows")
  Double checkpointEvery;

  /** The goal: at most this much growth after warm-up. */
  public static final double GOAL_PERCENT = 5.0;

  @Override
  public String name() {
    return "bench memory";
  }

  @Override
  public String summary() {
    return "train a preset for many steps and check that process memory (RSS) and heap stay flat";
  }

  @Override
  public String description() {
    return summary() + """


        Trains on uniform random token ids through the real trainer (evaluation every --sample-every
        steps, checkpoints as the preset says, in a temporary folder that is deleted afterwards). Every
        --sample-every steps it records the resident set size (all memory, PyTorch's native tensors
        included) and the Java heap used after a full GC, then prints the growth from the first sample
        at or after --warmup to the last one. Goal: at most 5%. --model lm trains a tiny autoencoder
        for 20 steps first, then the CALM language model preset.

        The column RSS-heap commit. is the memory outside the Java heap (native tensors, malloc
        arenas, JVM internals): its growth is what a native leak or fragmentation shows in, whatever
        G1 does with the heap. To keep G1's resizing out of the RSS figure too, pin the heap:
        JAVA_OPTS="-Xms256m -Xmx256m" ./calm bench memory. Training calls malloc_trim after each
        evaluation and checkpoint on Linux (glibc); -Dcalm.mallocTrim=false in JAVA_OPTS turns
        that off, to compare.""";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    ctx.reportDevice();
    TrainingMemory.Options o = new TrainingMemory.Options(TrainingMemory.ModelKind.parse(model),
        preset, Ranges.check("steps", steps, 1, Integer.MAX_VALUE), Ranges.check("sample-every", sampleEvery, 1, Integer.MAX_VALUE),
        Ranges.check("warmup", warmup, 0, Integer.MAX_VALUE), Ranges.check("vocab-size", vocabSize, 2, 1 << 20), seed,
        evalEvery != null ? Ranges.check("eval-every", evalEvery, 1, Integer.MAX_VALUE) : Ranges.check("sample-every", sampleEvery, 1, Integer.MAX_VALUE),
        checkpointEvery);
    Cancellation stop = ctx.cancellation();
    ctx.out().printf(Locale.ROOT, "training %s preset %s for %d steps on random ids (vocab %d); sampling every %d steps%n",
        o.model().name().toLowerCase(Locale.ROOT), o.preset(), o.steps(), o.vocabSize(), o.sampleEvery());
    ctx.out().printf(Locale.ROOT, "%8s  %10s  %12s  %14s  %16s  %10s  %16s%n", "step", "RSS MiB", "heap MiB", "heap committed",
        "non-heap commit.", "NDArrays", "RSS-heap commit.");
    ctx.out().flush();
    TrainingMemory.Result r = TrainingMemory.run(o, s -> {
      ctx.out().printf(Locale.ROOT, "%8d  %10s  %12.1f  %14s  %16s  %10d  %16s%n", s.step(), mib(s.rssBytes()),
          s.heapUsedBytes() / 1048576.0, mib(s.heapCommittedBytes()), mib(s.nonHeapCommittedBytes()), s.liveNdArrays(),
          mib(s.nativeBytes()));
      ctx.out().flush();
      if (ctx.json()) {
        ctx.err().printf(Locale.ROOT, "step %d: RSS %s MiB, heap %.1f MiB%n", s.step(), mib(s.rssBytes()),
            s.heapUsedBytes() / 1048576.0);
      }
    }, stop::isCancelled);
    if (stop.isCancelled()) {
      ctx.log("stopped early: the growth covers the steps run so far");
    }
    MemoryGrowth.Sample base = MemoryGrowth.baseline(r.samples(), o.warmupStep());
    ctx.out().printf(Locale.ROOT, "before training: RSS %s MiB, heap %.1f MiB (max heap %.0f MiB)%n", mib(r.before().rssBytes()),
        r.before().heapUsedBytes() / 1048576.0, r.maxHeapBytes() / 1048576.0);
    ctx.out().printf(Locale.ROOT, "RSS growth from step %s to the end   %s (peak %s)  [%s]%n",
        base == null ? "-" : Long.toString(base.step()), percent(r.rssGrowthPercent()), percent(r.rssPeakGrowthPercent()),
        r.rssSource());
    ctx.out().printf(Locale.ROOT, "RSS - heap committed (outside the Java heap) from step %s to the end   %s (peak %s)%n",
        base == null ? "-" : Long.toString(base.step()), percent(r.nativeGrowthPercent()), percent(r.nativePeakGrowthPercent()));
    ctx.out().printf(Locale.ROOT, "heap growth from step %s to the end  %s%n",
        base == null ? "-" : Long.toString(base.step()), percent(r.heapGrowthPercent()));
    ctx.out().printf(Locale.ROOT, "Java heap %s (initial %.0f MiB, max %.0f MiB); malloc_trim after evaluations and checkpoints: %s%n",
        r.initialHeapBytes() == r.maxHeapBytes() ? "pinned" : "not pinned: G1 resizing it shows in RSS",
        r.initialHeapBytes() / 1048576.0, r.maxHeapBytes() / 1048576.0, r.mallocTrim() ? "on" : "off");
    boolean pass = r.rssGrowthPercent() <= GOAL_PERCENT && r.heapGrowthPercent() <= GOAL_PERCENT;
    ctx.out().printf(Locale.ROOT, "goal <= %.0f%% growth after warm-up: %s   (%.1f steps/s)%n", GOAL_PERCENT,
        pass ? "met" : "NOT met", r.stepsPerSecond());

    JsonArray samples = new JsonArray();
    for (MemoryGrowth.Sample s : r.samples()) {
      JsonObject j = new JsonObject();
      j.addProperty("step", s.step());
      j.addProperty("rss_bytes", s.rssBytes());
      j.addProperty("heap_used_bytes", s.heapUsedBytes());
      j.addProperty("heap_committed_bytes", s.heapCommittedBytes());
      j.addProperty("non_heap_committed_bytes", s.nonHeapCommittedBytes());
      j.addProperty("live_ndarrays", s.liveNdArrays());
      j.addProperty("native_bytes", s.nativeBytes());
      samples.add(j);
    }
    ctx.put("model", o.model().name().toLowerCase(Locale.ROOT));
    ctx.put("preset", o.preset());
    ctx.put("steps", o.steps());
    ctx.put("warmup_step", base == null ? null : base.step());
    ctx.put("samples", samples);
    ctx.put("rss_growth_percent", r.rssGrowthPercent());
    ctx.put("rss_peak_growth_percent", r.rssPeakGrowthPercent());
    ctx.put("heap_growth_percent", r.heapGrowthPercent());
    ctx.put("native_growth_percent", r.nativeGrowthPercent());
    ctx.put("native_peak_growth_percent", r.nativePeakGrowthPercent());
    ctx.put("heap_pinned", r.initialHeapBytes() == r.maxHeapBytes());
    ctx.put("malloc_trim", r.mallocTrim());
    ctx.put("rss_source", r.rssSource());
    ctx.put("steps_per_second", r.stepsPerSecond());
    ctx.put("goal_percent", GOAL_PERCENT);
    ctx.put("goal_met", pass);
    return 0;
  }

  private static String mib(long bytes) {
    return bytes < 0 ? "n/a" : String.format(Locale.ROOT, "%.1f", bytes / 1048576.0);
  }

  private static String percent(double p) {
    return Double.isNaN(p) ? "n/a" : String.format(Locale.ROOT, "%+.2f%%", p);
  }
}
