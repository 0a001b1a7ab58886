package org.calmworkbench.backend.io.pytorch;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.zip.CRC32;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.AtomicFiles;

/**
 * Writes a state dict in {@code torch.save}'s zip/pickle layout ({@code archive/data.pkl}, {@code
 * archive/data/<key>}, {@code archive/version}), streaming each storage's bytes, so that fixtures
 * and the memory benchmark can make files of any size that PyTorch and {@link TorchStateDict} read.
 * The pickle is protocol 2 with the opcodes {@code torch.save} emits. Archives are limited to 4 GiB
 * (no zip64 records are written).
 */
public final class TorchSaveWriter {
  private TorchSaveWriter() {}

  /** Writes a storage's {@code numel * elementSize} bytes, little-endian. */
  @FunctionalInterface
  public interface Bytes {
    void write(OutputStream out) throws IOException;
  }

  /** One storage: the {@code data/<key>} entry. */
  public record Storage(String key, StorageType type, long numel, Bytes bytes) {}

  /** One state-dict entry: a view of a storage (several may share one). */
  public record Entry(String name, String storageKey, long offset, long[] shape, long[] stride) {
    /** A row-major view of the whole of storage {@code key}. */
    public static Entry contiguous(String name, String key, long... shape) {
      long[] stride = new long[shape.length];
      long s = 1;
      for (int i = shape.length - 1; i >= 0; i--) {
        stride[i] = s;
        s *= shape[i];
      }
      return new Entry(name, key, 0, shape, stride);
    }
  }

  private static final long LIMIT = 0xFFFFFFFFL;

  /** Writes {@code file} atomically; archive entries are under {@code archive/} (torch uses the file's stem). */
  public static void write(Path file, String archive, List<Storage> storages, List<Entry> entries) throws IOException {
    byte[] pickle = pickle(storages, entries);
    AtomicFiles.write(file, raw -> {
      CountingOut out = new CountingOut(raw);
      List<byte[]> central = new ArrayList<>();
      central.add(writeEntry(out, archive + "/data.pkl", o -> o.write(pickle)));
      for (Storage s : storages) {
        long expected = s.numel() * s.type().elementSize();
        central.add(writeEntry(out, archive + "/data/" + s.key(), o -> {
          CountingOut c = new CountingOut(o);
          s.bytes().write(c);
          if (c.count != expected) {
            throw new IOException("storage " + s.key() + " wrote " + c.count + " bytes, expected " + expected);
          }
        }));
      }
      central.add(writeEntry(out, archive + "/version", o -> o.write("3\n".getBytes(StandardCharsets.US_ASCII))));
      long dirStart = out.count;
      for (byte[] c : central) {
        out.write(c);
      }
      long dirSize = out.count - dirStart;
      checkLimit(out.count);
      ByteBuffer end = le(22);
      end.putInt(0x06054b50).putShort((short) 0).putShort((short) 0).putShort((short) central.size())
          .putShort((short) central.size()).putInt((int) dirSize).putInt((int) dirStart).putShort((short) 0);
      out.write(end.array());
    });
  }

  /** Local header (sizes in a data descriptor, as the data is streamed), data, descriptor; returns the central record. */
  private static byte[] writeEntry(CountingOut out, String name, Bytes data) throws IOException {
    byte[] nameBytes = name.getBytes(StandardCharsets.UTF_8);
    long localOffset = out.count;
    checkLimit(localOffset);
    ByteBuffer local = le(30 + nameBytes.length);
    local.putInt(0x04034b50).putShort((short) 20).putShort((short) 0x0008).putShort((short) 0)
        .putShort((short) 0).putShort((short) 0).putInt(0).putInt(0).putInt(0)
        .putShort((short) nameBytes.length).putShort((short) 0).put(nameBytes);
    out.write(local.array());
    CRC32 crc = new CRC32();
    long start = out.count;
    out.crc = crc;
    data.write(out);
    out.crc = null;
    long size = out.count - start;
    checkLimit(out.count);
    ByteBuffer descriptor = le(16);
    descriptor.putInt(0x08074b50).putInt((int) crc.getValue()).putInt((int) size).putInt((int) size);
    out.write(descriptor.array());
    ByteBuffer c = le(46 + nameBytes.length);
    c.putInt(0x02014b50).putShort((short) 20).putShort((short) 20).putShort((short) 0x0008).putShort((short) 0)
        .putShort((short) 0).putShort((short) 0).putInt((int) crc.getValue()).putInt((int) size).putInt((int) size)
        .putShort((short) nameBytes.length).putShort((short) 0).putShort((short) 0).putShort((short) 0)
        .putShort((short) 0).putInt(0).putInt((int) localOffset).put(nameBytes);
    return c.array();
  }

