package org.calmworkbench.backend.data;

import java.io.IOException;
import java.io.Reader;

/**
 * Reads lines like {@code BufferedReader.readLine}, but keeps the line terminator and never holds
 * more than a given number of chars: a longer line comes back in pieces. This is what lets a
 * multi-gigabyte file with no line breaks be read in bounded memory. Only {@code '\n'} ends a line
 * ({@code "\r\n"} keeps its {@code '\r'} in the text).
 */
final class BoundedLineReader {
  private final Reader in;
  private final char[] buf = new char[1 << 16];
  private int pos;
  private int len;

  BoundedLineReader(Reader in) {
    this.in = in;
  }

  /**
   * The next line including its {@code '\n'}, or the next {@code maxChars} chars of a longer line
   * (one fewer if the cut would separate a surrogate pair); null at the end of the input.
   */
  String next(int maxChars) throws IOException {
    if (maxChars < 2) {
      throw new IllegalArgumentException("maxChars must be >= 2 to keep surrogate pairs whole, got " + maxChars);
    }
    StringBuilder line = new StringBuilder();
    while (true) {
      if (pos == len) {
        len = Math.max(0, in.read(buf, 0, buf.length));
        pos = 0;
        if (len == 0) {
          return line.length() == 0 ? null : line.toString();
        }
      }
      int room = maxChars - line.length();
      int end = Math.min(len, pos + room);
      int newline = -1;
      for (int i = pos; i < end; i++) {
        if (buf[i] == '\n') {
          newline = i;
          break;
        }
      }
      if (newline >= 0) {
        line.append(buf, pos, newline + 1 - pos);
        pos = newline + 1;
        return line.toString();
      }
      boolean full = end - pos == room;
      if (full && Character.isHighSurrogate(buf[end - 1]) && line.length() + (end - 1 - pos) > 0) {
        end--; // leave the high surrogate for the next piece, with its low half
      }
      line.append(buf, pos, end - pos);
      pos = end;
      if (full) {
        return line.toString();
      }
    }
  }
}
