package org.calmworkbench.backend.io.pytorch;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import org.calmworkbench.backend.CalmException;

/**
 * The directory of a zip archive whose entries are stored (not compressed), as {@code torch.save}
 * writes them, with each entry's data located in the file so it can be read by position without
 * copying the archive. Zip64 archives (over 4 GiB or 65,535 entries) are read too.
 *
 * <p>Every offset and size is checked against the file's length before it is used, so a truncated
 * or damaged archive is a CalmException naming the file, never a read past the end or an
 * allocation of a size the file cannot hold.
 */
final class StoredZip {
  /** A stored entry: its data is {@code size} bytes from {@code dataStart}. */
  record Entry(String name, long dataStart, long size) {}

  /** The central directory of a state dict has a few entries per tensor; far below this. */
  static final long MAX_DIRECTORY_BYTES = 256L << 20;

  private static final int EOCD = 0x06054b50;
  private static final int ZIP64_LOCATOR = 0x07064b50;
  private static final int ZIP64_EOCD = 0x06064b50;
  private static final int CENTRAL = 0x02014b50;
  private static final int LOCAL = 0x04034b50;
  private static final long U32_MAX = 0xFFFFFFFFL;

  private final Path file;
  private final Map<String, Entry> entries;

  private StoredZip(Path file, Map<String, Entry> entries) {
    this.file = file;
    this.entries = Collections.unmodifiableMap(entries);
  }

  /** Entries by name, in directory order. */
  Map<String, Entry> entries() {
    return entries;
  }

  Path file() {
    return file;
  }

