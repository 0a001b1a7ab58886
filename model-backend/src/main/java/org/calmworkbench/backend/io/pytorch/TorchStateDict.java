package org.calmworkbench.backend.io.pytorch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.io.TensorSource;

/**
 * A {@code torch.save}d state dict ({@code pytorch_model.bin}): a zip archive holding {@code
 * <name>/data.pkl}, the pickle of an OrderedDict of tensors ({@link PickleReader}, which runs
 * nothing), and one {@code <name>/data/<key>} entry per storage. Opening reads the archive's
 * directory and the pickle and checks every tensor against its storage and every storage against
 * the archive, before any tensor data is read; tensors are then read one at a time, by position in
 * the file, each converted to float32 on its own (a 3.6 GB bf16 checkpoint is never in memory).
 */
public final class TorchStateDict implements TensorSource {
  /** data.pkl of a 1.8B-parameter model is about 100 KB; anything near this is not a state dict. */
  static final long MAX_PICKLE_BYTES = 64L << 20;

  /** Bytes read from the file per call when copying a contiguous tensor. */
  private static final int CHUNK_BYTES = 4 << 20;

  /** Pages of a non-contiguous tensor's storage kept while gathering its elements. */
  private static final int PAGE_BYTES = 1 << 20;
  private static final int MAX_PAGES = 16;

  private final Path file;
  private final FileChannel channel;
  private final Map<String, TensorView> tensors;
  private final Map<String, StoredZip.Entry> storageEntries;

  private TorchStateDict(Path file, FileChannel channel, Map<String, TensorView> tensors,
      Map<String, StoredZip.Entry> storageEntries) {
    this.file = file;
    this.channel = channel;
    this.tensors = Collections.unmodifiableMap(tensors);
    this.storageEntries = storageEntries;
  }

