package org.calmworkbench.backend.data;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharsetDecoder;
import java.nio.charset.CoderResult;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;

/**
 * Streams UTF-8 bytes as chars, replacing each invalid byte sequence with U+FFFD and counting how
 * many it replaced (a plain {@code InputStreamReader} replaces silently). Drops a leading byte
 * order mark. Memory use is two fixed 64 KB buffers, whatever the file size.
 */
final class Utf8Reader extends Reader {
  private static final int BUFFER = 1 << 16;

  private final InputStream in;
  private final CharsetDecoder decoder =
      StandardCharsets.UTF_8
          .newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT);
  private final ByteBuffer bytes = ByteBuffer.allocate(BUFFER).flip(); // empty, ready to read
  private final CharBuffer chars = CharBuffer.allocate(BUFFER).flip();
  private boolean endOfInput;
  private boolean flushed;
  private boolean atStart = true;
  private long bytesRead;
  private long invalidSequences;

  Utf8Reader(InputStream in) {
    this.in = in;
  }

  /** Bytes taken from the stream so far (ahead of the chars returned by at most two buffers). */
  long bytesRead() {
    return bytesRead;
  }

  /** Invalid UTF-8 sequences replaced by U+FFFD so far. */
  long invalidSequences() {
    return invalidSequences;
  }

  @Override
  public int read(char[] cbuf, int off, int len) throws IOException {
    if (len == 0) {
      return 0;
    }
    while (!chars.hasRemaining()) {
      if (!decodeMore()) {
        return -1;
      }
    }
    int n = Math.min(len, chars.remaining());
    chars.get(cbuf, off, n);
    return n;
  }

  /** Refills {@code chars} with at least one char; false at the end of the input. */
  private boolean decodeMore() throws IOException {
    chars.clear();
    while (chars.position() == 0 && !flushed) {
      CoderResult r = decoder.decode(bytes, chars, endOfInput);
      if (r.isError()) {
        if (!chars.hasRemaining()) {
          break; // no room for U+FFFD now; the decoder reports the same sequence again next time
        }
        invalidSequences++;
        bytes.position(bytes.position() + r.length());
        chars.put('\uFFFD');
      } else if (r.isOverflow()) {
        break;
      } else if (endOfInput) { // underflow with all input seen
        decoder.flush(chars);
        flushed = true;
      } else {
        bytes.compact();
        int n = in.read(bytes.array(), bytes.position(), bytes.remaining());
        if (n < 0) {
          endOfInput = true;
        } else {
          bytes.position(bytes.position() + n);
          bytesRead += n;
        }
        bytes.flip();
      }
    }
    chars.flip();
    if (atStart && chars.hasRemaining()) {
      atStart = false;
      if (chars.get(chars.position()) == '\uFEFF') {
        chars.get();
      }
    }
    return chars.hasRemaining() || !flushed;
  }

  @Override
  public void close() throws IOException {
    in.close();
  }
}