  /**
   * Reads the directory of {@code file} through {@code channel}.
   *
   * @throws CalmException naming the file when it is not a zip archive, is truncated, has an
   *     offset outside the file, or has a compressed entry
   */
  static StoredZip read(Path file, FileChannel channel) throws IOException {
    long length = channel.size();
    if (length < 22) {
      throw corrupt(file, "it is " + length + " bytes long, too short for a zip archive (truncated?)");
    }
    int tailLength = (int) Math.min(length, 22 + 0xFFFF);
    ByteBuffer tail = readAt(file, channel, length - tailLength, tailLength);
    int eocd = -1;
    for (int i = tailLength - 22; i >= 0; i--) {
      if (tail.getInt(i) == EOCD) {
        eocd = i;
        break;
      }
    }
    if (eocd < 0) {
      throw corrupt(file, "no end-of-directory record: not a zip archive, or the file is truncated"
          + " (torch.save writes a zip archive; files from PyTorch before 1.6 are not supported)");
    }
    long count = tail.getShort(eocd + 10) & 0xFFFF;
    long dirSize = tail.getInt(eocd + 12) & U32_MAX;
    long dirOffset = tail.getInt(eocd + 16) & U32_MAX;
    if (count == 0xFFFF || dirSize == U32_MAX || dirOffset == U32_MAX) {
      long eocdPosition = length - tailLength + eocd;
      if (eocdPosition < 20) {
        throw corrupt(file, "zip64 fields without a zip64 locator");
      }
      ByteBuffer locator = readAt(file, channel, eocdPosition - 20, 20);
      if (locator.getInt(0) != ZIP64_LOCATOR) {
        throw corrupt(file, "zip64 fields without a zip64 locator");
      }
      long zip64Position = locator.getLong(8);
      if (zip64Position < 0 || zip64Position > eocdPosition - 56) {
        throw corrupt(file, "the zip64 end record's offset " + zip64Position + " is outside the file");
      }
      ByteBuffer z = readAt(file, channel, zip64Position, 56);
      if (z.getInt(0) != ZIP64_EOCD) {
        throw corrupt(file, "no zip64 end record at offset " + zip64Position);
      }
      count = z.getLong(32);
      dirSize = z.getLong(40);
      dirOffset = z.getLong(48);
    }
    if (dirSize < 0 || dirOffset < 0 || dirSize > MAX_DIRECTORY_BYTES || dirOffset > length - dirSize) {
      throw corrupt(file, "the central directory (" + dirSize + " bytes at offset " + dirOffset
          + ") does not fit in the file's " + length + " bytes (truncated?)");
    }
    if (count < 0 || count > dirSize / 46) {
      throw corrupt(file, "the directory claims " + count + " entries but holds " + dirSize + " bytes");
    }
    ByteBuffer dir = readAt(file, channel, dirOffset, (int) dirSize);
    Map<String, Entry> entries = new LinkedHashMap<>();
    int p = 0;
    for (long i = 0; i < count; i++) {
      if (p > dirSize - 46 || dir.getInt(p) != CENTRAL) {
        throw corrupt(file, "directory entry " + i + " is damaged");
      }
      int method = dir.getShort(p + 10) & 0xFFFF;
      long compressed = dir.getInt(p + 20) & U32_MAX;
      long size = dir.getInt(p + 24) & U32_MAX;
      int nameLength = dir.getShort(p + 28) & 0xFFFF;
      int extraLength = dir.getShort(p + 30) & 0xFFFF;
      int commentLength = dir.getShort(p + 32) & 0xFFFF;
      long localOffset = dir.getInt(p + 42) & U32_MAX;
      int next = p + 46 + nameLength + extraLength + commentLength;
      if (next > dirSize) {
        throw corrupt(file, "directory entry " + i + " runs past the directory's end");
      }
      byte[] nameBytes = new byte[nameLength];
      dir.get(p + 46, nameBytes);
      String name = new String(nameBytes, StandardCharsets.UTF_8);
      // zip64 extra field: the 8-byte values of the fields that are 0xFFFFFFFF, in this order
      int x = p + 46 + nameLength;
      int xEnd = x + extraLength;
      while (x + 4 <= xEnd) {
        int id = dir.getShort(x) & 0xFFFF;
        int len = dir.getShort(x + 2) & 0xFFFF;
        if (x + 4 + len > xEnd) {
          throw corrupt(file, "entry " + name + " has a damaged extra field");
        }
        if (id == 0x0001) {
          int q = x + 4;
          int end = q + len;
          if (size == U32_MAX && q + 8 <= end) {
            size = dir.getLong(q);
            q += 8;
          }
          if (compressed == U32_MAX && q + 8 <= end) {
            compressed = dir.getLong(q);
            q += 8;
          }
          if (localOffset == U32_MAX && q + 8 <= end) {
            localOffset = dir.getLong(q);
          }
        }
        x += 4 + len;
      }
      if (method != 0 || compressed != size) {
        throw corrupt(file, "entry " + name + " is compressed (method " + method + "); torch.save stores entries"
            + " uncompressed, and this reader reads only those");
      }
      if (size < 0 || localOffset < 0 || localOffset > length - 30) {
        throw corrupt(file, "entry " + name + " starts at offset " + localOffset + ", outside the file");
      }
      ByteBuffer local = readAt(file, channel, localOffset, 30);
      if (local.getInt(0) != LOCAL) {
        throw corrupt(file, "entry " + name + ": no local header at offset " + localOffset);
      }
      long dataStart = localOffset + 30 + (local.getShort(26) & 0xFFFF) + (local.getShort(28) & 0xFFFF);
      if (dataStart > length || size > length - dataStart) {
        throw corrupt(file, "entry " + name + " (" + size + " bytes at offset " + dataStart
            + ") runs past the end of the file (truncated?)");
      }
      entries.put(name, new Entry(name, dataStart, size));
      p = next;
    }
    return new StoredZip(file, entries);
  }

  /** {@code size} bytes at {@code position}, little-endian; the caller checked they lie in the file. */
  static ByteBuffer readAt(Path file, FileChannel channel, long position, int size) throws IOException {
    ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    readFully(file, channel, buffer, position);
    return buffer.flip();
  }

  static void readFully(Path file, FileChannel channel, ByteBuffer buffer, long position) throws IOException {
    long at = position;
    while (buffer.hasRemaining()) {
      int n = channel.read(buffer, at);
      if (n < 0) {
        throw corrupt(file, "unexpected end of file at offset " + at + " (truncated?)");
      }
      at += n;
    }
  }

  static CalmException corrupt(Path file, String detail) {
    return new CalmException(file + " is not a readable PyTorch checkpoint: " + detail);
  }
}
