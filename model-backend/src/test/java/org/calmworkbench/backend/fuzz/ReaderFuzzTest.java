package org.calmworkbench.backend.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.stream.Stream;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.experiment.Experiment;
import org.calmworkbench.backend.fuzz.ReaderTargets.Target;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.model.CalmConfig;
import org.junit.jupiter.api.DynamicTest;
import org.junit.jupiter.api.TestFactory;
import org.junit.jupiter.api.io.TempDir;

/**
 * Seeded mutation fuzzing of every reader of a file a person may have downloaded (issue 13, goal
 * 1): a valid file, 1 to 4 random mutations (bit flips, truncation, inserted or deleted bytes,
 * JSON punctuation, extreme numbers), then the reader. Each input must either read or fail with a
 * {@link CalmException} whose message names the file; anything else (another exception, an
 * OutOfMemoryError, a StackOverflowError) fails the test, and the input is kept in
 * {@code target/fuzz-failures/} for a regression test. The readers, their valid files and the
 * contract are {@link ReaderTargets}'s, shared with the coverage-guided {@link ReaderCoverageFuzzTest}.
 *
 * <p>CI runs {@value #CI_ITERATIONS} inputs per reader (seconds). The long run:
 * {@code mvn -o -pl model-backend test -Dtest=ReaderFuzzTest -Dcalm.fuzz.iterations=20000 -Dcalm.fuzz.seed=N}
 * (or {@code scripts/fuzz-readers.sh}).
 */
class ReaderFuzzTest {
  static final int CI_ITERATIONS = 200;
  static final int ITERATIONS = Integer.getInteger("calm.fuzz.iterations", CI_ITERATIONS);
  static final long SEED = Long.getLong("calm.fuzz.seed", 13);
  static final Path SAMPLE = ReaderTargets.SAMPLE;

  static final String[] JSON_BITS = {"{", "}", "[", "]", "\"", ":", ",", "-1", "1e309", "NaN", "null", "true",
      "99999999999999999999", "-2147483649", "0", "\\u0000", "\\", "\u00ff", "{\"a\":", "[[[[[[[["};

  /** 1 to 4 mutations of {@code valid}. */
  static byte[] mutate(byte[] valid, SplittableRandom rng) {
    byte[] b = valid.clone();
    int n = 1 + rng.nextInt(4);
    for (int i = 0; i < n; i++) {
      int len = b.length;
      int at = len == 0 ? 0 : rng.nextInt(len);
      switch (rng.nextInt(7)) {
        case 0 -> { // flip a bit
          if (len > 0) {
            b[at] ^= (byte) (1 << rng.nextInt(8));
          }
        }
        case 1 -> { // a random byte
          if (len > 0) {
            b[at] = (byte) rng.nextInt(256);
          }
        }
        case 2 -> b = java.util.Arrays.copyOf(b, at); // truncate
        case 3 -> { // delete a run
          int end = Math.min(len, at + 1 + rng.nextInt(16));
          b = concat(java.util.Arrays.copyOf(b, at), java.util.Arrays.copyOfRange(b, end, len));
        }
        case 4 -> { // insert random bytes
          byte[] ins = new byte[1 + rng.nextInt(8)];
          for (int k = 0; k < ins.length; k++) {
            ins[k] = (byte) rng.nextInt(256);
          }
          b = concat(concat(java.util.Arrays.copyOf(b, at), ins), java.util.Arrays.copyOfRange(b, at, len));
        }
        case 5 -> { // a JSON token or an extreme number
          byte[] ins = JSON_BITS[rng.nextInt(JSON_BITS.length)].getBytes(StandardCharsets.UTF_8);
          b = concat(concat(java.util.Arrays.copyOf(b, at), ins), java.util.Arrays.copyOfRange(b, at, len));
        }
        default -> { // replace a digit run with an extreme number (sizes, offsets, shapes)
          int d = at;
          while (d < len && !Character.isDigit(b[d])) {
            d++;
          }
          int e = d;
          while (e < len && Character.isDigit(b[e])) {
            e++;
          }
          byte[] num = new String[] {"-1", "0", "4294967296", "9223372036854775807", "99999999999999999999999"}
              [rng.nextInt(5)].getBytes(StandardCharsets.UTF_8);
          b = concat(concat(java.util.Arrays.copyOf(b, d), num), java.util.Arrays.copyOfRange(b, e, len));
        }
      }
    }
    return b;
  }

