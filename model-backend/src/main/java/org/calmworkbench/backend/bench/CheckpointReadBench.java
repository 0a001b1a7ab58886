package org.calmworkbench.backend.bench;

import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.function.Consumer;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.io.HalfFloats;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.io.pytorch.StorageType;
import org.calmworkbench.backend.io.pytorch.TorchSaveWriter;
import org.calmworkbench.backend.io.pytorch.TorchStateDict;

/**
 * {@code calm bench checkpoint-read}: peak memory of reading a large bf16 {@code pytorch_model.bin}.
 * Writes a synthetic state dict shaped like a Llama-style CALM backbone (CALM-XL: 1.8B parameters,
 * about 3.6 GB in bf16) with {@code torch.save}'s layout, then reads it the way the checkpoint
 * loader does ({@link TorchStateDict}: one tensor at a time, converted to float32) and reports the
 * process's peak resident set size. Optionally it then also keeps every tensor as a native float32
 * array, as a loaded model does, and reports the peak again: the model itself (4 bytes per
 * parameter) plus what reading adds.
 */
public final class CheckpointReadBench {
  private CheckpointReadBench() {}

  /** One tensor of the synthetic checkpoint. */
  public record Spec(String name, long[] shape) {
    long numel() {
      long n = 1;
      for (long d : shape) {
        n *= d;
      }
      return n;
    }
  }

  /**
   * @param hidden H
   * @param intermediate the MLP's inner width
   * @param vocab rows of the embedding (the largest tensor)
   * @param layers Transformer layers
   * @param dir where the file is written (deleted afterwards unless {@code keepFile})
   * @param intoArrays also keep every tensor as a native array, as a loaded model does
   */
  public record Options(int hidden, int intermediate, int vocab, int layers, Path dir, boolean keepFile,
      boolean intoArrays) {
    /** CALM-XL-like: H = 2048, MLP 5632, the Llama 3 vocabulary, as many layers as reach {@code params}. */
    public static Options forParams(long params, Path dir, boolean keepFile, boolean intoArrays) {
      int h = 2048;
      int inner = 5632;
      int vocab = 128_256;
      long perLayer = 4L * h * h + 3L * h * inner + 2L * h;
      long layers = Math.max(1, Math.round((double) (params - (long) vocab * h - h) / perLayer));
      if (layers > 1000) {
        throw new CalmException("--params " + params + " is beyond this benchmark's range");
      }
      return new Options(h, inner, vocab, (int) layers, dir, keepFile, intoArrays);
    }
  }

  /**
   * @param peakRssReadBytes VmHWM after reading every tensor once (-1 where unknown)
   * @param peakRssArraysBytes VmHWM after also keeping them all as native float32 arrays (-1: not run)
   */
  public record Result(Path file, long fileBytes, long params, int tensors, long largestTensorParams,
      double writeSeconds, double readSeconds, long rssBeforeReadBytes, long peakRssReadBytes,
      long peakRssArraysBytes, double checksum) {}

  /** The tensors of the synthetic checkpoint. */
  public static List<Spec> layout(Options o) {
    List<Spec> specs = new ArrayList<>();
    long h = o.hidden();
    long inner = o.intermediate();
    specs.add(new Spec("transformer.embed_tokens.weight", new long[] {o.vocab(), h}));
    for (int i = 0; i < o.layers(); i++) {
      String p = "transformer.layers." + i + ".";
      for (String proj : new String[] {"q_proj", "k_proj", "v_proj", "o_proj"}) {
        specs.add(new Spec(p + "self_attn." + proj + ".weight", new long[] {h, h}));
      }
      specs.add(new Spec(p + "mlp.gate_proj.weight", new long[] {inner, h}));
      specs.add(new Spec(p + "mlp.up_proj.weight", new long[] {inner, h}));
      specs.add(new Spec(p + "mlp.down_proj.weight", new long[] {h, inner}));
      specs.add(new Spec(p + "input_layernorm.weight", new long[] {h}));
      specs.add(new Spec(p + "post_attention_layernorm.weight", new long[] {h}));
    }
    specs.add(new Spec("transformer.norm.weight", new long[] {h}));
    return specs;
  }

