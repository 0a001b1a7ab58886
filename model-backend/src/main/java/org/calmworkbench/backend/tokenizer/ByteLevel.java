package org.calmworkbench.backend.tokenizer;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * GPT-2's byte-level scheme, as Hugging Face's {@code ByteLevel} pre-tokenizer and decoder
 * implement it (with {@code add_prefix_space=false, use_regex=true}).
 *
 * <ol>
 *   <li>Split text into pre-tokens ("words") with the GPT-2 regex; BPE never merges across them.
 *   <li>Write each word as UTF-8 bytes and show each byte as one printable character
 *       ({@code bytes_to_unicode}): printable Latin-1 bytes stand for themselves, the other 68
 *       bytes (controls, space, ...) map to U+0100 onwards, so a space becomes 'Ġ' (U+0120).
 * </ol>
 */
public final class ByteLevel {
  private ByteLevel() {}

  /**
   * Hugging Face's regex engine (Oniguruma) treats {@code \s} as Unicode White_Space; Java's plain
   * {@code \s} is ASCII only, so the whitespace class is spelled out.
   */
  private static final String WS = "\\p{IsWhite_Space}";

  /**
   * The GPT-2 pre-tokenizer pattern {@code 's|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+|
   * ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+}. Every character falls in one alternative, so the
   * matches tile the text.
   */
  public static final Pattern PRE_TOKENIZER =
      Pattern.compile(
          String.join(
              "|",
              "'s", "'t", "'re", "'ve", "'m", "'ll", "'d",
              " ?\\p{L}+",
              " ?\\p{N}+",
              " ?[^" + WS + "\\p{L}\\p{N}]+",
              WS + "+(?![^" + WS + "])", // whitespace run, leaving its last char to the next word
              WS + "+"));

  /** byte (0..255) -> its printable stand-in character. */
  private static final char[] BYTE_TO_CHAR = new char[256];

  /** stand-in character -> byte, or -1; indexed by char value, all stand-ins are below U+0144. */
  private static final int[] CHAR_TO_BYTE = new int[0x200];

  static {
    java.util.Arrays.fill(CHAR_TO_BYTE, -1);
    int next = 0;
    for (int b = 0; b < 256; b++) {
      boolean printable = (b >= '!' && b <= '~') || (b >= 0xA1 && b <= 0xAC) || (b >= 0xAE);
      BYTE_TO_CHAR[b] = printable ? (char) b : (char) (256 + next++);
      CHAR_TO_BYTE[BYTE_TO_CHAR[b]] = b;
    }
  }

  /** The pre-tokens of {@code text}, in order; their concatenation is {@code text}. */
  public static List<String> preTokenize(String text) {
    List<String> words = new ArrayList<>();
    Matcher m = PRE_TOKENIZER.matcher(text);
    while (m.find()) {
      words.add(m.group());
    }
    return words;
  }

  /** The printable stand-in for one byte, e.g. {@code 0x20 -> 'Ġ'}. */
  public static char byteToChar(int b) {
    return BYTE_TO_CHAR[b & 0xFF];
  }

  /** The byte a stand-in character represents, or -1 if {@code c} is not a stand-in. */
  public static int charToByte(char c) {
    return c < CHAR_TO_BYTE.length ? CHAR_TO_BYTE[c] : -1;
  }

  /** Bytes written as stand-in characters: the form tokens take in {@code tokenizer.json}. */
  public static String toSymbols(byte[] bytes) {
    char[] out = new char[bytes.length];
    for (int i = 0; i < bytes.length; i++) {
      out[i] = BYTE_TO_CHAR[bytes[i] & 0xFF];
    }
    return new String(out);
  }

  /**
   * The bytes a token string stands for. Like Hugging Face's ByteLevel decoder: if any character
   * is not a stand-in (e.g. an added token such as "&lt;|endoftext|&gt;" written in plain text),
   * the token's own UTF-8 bytes are used.
   */
  public static byte[] toBytes(String token) {
    byte[] out = new byte[token.length()];
    for (int i = 0; i < token.length(); i++) {
      int b = charToByte(token.charAt(i));
      if (b < 0) {
        return token.getBytes(java.nio.charset.StandardCharsets.UTF_8);
      }
      out[i] = (byte) b;
    }
    return out;
  }
}
