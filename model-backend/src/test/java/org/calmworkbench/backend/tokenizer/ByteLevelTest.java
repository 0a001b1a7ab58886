package org.calmworkbench.backend.tokenizer;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class ByteLevelTest {

  @Test
  void mapsBytesToGpt2PrintableCharacters() {
    assertEquals('a', ByteLevel.byteToChar('a'));
    assertEquals('!', ByteLevel.byteToChar('!'));
    assertEquals('\u0100', ByteLevel.byteToChar(0x00)); // first non-printable byte
    assertEquals('\u0120', ByteLevel.byteToChar(' ')); // 'Ġ'
    assertEquals('\u010A', ByteLevel.byteToChar('\n')); // 'Ċ'
    assertEquals('\u0143', ByteLevel.byteToChar(0xAD)); // soft hyphen, the last of 68 remapped bytes
    assertEquals('\u00FF', ByteLevel.byteToChar(0xFF));
  }

  @Test
  void byteMappingIsABijectionWithItsInverse() {
    Set<Character> seen = new HashSet<>();
    for (int b = 0; b < 256; b++) {
      char c = ByteLevel.byteToChar(b);
      seen.add(c);
      assertEquals(b, ByteLevel.charToByte(c));
    }
    assertEquals(256, seen.size());
    assertEquals(-1, ByteLevel.charToByte('日'));
  }

  @Test
  void tokenWithNonByteCharactersDecodesToItsUtf8() {
    assertEquals("<|x|>", new String(ByteLevel.toBytes("<|x|>"), java.nio.charset.StandardCharsets.UTF_8));
    assertEquals("日", new String(ByteLevel.toBytes("日"), java.nio.charset.StandardCharsets.UTF_8));
    assertEquals(" a", new String(ByteLevel.toBytes("Ġa"), java.nio.charset.StandardCharsets.UTF_8));
  }

  static Stream<Arguments> preTokenizerCases() {
    return Stream.of(
        Arguments.of("Hello world", List.of("Hello", " world")),
        Arguments.of("it's they'll I'd", List.of("it", "'s", " they", "'ll", " I", "'d")),
        Arguments.of("pay 123 now!!", List.of("pay", " 123", " now", "!!")),
        // A whitespace run leaves its last space to the next word.
        Arguments.of("a   b", List.of("a", "  ", " b")),
        Arguments.of("x\n\ny", List.of("x", "\n", "\n", "y")),
        Arguments.of("end  ", List.of("end", "  ")),
        // No-break space is whitespace (as in Hugging Face) but not the optional leading ' '.
        Arguments.of("a\u00A0b", List.of("a", "\u00A0", "b")),
        Arguments.of("日本語 テスト", List.of("日本語", " テスト")),
        Arguments.of("👍🏽 ok", List.of("👍🏽", " ok")),
        Arguments.of("", List.of()));
  }

  @ParameterizedTest
  @MethodSource("preTokenizerCases")
  void splitsTextLikeGpt2(String text, List<String> words) {
    assertEquals(words, ByteLevel.preTokenize(text));
  }
}