  private static void checkLimit(long offset) {
    if (offset >= LIMIT) {
      throw new CalmException("the archive would exceed 4 GiB; this writer does not write zip64 records");
    }
  }

  private static ByteBuffer le(int n) {
    return ByteBuffer.allocate(n).order(ByteOrder.LITTLE_ENDIAN);
  }

  /** The pickle torch.save writes for an OrderedDict of tensors (protocol 2, no memo). */
  static byte[] pickle(List<Storage> storages, List<Entry> entries) {
    ByteArrayOutputStream p = new ByteArrayOutputStream();
    p.write(0x80);
    p.write(2);
    global(p, "collections", "OrderedDict");
    p.write(')');
    p.write('R');
    p.write('(');
    for (Entry e : entries) {
      Storage s = storages.stream().filter(x -> x.key().equals(e.storageKey())).findFirst()
          .orElseThrow(() -> new IllegalArgumentException("no storage " + e.storageKey()));
      string(p, e.name());
      global(p, "torch._utils", "_rebuild_tensor_v2");
      p.write('(');
      p.write('(');
      string(p, "storage");
      global(p, "torch", s.type().global().substring("torch.".length()));
      string(p, s.key());
      string(p, "cpu");
      integer(p, s.numel());
      p.write('t');
      p.write('Q');
      integer(p, e.offset());
      tuple(p, e.shape());
      tuple(p, e.stride());
      p.write(0x89); // requires_grad False
      global(p, "collections", "OrderedDict");
      p.write(')');
      p.write('R'); // backward hooks
      p.write('t');
      p.write('R');
    }
    p.write('u');
    p.write('.');
    return p.toByteArray();
  }

  private static void global(ByteArrayOutputStream p, String module, String name) {
    p.write('c');
    p.writeBytes((module + "\n" + name + "\n").getBytes(StandardCharsets.US_ASCII));
  }

  private static void string(ByteArrayOutputStream p, String s) {
    byte[] b = s.getBytes(StandardCharsets.UTF_8);
    p.write('X');
    p.writeBytes(le(4).putInt(b.length).array());
    p.writeBytes(b);
  }

  private static void integer(ByteArrayOutputStream p, long v) {
    if (v >= 0 && v < 256) {
      p.write('K');
      p.write((int) v);
    } else if (v >= Integer.MIN_VALUE && v <= Integer.MAX_VALUE) {
      p.write('J');
      p.writeBytes(le(4).putInt((int) v).array());
    } else {
      p.write(0x8a); // LONG1, 8 bytes
      p.write(8);
      p.writeBytes(le(8).putLong(v).array());
    }
  }

  private static void tuple(ByteArrayOutputStream p, long[] values) {
    p.write('(');
    for (long v : values) {
      integer(p, v);
    }
    p.write('t');
  }

  /** Counts bytes (and feeds a CRC when one is set). */
  private static final class CountingOut extends OutputStream {
    private final OutputStream out;
    long count;
    CRC32 crc;

    CountingOut(OutputStream out) {
      this.out = out;
    }

    @Override
    public void write(int b) throws IOException {
      out.write(b);
      count++;
      if (crc != null) {
        crc.update(b);
      }
    }

    @Override
    public void write(byte[] b, int off, int len) throws IOException {
      out.write(b, off, len);
      count += len;
      if (crc != null) {
        crc.update(b, off, len);
      }
    }
  }
}
