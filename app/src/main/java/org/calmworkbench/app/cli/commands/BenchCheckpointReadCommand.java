package org.calmworkbench.app.cli.commands;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.backend.bench.CheckpointReadBench;
import org.calmworkbench.backend.bench.ProcessMemory;
import picocli.CommandLine.Option;

/** {@code calm bench checkpoint-read}: peak RSS of reading a CALM-XL-sized bf16 pytorch_model.bin. */
public final class BenchCheckpointReadCommand implements Command {
  @Option(names = "--params", paramLabel = "N", description = "parameters of the synthetic checkpoint")
  Long params = 1_820_000_000L;
  @Option(names = "--dir", paramLabel = "DIR", description = "where the file is written (default: the temp folder)")
  Path dirOption;
  @Option(names = "--keep", description = "keep the file")
  boolean keep;
  @Option(names = "--into-arrays", description = "also read it into native float32 arrays that are all kept (needs 4 x params of RAM)")
  boolean intoArrays;

  @Override
  public String name() {
    return "bench checkpoint-read";
  }

  @Override
  public String summary() {
    return "write a synthetic bf16 pytorch_model.bin (default 1.82B parameters, ~3.6 GB) and report the peak RSS of reading it";
  }

  @Override
  public String description() {
    return summary() + """


        The file has torch.save's zip/pickle layout and a Llama-style backbone's tensors (H = 2048, MLP 5632, a
        128,256 x 2048 embedding, as many layers as reach --params). It is read the way every checkpoint command
        reads one: one tensor at a time, converted to float32. The peak resident set size (VmHWM, Linux) after
        that pass is the figure; with --into-arrays the file is then read again into native float32 arrays that
        are all kept, as a loaded model holds them, and the peak is reported again. Needs --params x 2 bytes of
        disk in --dir (default: the system temp folder); the file is deleted afterwards unless --keep.""";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    Path dir = dirOption != null ? dirOption : Files.createTempDirectory("calm-bench-read");
    CheckpointReadBench.Options o = CheckpointReadBench.Options.forParams(params, dir,
        keep, intoArrays);
    CheckpointReadBench.Result r = CheckpointReadBench.run(o, s -> ctx.err().println(s));
    if (!keep && dirOption == null) {
      Files.deleteIfExists(dir);
    }
    ctx.out().printf(Locale.ROOT, "checkpoint: %d tensors, %.3f B parameters, %.2f GB (bf16), largest tensor %.1f M"
        + " parameters; written in %.1f s%n", r.tensors(), r.params() / 1e9, r.fileBytes() / 1e9,
        r.largestTensorParams() / 1e6, r.writeSeconds());
    ctx.out().printf(Locale.ROOT, "read one tensor at a time to float32 in %.1f s: RSS before %.2f GB, peak RSS %.2f GB"
        + " (%s)%n", r.readSeconds(), r.rssBeforeReadBytes() / 1e9, r.peakRssReadBytes() / 1e9, "VmHWM");
    if (r.peakRssArraysBytes() >= 0) {
      ctx.out().printf(Locale.ROOT, "read into native float32 arrays, all kept: peak RSS %.2f GB (the arrays alone:"
          + " %.2f GB)%n", r.peakRssArraysBytes() / 1e9, r.params() * 4 / 1e9);
    }
    ctx.put("params", r.params());
    ctx.put("tensors", r.tensors());
    ctx.put("file_bytes", r.fileBytes());
    ctx.put("largest_tensor_params", r.largestTensorParams());
    ctx.put("write_seconds", r.writeSeconds());
    ctx.put("read_seconds", r.readSeconds());
    ctx.put("rss_before_read_bytes", r.rssBeforeReadBytes());
    ctx.put("peak_rss_read_bytes", r.peakRssReadBytes());
    ctx.put("peak_rss_arrays_bytes", r.peakRssArraysBytes() >= 0 ? r.peakRssArraysBytes() : null);
    ctx.put("rss_source", ProcessMemory.rssSource());
    return 0;
  }
}
