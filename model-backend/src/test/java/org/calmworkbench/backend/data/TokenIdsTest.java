package org.calmworkbench.backend.data;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenIdsTest {
  @TempDir Path dir;

  private Path writeLe(int[] ids) throws IOException {
    ByteBuffer buf = ByteBuffer.allocate(ids.length * 4).order(ByteOrder.LITTLE_ENDIAN);
    buf.asIntBuffer().put(ids);
    Path file = dir.resolve("ids.bin");
    Files.write(file, buf.array());
    return file;
  }

  private static int[] range(int n) {
    int[] ids = new int[n];
    for (int i = 0; i < n; i++) {
      ids[i] = i * 7 + 100_000; // > 16 bits, so byte order matters
    }
    return ids;
  }

  /** The JVM's fault for a read past a shrunk mapping, when it arrives after our catch, is still told as such. */
  @Test
  void theJvmsMappedFileFaultIsRecognisedAndNothingElse() {
    assertTrue(TokenIds.isMappedFileFault(
        new InternalError("a fault occurred in a recent unsafe memory access operation in compiled Java code")));
    assertTrue(TokenIds.isMappedFileFault(new InternalError("a fault occurred in an unsafe memory access operation")));
    org.junit.jupiter.api.Assertions.assertFalse(TokenIds.isMappedFileFault(new InternalError("something else")));
    org.junit.jupiter.api.Assertions.assertFalse(TokenIds.isMappedFileFault(
        new IllegalStateException("a fault occurred in an unsafe memory access operation")));
    assertTrue(TokenIds.MAPPED_FILE_FAULT.contains(".calm-cache/tokens"), TokenIds.MAPPED_FILE_FAULT);
  }

  @Test
  void loadsLittleEndianInt32FileOntoTheHeap() throws IOException {
    int[] ids = range(1000);

    TokenIds loaded = TokenIds.load(writeLe(ids));

    assertEquals(1000, loaded.size());
    assertEquals(ids[0], loaded.get(0));
    assertEquals(ids[999], loaded.get(999));
  }

  @Test
  void mappedFileReadsTheSameAcrossSegmentBoundaries() throws IOException {
    int[] ids = range(1000);

    TokenIds mapped = TokenIds.load(writeLe(ids), 10, 6); // map anything over 10 ids, 64 ids per segment

    assertEquals(1000, mapped.size());
    for (int i = 0; i < ids.length; i++) {
      assertEquals(ids[i], mapped.get(i), "id " + i);
    }
    int[] window = new int[200];
    mapped.copy(60, window, 0, 200); // spans four segments
    for (int i = 0; i < 200; i++) {
      assertEquals(ids[60 + i], window[i]);
    }
  }

  @Test
  void aMappedFileTruncatedWhileInUseIsACalmExceptionNamingIt() throws IOException {
    int[] ids = range(5000); // 20,000 bytes: five pages
    Path file = writeLe(ids);
    TokenIds mapped = TokenIds.load(file, 10, 12); // mapped, 4,096 ids per segment
    assertEquals(ids[4000], mapped.get(4000));
    try (java.nio.channels.FileChannel ch = java.nio.channels.FileChannel.open(file,
        java.nio.file.StandardOpenOption.WRITE)) {
      ch.truncate(4096); // another program cuts the cache under the running job
    }
    CalmException e = assertThrows(CalmException.class, () -> mapped.copy(3000, new int[1500], 0, 1500));
    assertTrue(e.getMessage().startsWith("the token cache file " + file + " was truncated while this job read it"),
        e.getMessage());
    assertThrows(CalmException.class, () -> mapped.copy(0, new int[10], 0, 10), "any read: the file is not whole");
  }

  @Test
  void theHeapLimitCanBeLoweredBySystemPropertySoASmallCacheIsMapped() throws IOException {
    Path file = writeLe(range(1000));
    assertTrue(!TokenIds.load(file).isMapped(), "1,000 ids are read onto the heap by default");
    String before = System.getProperty(TokenIds.HEAP_LIMIT_PROPERTY);
    try {
      System.setProperty(TokenIds.HEAP_LIMIT_PROPERTY, "999");
      TokenIds mapped = TokenIds.load(file);
      assertTrue(mapped.isMapped(), "over -Dcalm.tokenHeapLimit=999: mapped");
      assertEquals(range(1000)[999], mapped.get(999));
      System.setProperty(TokenIds.HEAP_LIMIT_PROPERTY, "1000");
      assertTrue(!TokenIds.load(file).isMapped(), "at the limit: on the heap");
    } finally {
      if (before == null) {
        System.clearProperty(TokenIds.HEAP_LIMIT_PROPERTY);
      } else {
        System.setProperty(TokenIds.HEAP_LIMIT_PROPERTY, before);
      }
    }
  }

  @Test
  void truncatedFileIsReported() throws IOException {
    Path file = dir.resolve("cut.bin");
    Files.write(file, new byte[] {1, 0, 0, 0, 2, 0});

    CalmException e = assertThrows(CalmException.class, () -> TokenIds.load(file));

    assertTrue(e.getMessage().startsWith(file + ": token file is truncated (6 bytes"), e.getMessage());
  }

  @Test
  void readsOutsideTheIdsFail() {
    TokenIds ids = TokenIds.of(1, 2, 3);

    assertThrows(IndexOutOfBoundsException.class, () -> ids.get(3));
    assertThrows(IndexOutOfBoundsException.class, () -> ids.copy(2, new int[2], 0, 2));
  }

  @Test
  void evaluationWindowsAreSequentialNonOverlappingAndDropTheTail() {
    TokenIds ids = TokenIds.of(range(10));

    List<int[]> windows = new ArrayList<>();
    ids.windows(3).forEach(windows::add);

    assertEquals(3, ids.windowCount(3));
    assertEquals(3, windows.size());
    int[] all = range(10);
    for (int w = 0; w < 3; w++) {
      assertArrayEquals(java.util.Arrays.copyOfRange(all, w * 3, w * 3 + 3), windows.get(w));
    }
  }
}
