package org.calmworkbench.backend.data;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.IntBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.NoSuchElementException;
import org.calmworkbench.backend.CalmException;

/**
 * A read-only sequence of token ids: one split of a tokenized corpus. Small files are read onto
 * the heap; large ones are memory-mapped (in 1 GiB segments, since one Java mapping stops at 2 GiB),
 * so a corpus larger than the heap trains without loading it.
 *
 * <p>A mapped file stays mapped until the object is garbage-collected (Java 17 cannot unmap); on
 * Windows that keeps the file locked, so drop a large {@code TokenIds} before rebuilding its cache.
 *
 * <p>On disk a token file is int32 little-endian, nothing else (like nanoGPT's {@code train.bin},
 * but 32-bit so any vocabulary fits).
 */
public final class TokenIds {
  private static final int SEGMENT_BITS = 28; // 2^28 ints = 1 GiB per mapping

  /**
   * Files up to this many tokens (16 M tokens, a 64 MB file) are read onto the heap; larger ones are
   * mapped. {@code -Dcalm.tokenHeapLimit=N} sets another limit, in tokens ({@code 0} maps every
   * file): the reliability campaign maps a small corpus's cache with it.
   */
  static final long HEAP_LIMIT_TOKENS = 1L << 24;

  /** The system property that overrides {@link #HEAP_LIMIT_TOKENS}. */
  static final String HEAP_LIMIT_PROPERTY = "calm.tokenHeapLimit";

  private final IntBuffer[] segments; // all full (2^segmentBits ids) but the last
  private final int segmentBits;
  private final long segmentMask;
  private final long size;
  private final Path mapped; // the mapped file; null for ids on the heap

  private TokenIds(IntBuffer[] segments, int segmentBits, long size, Path mapped) {
    this.mapped = mapped;
    this.segments = segments;
    this.segmentBits = segmentBits;
    this.segmentMask = (1L << segmentBits) - 1;
    this.size = size;
  }

  /** Ids held in memory (tests, small corpora); {@code ids} is not copied. */
  public static TokenIds of(int... ids) {
    return new TokenIds(new IntBuffer[] {IntBuffer.wrap(ids)}, 31, ids.length, null);
  }

  /** Reads or maps an int32 little-endian token file. */
  public static TokenIds load(Path file) throws IOException {
    return load(file, heapLimitTokens(), SEGMENT_BITS);
  }

  /** {@link #HEAP_LIMIT_TOKENS}, or the {@code calm.tokenHeapLimit} system property when it is a number >= 0. */
  static long heapLimitTokens() {
    Long limit = Long.getLong(HEAP_LIMIT_PROPERTY);
    return limit == null || limit < 0 ? HEAP_LIMIT_TOKENS : limit;
  }