  /**
   * Opens {@code file} and reads its directory and pickle.
   *
   * @throws CalmException naming the file: not a torch.save zip, damaged or truncated, a refused
   *     pickle global (the name of the global is in the message), or a tensor outside its storage
   */
  public static TorchStateDict open(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CalmException("PyTorch checkpoint not found: " + file);
    }
    FileChannel channel = null;
    try {
      channel = FileChannel.open(file, StandardOpenOption.READ);
      StoredZip zip = StoredZip.read(file, channel);
      StoredZip.Entry pickle = findPickle(file, zip);
      String prefix = pickle.name().substring(0, pickle.name().length() - "data.pkl".length());
      if (pickle.size() > MAX_PICKLE_BYTES) {
        throw StoredZip.corrupt(file, pickle.name() + " is " + pickle.size() + " bytes; a state dict's pickle is far"
            + " smaller (limit " + MAX_PICKLE_BYTES + ")");
      }
      byte[] bytes = StoredZip.readAt(file, channel, pickle.dataStart(), (int) pickle.size()).array();
      Map<String, TensorView> tensors = PickleReader.readStateDict(bytes, file.toString());
      Map<String, StoredZip.Entry> storages = new LinkedHashMap<>();
      for (Map.Entry<String, TensorView> e : tensors.entrySet()) {
        TensorView.Storage s = e.getValue().storage();
        if (storages.containsKey(s.key())) {
          continue;
        }
        StoredZip.Entry entry = zip.entries().get(prefix + "data/" + s.key());
        if (entry == null) {
          throw StoredZip.corrupt(file, "tensor " + e.getKey() + " uses storage " + s.key() + ", but the archive has no "
              + prefix + "data/" + s.key());
        }
        long bytesNeeded;
        try {
          bytesNeeded = Math.multiplyExact(s.numel(), (long) s.type().elementSize());
        } catch (ArithmeticException ex) {
          bytesNeeded = Long.MAX_VALUE;
        }
        if (bytesNeeded > entry.size()) {
          throw StoredZip.corrupt(file, "storage " + s.key() + " (used by " + e.getKey() + ") declares " + s.numel() + " "
              + s.type() + " elements (" + bytesNeeded + " bytes) but its entry holds " + entry.size() + " bytes");
        }
        storages.put(s.key(), entry);
      }
      return new TorchStateDict(file, channel, tensors, storages);
    } catch (IOException e) {
      closeQuietly(channel);
      throw new CalmException("cannot read " + file + ": " + e.getMessage(), e);
    } catch (RuntimeException e) {
      closeQuietly(channel);
      throw e;
    }
  }

  private static StoredZip.Entry findPickle(Path file, StoredZip zip) {
    List<StoredZip.Entry> pickles = zip.entries().values().stream()
        .filter(e -> e.name().equals("data.pkl") || e.name().endsWith("/data.pkl")).toList();
    if (pickles.size() != 1) {
      throw StoredZip.corrupt(file, pickles.isEmpty()
          ? "the archive has no data.pkl (is it a torch.save file?)"
          : "the archive has " + pickles.size() + " data.pkl entries");
    }
    return pickles.get(0);
  }

  /** Every tensor's layout by name, in file order. */
  public Map<String, TensorView> views() {
    return tensors;
  }

  @Override
  public Path file() {
    return file;
  }

  @Override
  public Set<String> names() {
    return tensors.keySet();
  }

  public TensorView view(String name) {
    TensorView v = tensors.get(name);
    if (v == null) {
      throw new CalmException("tensor " + name + " is missing from " + file);
    }
    return v;
  }

  @Override
  public int[] shape(String name) {
    return intShape(name, view(name));
  }

  private int[] intShape(String name, TensorView v) {
    long[] s = v.shape();
    int[] out = new int[s.length];
    for (int i = 0; i < s.length; i++) {
      if (s[i] > Integer.MAX_VALUE) {
        throw new CalmException(file + ": tensor " + name + " has dimension " + s[i] + ", too large to load");
      }
      out[i] = (int) s[i];
    }
    return out;
  }

  @Override
  public Tensor read(String name) {
    TensorView v = view(name);
    if (!v.storage().type().isFloating()) {
      throw new CalmException(file + ": tensor " + name + " holds " + v.storage().type().global()
          + " integers, not weights");
    }
    int[] shape = intShape(name, v);
    long numel = v.numel();
    if (numel > Tensor.MAX_ELEMENTS) {
      throw new CalmException(file + ": tensor " + name + " " + Arrays.toString(shape) + " has " + numel
          + " elements, more than one Java array holds (" + Tensor.MAX_ELEMENTS + ")");
    }
    float[] data = new float[(int) numel];
    try {
      if (v.isContiguous()) {
        readContiguous(v, data);
      } else {
        gather(v, data);
      }
    } catch (IOException e) {
      throw new CalmException("cannot read tensor " + name + " from " + file + ": " + e.getMessage(), e);
    }
    return new Tensor(name, shape, data);
  }

  private void readContiguous(TensorView v, float[] data) throws IOException {
    StorageType type = v.storage().type();
    int size = type.elementSize();
    long position = storageEntries.get(v.storage().key()).dataStart() + v.offset() * size;
    ByteBuffer chunk = ByteBuffer.allocate(Math.min(CHUNK_BYTES, Math.max(size, data.length * size)))
        .order(ByteOrder.LITTLE_ENDIAN);
    int perChunk = chunk.capacity() / size;
    for (int done = 0; done < data.length; ) {
      int count = Math.min(perChunk, data.length - done);
      chunk.clear().limit(count * size);
      StoredZip.readFully(file, channel, chunk, position);
      for (int i = 0; i < count; i++) {
        data[done + i] = type.floatAt(chunk, i * size);
      }
      done += count;
      position += (long) count * size;
    }
  }

  /** Strided views (a transpose, a slice): element by element through a few cached pages. */
  private void gather(TensorView v, float[] data) throws IOException {
    StorageType type = v.storage().type();
    int size = type.elementSize();
    long base = storageEntries.get(v.storage().key()).dataStart();
    long[] shape = v.shape();
    long[] stride = v.stride();
    long[] index = new long[shape.length];
    Map<Long, ByteBuffer> pages = new LinkedHashMap<>(MAX_PAGES, 0.75f, true) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<Long, ByteBuffer> eldest) {
        return size() > MAX_PAGES;
      }
    };
    long end = base + storageEntries.get(v.storage().key()).size();
    for (int i = 0; i < data.length; i++) {
      long element = v.offset();
      for (int d = 0; d < shape.length; d++) {
        element += index[d] * stride[d];
      }
      long at = base + element * size;
      long page = at / PAGE_BYTES;
      ByteBuffer buf = pages.get(page);
      if (buf == null) {
        long start = page * PAGE_BYTES;
        int length = (int) Math.min(PAGE_BYTES + 8, end - start); // + 8: an element may cross the page end
        buf = StoredZip.readAt(file, channel, start, length);
        pages.put(page, buf);
      }
      data[i] = type.floatAt(buf, (int) (at - page * PAGE_BYTES));
      for (int d = shape.length - 1; d >= 0; d--) { // next index, row-major
        if (++index[d] < shape[d]) {
          break;
        }
        index[d] = 0;
      }
    }
  }

  @Override
  public void close() {
    closeQuietly(channel);
  }

  private static void closeQuietly(FileChannel channel) {
    if (channel != null) {
      try {
        channel.close();
      } catch (IOException ignored) {
        // already failing or done
      }
    }
  }
}
