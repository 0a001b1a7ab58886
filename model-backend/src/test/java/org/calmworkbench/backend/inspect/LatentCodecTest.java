package org.calmworkbench.backend.inspect;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Arrays;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;
import org.calmworkbench.backend.train.AutoencoderTrainer;
import org.calmworkbench.backend.train.AutoencoderTrainerTest;
import org.calmworkbench.backend.train.TrainControl;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Encoding text into chunk latents and decoding them back, with and without noise. */
class LatentCodecTest {
  @TempDir static Path dir;

  /** Token i is the letter ('a' + i - 2); ids 0 and 1 are pad and end of text. */
  static final Tokenizer LETTERS = new Tokenizer() {
    @Override
    public int[] encode(String text) {
      return text.chars().map(c -> c - 'a' + 2).toArray();
    }

    @Override
    public String decode(int[] ids) {
      StringBuilder sb = new StringBuilder();
      for (int id : ids) {
        sb.append(id < 2 ? '_' : (char) ('a' + id - 2));
      }
      return sb.toString();
    }

    @Override
    public int vocabSize() {
      return 48;
    }

    @Override
    public int eosId() {
      return 1;
    }
  };

  @BeforeAll
  static void train() throws Exception {
    AutoencoderTrainer.run(AutoencoderTrainerTest.request(dir, 300, false), p -> {}, TrainControl.NONE);
  }

  @Test
  void textIsPaddedToWholeChunksAndPaddingIsNeverCountedOrShown() {
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(dir)) {
      LatentCodec codec = new LatentCodec(ck.model(), LETTERS, ck.manager());
      String text = "abcdefghij"; // 10 tokens -> 3 chunks of 4, 2 padding
      LatentCodec.Encoded e = codec.encode(text);
      assertEquals(3, e.chunks().size());
      assertEquals(2, e.padding());
      assertEquals(ck.config().latentSize(), e.chunks().get(0).mean().length);
      LatentCodec.Decoded d = codec.reconstruct(text, 0, 1);
      assertEquals(text.length(), d.text().length(), "decoded text covers exactly the input tokens");
      assertTrue(d.mismatches()[2] <= 2, "only the 2 real tokens of the last chunk are compared");
    }
  }

  @Test
  void aTextOrLatentsBeyondTheLimitAreRefusedBeforeTheModelRuns() {
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(dir)) {
      LatentCodec codec = new LatentCodec(ck.model(), LETTERS, ck.manager());
      // Before the limit, a 50 MB file through 'ae encode --input' was one batch: 23 GB, then killed.
      String huge = "abcd".repeat(LatentCodec.MAX_TOKENS / 4 + 1);
      CalmException e = assertThrows(CalmException.class, () -> codec.encode(huge));
      assertEquals("the text is 65,540 tokens (65,540 characters), more than the 65,536 encoded at once; give a part of it",
          e.getMessage());
      assertEquals(LatentCodec.MAX_TOKENS / 4, codec.encode("abcd".repeat(LatentCodec.MAX_TOKENS / 4)).chunks().size(),
          "the limit itself is encoded");
      float[][] latents = new float[LatentCodec.MAX_TOKENS / codec.patchSize() + 1][ck.config().latentSize()];
      CalmException d = assertThrows(CalmException.class, () -> codec.decode(latents, 0, 1, null));
      assertTrue(d.getMessage().startsWith("16,385 latents (65,540 tokens) are more than the 65,536 tokens decoded"),
          d.getMessage());
    }
  }

  @Test
  void largeNoiseChangesTheDecodedTokens() {
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(dir)) {
      LatentCodec codec = new LatentCodec(ck.model(), LETTERS, ck.manager());
      String text = "abcdefghijklmnopqrstuvwx";
      int clean = Arrays.stream(codec.reconstruct(text, 0, 1).mismatches()).sum();
      int noisy = Arrays.stream(codec.reconstruct(text, 5.0, 1).mismatches()).sum();
      assertTrue(noisy > clean, "sigma 5 must corrupt more tokens than sigma 0: " + noisy + " vs " + clean);
      assertEquals(codec.reconstruct(text, 0.7, 3).text(), codec.reconstruct(text, 0.7, 3).text(), "same seed, same noise");
    }
  }

  @Test
  void latentOfTheWrongSizeIsRefusedByName() {
    try (AutoencoderCheckpoint ck = AutoencoderCheckpoint.load(dir)) {
      LatentCodec codec = new LatentCodec(ck.model(), LETTERS, ck.manager());
      CalmException e = assertThrows(CalmException.class, () -> codec.decode(new float[][] {new float[3]}, 0, 1, null));
      assertTrue(e.getMessage().contains("latent_size"), e.getMessage());
    }
  }
}
