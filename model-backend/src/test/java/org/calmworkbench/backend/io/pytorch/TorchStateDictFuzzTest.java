package org.calmworkbench.backend.io.pytorch;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Random;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Damaged archives: every truncation, bit flip and overwritten offset must end in a CalmException
 * (or, for damage inside tensor data, a successful read), never another exception, a hang or an
 * out-of-memory. Each case runs under a time limit.
 */
class TorchStateDictFuzzTest {
  @TempDir Path tmp;
  byte[] good;

  @BeforeEach
  void writeGoodFile() throws IOException {
    float[] v = new float[24];
    for (int i = 0; i < v.length; i++) {
      v[i] = i * 0.5f;
    }
    Path file = tmp.resolve("good.bin");
    TorchSaveWriter.write(file, "good", List.of(
        TorchStateDictTest.floats("0", StorageType.FLOAT, v),
        TorchStateDictTest.floats("1", StorageType.BFLOAT16, 1f, 2f, 3f, 4f)), List.of(
        TorchSaveWriter.Entry.contiguous("a.weight", "0", 4, 6),
        new TorchSaveWriter.Entry("a.t", "0", 0, new long[] {6, 4}, new long[] {1, 6}),
        new TorchSaveWriter.Entry("b.bias", "1", 1, new long[] {3}, new long[] {1})));
    good = Files.readAllBytes(file);
  }

  /** Opens and reads every tensor of {@code bytes}; a CalmException counts as a clean refusal. */
  private void readAllOrRefuse(byte[] bytes, String what) throws IOException {
    Path file = tmp.resolve("case.bin");
    Files.write(file, bytes);
    assertTimeoutPreemptively(Duration.ofSeconds(5), () -> {
      try (TorchStateDict sd = TorchStateDict.open(file)) {
        for (String n : sd.names()) {
          sd.read(n);
        }
      } catch (CalmException expected) {
        if (!expected.getMessage().contains(file.toString())) {
          fail(what + ": the message does not name the file: " + expected.getMessage());
        }
      } catch (Throwable t) {
        fail(what + ": " + t, t);
      }
    }, what);
  }

  @Test
  void theUndamagedFileReads() throws IOException {
    Path file = tmp.resolve("ok.bin");
    Files.write(file, good);
    try (TorchStateDict sd = TorchStateDict.open(file)) {
      assertEquals(3, sd.names().size());
      assertEquals(3f, sd.read("a.t").data()[1]); // a.t[0][1] = element 1 * 6
    }
  }

  @Test
  void everyTruncationIsRefusedCleanly() throws IOException {
    for (int length = 0; length < good.length; length++) {
      byte[] cut = Arrays.copyOf(good, length);
      Path file = tmp.resolve("cut.bin");
      Files.write(file, cut);
      try (TorchStateDict sd = TorchStateDict.open(file)) {
        fail("a file cut to " + length + " of " + good.length + " bytes opened");
      } catch (CalmException expected) {
        // every truncation loses the end-of-directory record
      }
    }
  }

  @Test
  void bitFlipsNeverEscapeAsAnotherException() throws IOException {
    Random random = new Random(11);
    for (int i = 0; i < 1500; i++) {
      byte[] bad = good.clone();
      int flips = 1 + random.nextInt(3);
      for (int f = 0; f < flips; f++) {
        bad[random.nextInt(bad.length)] ^= (byte) (1 << random.nextInt(8));
      }
      readAllOrRefuse(bad, "flip case " + i);
    }
  }

  @Test
  void overwrittenSizesAndOffsetsAreRefusedCleanly() throws IOException {
    // every 4-byte field set to huge or negative-looking values: directory offsets, entry sizes,
    // pickle lengths and integers alike
    int[] values = {0xFFFFFFFF, 0x7FFFFFFF, 0x80000000, 0x00FFFFFF, 0xFFFF, 0};
    for (int at = 0; at + 4 <= good.length; at++) {
      for (int v : values) {
        byte[] bad = good.clone();
        bad[at] = (byte) v;
        bad[at + 1] = (byte) (v >>> 8);
        bad[at + 2] = (byte) (v >>> 16);
        bad[at + 3] = (byte) (v >>> 24);
        readAllOrRefuse(bad, "value " + Integer.toHexString(v) + " at byte " + at);
      }
    }
  }
}
