package org.calmworkbench.backend.data;

import java.nio.charset.StandardCharsets;
import java.util.concurrent.atomic.AtomicInteger;
import org.calmworkbench.backend.tokenizer.Tokenizer;

/**
 * Test-only tokenizer: each UTF-8 byte b is id {@code 2 + (b & 0xFF)}; id 1 is end-of-text (or
 * none, when built with {@code hasEos = false}). Counts encode calls so tests can see cache hits.
 */
final class ByteTokenizer implements Tokenizer {
  static final int EOS = 1;

  final AtomicInteger encodeCalls = new AtomicInteger();
  private final boolean hasEos;

  ByteTokenizer() {
    this(true);
  }

  ByteTokenizer(boolean hasEos) {
    this.hasEos = hasEos;
  }

  @Override
  public int[] encode(String text) {
    encodeCalls.incrementAndGet();
    byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
    int[] ids = new int[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      ids[i] = 2 + (bytes[i] & 0xFF);
    }
    return ids;
  }

  @Override
  public String decode(int[] ids) {
    byte[] bytes = new byte[ids.length];
    int n = 0;
    for (int id : ids) {
      if (id >= 2) {
        bytes[n++] = (byte) (id - 2);
      }
    }
    return new String(bytes, 0, n, StandardCharsets.UTF_8);
  }

  @Override
  public int vocabSize() {
    return 258;
  }

  @Override
  public int eosId() {
    return hasEos ? EOS : -1;
  }
}
