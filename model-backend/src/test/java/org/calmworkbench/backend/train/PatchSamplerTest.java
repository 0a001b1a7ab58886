package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.SplittableRandom;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.TokenIds;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class PatchSamplerTest {
  @TempDir Path dir;

  @Test
  void chunksFromAMappedFileEqualThoseFromTheHeap() throws Exception {
    Path file = write(50_000);
    long[] heap = new long[64 * 4];
    long[] mapped = new long[64 * 4];
    PatchSampler.uniform(TokenIds.load(file)).sample(heap, 64, 4, new SplittableRandom(3));
    PatchSampler.uniform(mapped(file)).sample(mapped, 64, 4, new SplittableRandom(3));
    assertArrayEquals(heap, mapped);
  }

  /**
   * The autoencoder's training batches come from this sampler. A real training on a 50 MB corpus
   * (its train.bin mapped) whose cache file was cut in half mid-run ended in "internal error:
   * java.lang.InternalError: a fault occurred in a recent unsafe memory access operation in compiled
   * Java code": the sampler read token by token with TokenIds.get, which has no size check (it
   * catches the InternalError, but compiled code delivers it later). Now it reads each chunk with
   * TokenIds.copy, which checks the size first: the CalmException naming the file.
   */
  @Test
  void aMappedTokenFileTruncatedUnderTheRunIsACalmExceptionNamingIt() throws Exception {
    Path file = write(50_000);
    TokenIds ids = mapped(file);
    PatchSampler sampler = PatchSampler.uniform(ids);
    sampler.sample(new long[64 * 4], 64, 4, new SplittableRandom(1));
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.WRITE)) {
      // another program cuts the cache under the running job; by one token, so that no read
      // faults (the last page stays mapped) and only the size check can tell
      ch.truncate(ch.size() - 4);
    }
    CalmException e = assertThrows(CalmException.class,
        () -> sampler.sample(new long[64 * 4], 64, 4, new SplittableRandom(2)));
    assertTrue(e.getMessage().startsWith("the token cache file " + file + " was truncated while this job read it"),
        e.getMessage());
  }

  private Path write(int n) throws Exception {
    ByteBuffer buf = ByteBuffer.allocate(n * 4).order(ByteOrder.LITTLE_ENDIAN);
    for (int i = 0; i < n; i++) {
      buf.putInt(i * 3 + 70_000);
    }
    Path file = dir.resolve("train.bin");
    Files.write(file, buf.array());
    return file;
  }

  /** The file memory-mapped, as a corpus over the heap limit is: -Dcalm.tokenHeapLimit=0 for the load. */
  private static TokenIds mapped(Path file) throws Exception {
    String before = System.getProperty("calm.tokenHeapLimit");
    System.setProperty("calm.tokenHeapLimit", "0");
    try {
      return TokenIds.load(file);
    } finally {
      if (before == null) {
        System.clearProperty("calm.tokenHeapLimit");
      } else {
        System.setProperty("calm.tokenHeapLimit", before);
      }
    }
  }
}
