package org.calmworkbench.backend.fuzz;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.CorpusReader;
import org.calmworkbench.backend.data.DataSplit;
import org.calmworkbench.backend.experiment.Experiment;
import org.calmworkbench.backend.interop.HfTrainerRun;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.io.pytorch.TorchStateDict;
import org.calmworkbench.backend.model.ArConfig;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;
import org.calmworkbench.backend.train.MetricsLog;
import org.calmworkbench.backend.train.TrainerState;

/**
 * The readers the fuzz tests feed (issue 13, goal 1), each with a valid file to start from, and the
 * contract every input must meet: it reads, or fails with a {@link CalmException} whose message
 * names the file on one line. Shared by the seeded mutation fuzzing ({@link ReaderFuzzTest}) and
 * the coverage-guided fuzzing ({@link ReaderCoverageFuzzTest}).
 */
final class ReaderTargets {
  static final Path SAMPLE = Path.of("..", "sample-projects", "grammar-english");

  private ReaderTargets() {}

  /** Reads {@code file} the way the workbench does. */
  @FunctionalInterface
  interface Reader {
    void read(Path file) throws Exception;
  }

  /**
   * A reader, the name its file has, a valid file, and files that must lie beside it (an experiment
   * file's corpus).
   */
  record Target(String name, String fileName, byte[] valid, Reader reader, Map<String, byte[]> beside) {
    Target(String name, String fileName, byte[] valid, Reader reader) {
      this(name, fileName, valid, reader, Map.of());
    }

    /** Makes this target's folder under {@code dir} (with its {@link #beside} files); returns its file. */
    Path prepare(Path dir) throws IOException {
      Path folder = Files.createDirectories(dir.resolve(name.replaceAll("[^a-z]+", "-")));
      for (Map.Entry<String, byte[]> e : beside.entrySet()) {
        Files.write(folder.resolve(e.getKey()), e.getValue());
      }
      return folder.resolve(fileName);
    }
  }

  static byte[] bytes(Path p) {
    try {
      return Files.readAllBytes(p);
    } catch (IOException e) {
      throw new IllegalStateException("fuzz seed missing: " + p, e);
    }
  }

  static byte[] firstLines(Path p, int n) {
    try (Stream<String> lines = Files.lines(p)) {
      return (String.join("\n", lines.limit(n).toList()) + "\n").getBytes(StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }

  static byte[] smallSafetensors(Path dir) throws IOException {
    Path f = Files.createDirectories(dir).resolve("seed.safetensors");
    Map<String, Tensor> t = new LinkedHashMap<>();
    t.put("encoder.weight", new Tensor("encoder.weight", new int[] {3, 4}, new float[12]));
    t.put("encoder.bias", new Tensor("encoder.bias", new int[] {4}, new float[] {1, 2, 3, 4}));
    Safetensors.write(f, t, Map.of("format", "calm-workbench", "step", "3"));
    return Files.readAllBytes(f);
  }

  /** The twelve readers of {@link ReaderFuzzTest}; {@code dir} receives the safetensors seed. */
  static List<Target> targets(Path dir) throws IOException {
    Path runs = SAMPLE.resolve("runs");
    String state = "{\"kind\":\"calm_autoencoder\",\"step\":12,\"tokens_seen\":6144,\"elapsed_seconds\":3.5,"
        + "\"train_config\":{\"lr\":0.003,\"steps\":20,\"batch_size\":128},\"device\":\"cpu\"}";
    // the experiment's corpus lies beside it, so the file holds no path of this machine
    String experiment = new String(bytes(Path.of("..", "sample-projects", "experiments", "k-sweep-quick.json")),
        StandardCharsets.UTF_8).replace("../grammar-english/corpus/train.jsonl", "train.jsonl");
    byte[] jsonl = firstLines(SAMPLE.resolve("corpus/train.jsonl"), 20);
    Reader corpus = f -> CorpusReader.of(List.of(f)).read(doc -> {}, (a, b) -> {});
    List<Target> t = new ArrayList<>();
    t.add(new Target("safetensors", "model.safetensors", smallSafetensors(dir), f -> {
      for (Tensor x : Safetensors.read(f).tensors().values()) {
        assertTrue(x.data().length >= 0);
      }
    }));
    t.add(new Target("autoencoder config.json", "config.json", bytes(runs.resolve("sample-autoencoder/config.json")),
        AutoencoderConfig::read));
    t.add(new Target("CALM config.json", "config.json", bytes(runs.resolve("sample-calm/config.json")), CalmConfig::read));
    t.add(new Target("AR config.json", "config.json", bytes(runs.resolve("sample-ar/config.json")), ArConfig::read));
    t.add(new Target("project.json", "project.json", bytes(SAMPLE.resolve("project.json")), Project::load));
    t.add(new Target("experiment file", "experiment.json", experiment.getBytes(StandardCharsets.UTF_8),
        Experiment::read, Map.of("train.jsonl", jsonl)));
    t.add(new Target("tokenizer.json", "tokenizer.json", bytes(runs.resolve("sample-autoencoder/tokenizer.json")), f -> {
      Tokenizer tok = Tokenizers.load(f);
      tok.decode(tok.encode("The little robot found a red ball."));
    }));
    t.add(new Target("metrics.jsonl", "metrics.jsonl", firstLines(runs.resolve("sample-calm/metrics.jsonl"), 12),
        MetricsLog::read));
    t.add(new Target("trainer_state.json", "trainer_state.json", state.getBytes(StandardCharsets.UTF_8),
        TrainerState::read));
    t.add(new Target("split.json", "split.json", bytes(runs.resolve("sample-ar/split.json")),
        f -> DataSplit.of(f.getParent())));
    t.add(new Target("JSONL corpus", "corpus.jsonl", jsonl, corpus));
    t.add(new Target("text corpus", "corpus.txt", "The cat sees a dog.\n\nA dog likes the old book.\nIt reads.\n"
        .getBytes(StandardCharsets.UTF_8), corpus));
    return t;
  }

  /**
   * Readers fuzzed by {@link ReaderCoverageFuzzTest} only. Their valid files are in its inputs
   * directory: the PyTorch {@code .bin} reader's is the archive {@code TorchStateDictFuzzTest} damages
   * (which has its own campaign), the Hugging Face Trainer's is {@code interop/hf-trainer-run}'s.
   */
  static List<Target> coverageOnly() {
    return List.of(new Target("PyTorch bin", "pytorch_model.bin", new byte[0], f -> {
      try (TorchStateDict sd = TorchStateDict.open(f)) {
        for (String n : sd.names()) {
          sd.read(n);
        }
      }
    }), new Target("HF trainer_state.json", "trainer_state.json", new byte[0], f -> HfTrainerRun.read(f.getParent())));
  }

  /**
   * Writes {@code input} to {@code file} and reads it as {@code t}: true if it read, false if it was
   * refused by a {@link CalmException} naming the file on one line. A message that does not is an
   * {@link AssertionError}; any other exception or error propagates.
   */
  static boolean readsOrRefusesCleanly(Target t, Path file, byte[] input) throws Exception {
    Files.write(file, input);
    try {
      t.reader().read(file);
      return true;
    } catch (CalmException e) {
      String m = e.getMessage();
      if (m == null || !m.contains(t.fileName()) || m.contains("\n") || m.contains("\r")) {
        throw new AssertionError(t.name() + ": the message does not name " + t.fileName() + " on one line: " + m, e);
      }
      return false;
    }
  }
}