  /**
   * As {@link #load(Path)}, mapping files of more than {@code heapLimitTokens} tokens in segments
   * of {@code 2^segmentBits} ids (tests use small values to exercise the mapped path).
   */
  static TokenIds load(Path file, long heapLimitTokens, int segmentBits) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ)) {
      long bytes = ch.size();
      if (bytes % Integer.BYTES != 0) {
        throw new CalmException(file + ": token file is truncated (" + bytes
            + " bytes, not a multiple of 4); delete it to rebuild the token cache");
      }
      long tokens = bytes / Integer.BYTES;
      if (tokens <= heapLimitTokens) {
        ByteBuffer buf = ByteBuffer.allocate((int) bytes).order(ByteOrder.LITTLE_ENDIAN);
        while (buf.hasRemaining() && ch.read(buf) >= 0) {}
        int[] ids = new int[(int) tokens];
        buf.flip().asIntBuffer().get(ids);
        return of(ids);
      }
      long perSegment = 1L << segmentBits;
      int count = (int) ((tokens + perSegment - 1) >>> segmentBits);
      IntBuffer[] segments = new IntBuffer[count];
      for (int s = 0; s < count; s++) {
        long start = (long) s << segmentBits;
        long length = Math.min(tokens - start, perSegment);
        segments[s] =
            ch.map(FileChannel.MapMode.READ_ONLY, start * Integer.BYTES, length * Integer.BYTES)
                .order(ByteOrder.LITTLE_ENDIAN)
                .asIntBuffer();
      }
      return new TokenIds(segments, segmentBits, tokens, file);
    }
  }

  public long size() {
    return size;
  }

  /** True when the ids are a mapped file, not on the heap. */
  boolean isMapped() {
    return mapped != null;
  }

  public int get(long i) {
    if (i < 0 || i >= size) {
      throw new IndexOutOfBoundsException("token " + i + " of " + size);
    }
    try {
      return segments[(int) (i >>> segmentBits)].get((int) (i & segmentMask));
    } catch (InternalError e) {
      if (mapped == null) {
        throw e;
      }
      throw truncatedUnderUs(e);
    }
  }

  /** Copies ids {@code [from, from + length)} into {@code dst[off..]}. */
  public void copy(long from, int[] dst, int off, int length) {
    if (from < 0 || length < 0 || from + length > size) {
      throw new IndexOutOfBoundsException("tokens [" + from + ", " + (from + length) + ") of " + size);
    }
    if (mapped != null) {
      requireWhole(); // a read past a mapped file's new end would fault
    }
    while (length > 0) {
      IntBuffer seg = segments[(int) (from >>> segmentBits)];
      int at = (int) (from & segmentMask);
      int n = Math.min(length, seg.limit() - at);
      try {
        seg.get(at, dst, off, n);
      } catch (InternalError e) {
        if (mapped == null) {
          throw e;
        }
        throw truncatedUnderUs(e);
      }
      from += n;
      off += n;
      length -= n;
    }
  }

  /** Refuses to read a mapped file that is shorter than when it was mapped (one stat per call). */
  private void requireWhole() {
    long bytes;
    try {
      bytes = java.nio.file.Files.size(mapped);
    } catch (IOException e) {
      bytes = -1; // deleted: the mapping still holds the old pages, so reads stay valid
    }
    if (bytes >= 0 && bytes < size * Integer.BYTES) {
      throw truncatedUnderUs(null);
    }
  }

  /**
   * A mapped file that shrank while mapped (another program, or a cache rebuilt beside a running
   * job) makes a read past its new end fault: the JVM turns the SIGBUS into an {@link InternalError},
   * which compiled code may deliver a little after the read, so {@link #copy} (the training batches'
   * read) checks the file's size first and the catch is a second line of defence. This says which
   * file and what to do instead of "a fault occurred in an unsafe memory access".
   */
  private CalmException truncatedUnderUs(InternalError e) {
    return new CalmException("the token cache file " + mapped + " was truncated while this job read it (changed by"
        + " another program?); stop other jobs on this corpus, delete " + mapped.getParent()
        + " to rebuild the cache, and start again", e);
  }

  /**
   * The one-line report of {@link #isMappedFileFault}: the JVM's own message names neither the file
   * nor what to do.
   */
  public static final String MAPPED_FILE_FAULT = "a memory-mapped token cache file was truncated while this job"
      + " read it (changed by another program?); stop other jobs on this corpus, delete its token cache (the"
      + " .calm-cache/tokens folder of the project, or tokens/ in the user's cache folder) to rebuild it, and start again";

  /**
   * Whether {@code t} is the JVM's report of a read from a memory-mapped file that shrank (the SIGBUS
   * it turns into an {@link InternalError}). Compiled code may deliver it after the read that caused
   * it, past the catch in {@link #copy}; the CLI and the GUI's error reporter then give {@link
   * #MAPPED_FILE_FAULT} instead of an internal error.
   */
  public static boolean isMappedFileFault(Throwable t) {
    return t instanceof InternalError && t.getMessage() != null && t.getMessage().contains("unsafe memory access");
  }

  /** Number of whole non-overlapping windows of {@code length} tokens. */
  public long windowCount(int length) {
    if (length <= 0) {
      throw new IllegalArgumentException("window length must be positive, got " + length);
    }
    return size / length;
  }

  /**
   * The non-overlapping windows {@code [0, T), [T, 2T), ...} in order, for evaluation; a tail
   * shorter than {@code length} is left out. Each call of {@code next()} returns a new array.
   */
  public Iterable<int[]> windows(int length) {
    long count = windowCount(length);
    return () ->
        new Iterator<>() {
          private long next;

          @Override
          public boolean hasNext() {
            return next < count;
          }

          @Override
          public int[] next() {
            if (!hasNext()) {
              throw new NoSuchElementException();
            }
            int[] window = new int[length];
            copy(next++ * length, window, 0, length);
            return window;
          }
        };
  }
}