  public static Result run(Options o, Consumer<String> log) throws IOException {
    List<Spec> specs = layout(o);
    long params = specs.stream().mapToLong(Spec::numel).sum();
    long largest = specs.stream().mapToLong(Spec::numel).max().orElse(0);
    Files.createDirectories(o.dir());
    Path file = o.dir().resolve("pytorch_model.bin");
    try {
      log.accept(String.format("writing %s: %d tensors, %.3f B parameters, %.2f GB in bf16...", file, specs.size(),
          params / 1e9, params * 2 / 1e9));
      long t0 = System.nanoTime();
      write(file, specs);
      double writeSeconds = (System.nanoTime() - t0) / 1e9;
      System.gc();
      long before = ProcessMemory.rssBytes();
      log.accept("reading it one tensor at a time...");
      t0 = System.nanoTime();
      double checksum = 0;
      try (TorchStateDict sd = TorchStateDict.open(file)) {
        for (String name : sd.names()) {
          Tensor t = sd.read(name);
          checksum += t.data()[0] + t.data()[t.data().length - 1];
        }
      }
      double readSeconds = (System.nanoTime() - t0) / 1e9;
      long peakRead = ProcessMemory.peakRssBytes();
      long peakArrays = -1;
      if (o.intoArrays()) {
        log.accept("reading it again into native float32 arrays, all kept (as a loaded model holds them)...");
        try (NDManager m = NDManager.newBaseManager(ComputeDevice.device());
            TorchStateDict sd = TorchStateDict.open(file)) {
          for (String name : sd.names()) {
            Tensor t = sd.read(name);
            m.create(t.data(), new Shape(toLongs(t.shape())));
          }
          peakArrays = ProcessMemory.peakRssBytes();
        }
      }
      return new Result(file, Files.size(file), params, specs.size(), largest, writeSeconds, readSeconds, before,
          peakRead, peakArrays, checksum);
    } finally {
      if (!o.keepFile()) {
        Files.deleteIfExists(file);
      }
    }
  }

  private static long[] toLongs(int[] s) {
    long[] out = new long[s.length];
    for (int i = 0; i < s.length; i++) {
      out[i] = s[i];
    }
    return out;
  }

  /** Each tensor its own bf16 storage of values uniform in [-0.05, 0.05), seeded by its index. */
  static void write(Path file, List<Spec> specs) throws IOException {
    List<TorchSaveWriter.Storage> storages = new ArrayList<>();
    List<TorchSaveWriter.Entry> entries = new ArrayList<>();
    for (int i = 0; i < specs.size(); i++) {
      Spec s = specs.get(i);
      long seed = i;
      storages.add(new TorchSaveWriter.Storage(String.valueOf(i), StorageType.BFLOAT16, s.numel(),
          out -> randomBf16(out, s.numel(), seed)));
      entries.add(TorchSaveWriter.Entry.contiguous(s.name(), String.valueOf(i), s.shape()));
    }
    TorchSaveWriter.write(file, "pytorch_model", storages, entries);
  }

  private static void randomBf16(OutputStream out, long count, long seed) throws IOException {
    SplittableRandom r = new SplittableRandom(seed);
    ByteBuffer chunk = ByteBuffer.allocate(1 << 20).order(ByteOrder.LITTLE_ENDIAN);
    for (long done = 0; done < count; ) {
      chunk.clear();
      int n = (int) Math.min(chunk.capacity() / 2, count - done);
      for (int i = 0; i < n; i++) {
        chunk.putShort((short) HalfFloats.floatToBf16((float) (r.nextDouble() * 0.1 - 0.05)));
      }
      out.write(chunk.array(), 0, n * 2);
      done += n;
    }
  }
}
