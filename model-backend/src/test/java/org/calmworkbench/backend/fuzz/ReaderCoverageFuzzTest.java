package org.calmworkbench.backend.fuzz;

import com.code_intelligence.jazzer.junit.FuzzTest;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.fuzz.ReaderTargets.Target;

/**
 * Coverage-guided fuzzing of the readers with Jazzer (issue 13, goal 1): one {@code @FuzzTest} per
 * reader, each input written to the reader's file and read as the workbench does. An input must read
 * or be refused by a {@code CalmException} naming the file on one line
 * ({@link ReaderTargets#readsOrRefusesCleanly}); anything else (another exception, an
 * OutOfMemoryError, a StackOverflowError, a hang) is a finding.
 *
 * <p>Without {@code JAZZER_FUZZ} (every {@code mvn verify}) each target runs as a regression test on
 * its inputs directory, {@code src/test/resources/org/calmworkbench/backend/fuzz/ReaderCoverageFuzzTestInputs/<method>/}:
 * the valid seed files and every input a fuzzing run found. {@code JAZZER_FUZZ=1} fuzzes one target
 * per run; {@code scripts/fuzz-coverage.sh SECONDS} fuzzes each in turn.
 */
class ReaderCoverageFuzzTest {
  /** The readers by name, and the file each one reads, in a folder of their own. */
  private static final Map<String, Target> TARGETS = new HashMap<>();
  private static final Map<String, Path> FILES = new HashMap<>();

  static {
    try {
      Path dir = Files.createTempDirectory("calm-coverage-fuzz");
      List<Target> all = new ArrayList<>(ReaderTargets.targets(dir.resolve("seeds")));
      all.addAll(ReaderTargets.coverageOnly());
      for (Target t : all) {
        TARGETS.put(t.name(), t);
        FILES.put(t.name(), t.prepare(dir));
      }
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void read(String target, byte[] input) throws Exception {
    ReaderTargets.readsOrRefusesCleanly(TARGETS.get(target), FILES.get(target), input);
  }

  /** Header length, JSON header, dtypes, shapes and offsets; sizes must be refused before allocating. */
  @FuzzTest
  void safetensors(byte[] input) throws Exception {
    read("safetensors", input);
  }

  @FuzzTest
  void autoencoderConfig(byte[] input) throws Exception {
    read("autoencoder config.json", input);
  }

  @FuzzTest
  void calmConfig(byte[] input) throws Exception {
    read("CALM config.json", input);
  }

  @FuzzTest
  void arConfig(byte[] input) throws Exception {
    read("AR config.json", input);
  }

  @FuzzTest
  void projectJson(byte[] input) throws Exception {
    read("project.json", input);
  }

  @FuzzTest
  void experimentFile(byte[] input) throws Exception {
    read("experiment file", input);
  }

  /** Load, then encode and decode a sentence. */
  @FuzzTest
  void tokenizerJson(byte[] input) throws Exception {
    read("tokenizer.json", input);
  }

  @FuzzTest
  void metricsJsonl(byte[] input) throws Exception {
    read("metrics.jsonl", input);
  }

  @FuzzTest
  void trainerState(byte[] input) throws Exception {
    read("trainer_state.json", input);
  }

  @FuzzTest
  void splitJson(byte[] input) throws Exception {
    read("split.json", input);
  }

  @FuzzTest
  void jsonlCorpus(byte[] input) throws Exception {
    read("JSONL corpus", input);
  }

  @FuzzTest
  void textCorpus(byte[] input) throws Exception {
    read("text corpus", input);
  }

  /** The PyTorch {@code .bin} (torch.save zip) reader: open, then read every tensor. */
  @FuzzTest
  void torchStateDict(byte[] input) throws Exception {
    read("PyTorch bin", input);
  }

  /** A Hugging Face Trainer's trainer_state.json (log_history, global_step, max_steps), read as its folder. */
  @FuzzTest
  void hfTrainerState(byte[] input) throws Exception {
    read("HF trainer_state.json", input);
  }
}