  static byte[] concat(byte[] a, byte[] b) {
    byte[] c = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, c, a.length, b.length);
    return c;
  }

  @TestFactory
  Stream<DynamicTest> everyReaderEitherReadsOrNamesTheFileInACalmException(@TempDir Path dir) throws IOException {
    return ReaderTargets.targets(dir).stream().map(t -> DynamicTest.dynamicTest(t.name(), () -> fuzz(t, dir)));
  }

  static void fuzz(Target t, Path dir) throws Exception {
    Path file = t.prepare(dir);
    Files.write(file, t.valid());
    t.reader().read(file); // the seed itself reads
    SplittableRandom rng = new SplittableRandom(SEED ^ t.name().hashCode());
    int clean = 0;
    int refused = 0;
    long start = System.nanoTime();
    for (int i = 0; i < ITERATIONS; i++) {
      byte[] input = mutate(t.valid(), rng);
      try {
        if (ReaderTargets.readsOrRefusesCleanly(t, file, input)) {
          clean++;
        } else {
          refused++;
        }
      } catch (AssertionError e) {
        keep(t, i, input);
        fail(t.name() + " input " + i + " (seed " + SEED + "): " + e.getMessage());
      } catch (Throwable e) {
        keep(t, i, input);
        throw new AssertionError(t.name() + " input " + i + " (seed " + SEED + "): " + e + " instead of a CalmException", e);
      }
    }
    System.out.printf("fuzz %s: %d inputs (%d read, %d refused cleanly), seed %d, %.1f s%n", t.name(), ITERATIONS,
        clean, refused, SEED, (System.nanoTime() - start) / 1e9);
  }

  static void keep(Target t, int i, byte[] input) {
    try {
      Path out = Files.createDirectories(Path.of("target", "fuzz-failures"));
      Files.write(out.resolve(t.name().replaceAll("[^a-z]+", "-") + "-" + SEED + "-" + i + "-" + t.fileName()), input);
    } catch (IOException e) {
      // the assertion message still names the seed and iteration
    }
  }

  /** The inputs this fuzzing found, kept as regression tests. */
  @org.junit.jupiter.api.Test
  void foundInputsNameTheFileOnOneLine(@TempDir Path dir) throws IOException {
    Path runs = SAMPLE.resolve("runs");
    String calm = new String(ReaderTargets.bytes(runs.resolve("sample-calm/config.json")), StandardCharsets.UTF_8);
    Map<String, String> found = new LinkedHashMap<>();
    // a head value out of range (HeadConfig's own check did not say which file)
    found.put("beta", calm.replaceFirst("\"beta\"\\s*:\\s*[0-9.eE+-]+", "\"beta\": 0.0"));
    // a backbone constraint (BackboneConfig's check did not say which file)
    found.put("hidden_size", calm.replaceFirst("\"hidden_size\"\\s*:\\s*[0-9]+", "\"hidden_size\": 6"));
    // Gson's parse error ended in a second line pointing at its troubleshooting page
    found.put("unterminated", "{\"hidden_size\": \"12");
    // a NUL character in a path gave InvalidPathException (exit 1) instead of an error naming the file
    Path experiment = Files.createDirectories(dir.resolve("nul")).resolve("experiment.json");
    Files.writeString(experiment, "{\"name\": \"x\", \"corpus\": \"corpus\\u0000.jsonl\"}");
    CalmException nul = org.junit.jupiter.api.Assertions.assertThrows(CalmException.class,
        () -> Experiment.read(experiment));
    assertTrue(nul.getMessage().contains(experiment.toString()) && nul.getMessage().contains("corpus"), nul.getMessage());
    Path project = Files.createDirectories(dir.resolve("nul-project")).resolve("project.json");
    Files.writeString(project, "{\"format\": 1, \"name\": \"x\", \"corpus\": [\"corpus\\u0000.jsonl\"]}");
    CalmException nulProject = org.junit.jupiter.api.Assertions.assertThrows(CalmException.class,
        () -> Project.load(project));
    assertTrue(nulProject.getMessage().contains(project.toString()) && nulProject.getMessage().contains("corpus[0]"),
        nulProject.getMessage());
    for (Map.Entry<String, String> e : found.entrySet()) {
      Path file = Files.createDirectories(dir.resolve(e.getKey())).resolve("config.json");
      Files.writeString(file, e.getValue());
      CalmException x = org.junit.jupiter.api.Assertions.assertThrows(CalmException.class, () -> CalmConfig.read(file),
          e.getKey());
      assertTrue(x.getMessage().startsWith(file.toString()), e.getKey() + ": " + x.getMessage());
      assertTrue(!x.getMessage().contains("\n") && !x.getMessage().contains("google/gson"),
          e.getKey() + ": " + x.getMessage());
    }
  }
}
