package org.calmworkbench.backend.data;

import static org.calmworkbench.backend.config.Setting.doubleSetting;
import static org.calmworkbench.backend.config.Setting.intSetting;

import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.config.Settings;
import org.calmworkbench.backend.io.AtomicFiles;

/**
 * Which train/validation split a run uses: the split seed and the validation share. Set with
 * {@code --set validation_fraction=0.1 --set split_seed=42} on every training command; the run
 * writes it to {@code split.json} in its folder, and the evaluation commands read it from there, so
 * "held out" always means the text that run never trained on.
 */
public record DataSplit(long seed, double validationFraction) {
  public static final long DEFAULT_SEED = 42;

  public static final DataSplit DEFAULT = new DataSplit(DEFAULT_SEED, CorpusSplit.DEFAULT_VALIDATION_FRACTION);

  /** File in a run folder that records the split the run trained with, and what it came to. */
  public static final String FILE = "split.json";

  public static final List<Setting> SETTINGS =
      List.of(
          doubleSetting("validation_fraction", 1e-6, 0.999999,
              "Share of the corpus's tokens held out for validation (default 0.1)."),
          intSetting("split_seed", 0, Long.MAX_VALUE, "Seed of the train/validation split (default 42)."));

  public DataSplit {
    CorpusSplit.checkFraction(validationFraction);
  }

  /** validation_fraction and split_seed as settings values (for settings sheets). */
  public Map<String, Number> toMap() {
    return Map.of("validation_fraction", validationFraction, "split_seed", seed);
  }

  /** The split with {@code overrides}' validation_fraction and split_seed, where given. */
  public DataSplit with(Map<String, Number> overrides) {
    Number f = overrides.get("validation_fraction");
    Number s = overrides.get("split_seed");
    return new DataSplit(s == null ? seed : s.longValue(), f == null ? validationFraction : f.doubleValue());
  }

  /** Writes {@link #FILE} into {@code runDir}: these settings, the corpus and the realised shares. */
  public void write(Path runDir, List<Path> corpus, TokenizedCorpus.Split realised) throws IOException {
    JsonObject o = new JsonObject();
    putCorpus(o, runDir, corpus);
    o.addProperty("split_seed", seed);
    o.addProperty("validation_fraction", validationFraction);
    o.addProperty("rule", realised.rule().name().toLowerCase(java.util.Locale.ROOT));
    o.addProperty("train_tokens", realised.trainTokens());
    o.addProperty("valid_tokens", realised.validTokens());
    o.addProperty("train_documents", realised.trainDocuments());
    o.addProperty("valid_documents", realised.validDocuments());
    Files.createDirectories(runDir);
    AtomicFiles.writeString(runDir.resolve(FILE), o.toString());
  }

  /**
   * Sets {@code o}'s corpus paths as {@code runDir} records them: relative to the run folder (a project
   * folder moved or cloned with its runs keeps working), and absolute as a fallback for a run moved
   * away from its corpus.
   */
  private static void putCorpus(JsonObject o, Path runDir, List<Path> corpus) {
    Path base = runDir.toAbsolutePath().normalize();
    com.google.gson.JsonArray paths = new com.google.gson.JsonArray();
    com.google.gson.JsonArray absolute = new com.google.gson.JsonArray();
    for (Path p : corpus) {
      Path abs = p.toAbsolutePath().normalize();
      paths.add(base.relativize(abs).toString().replace('\\', '/'));
      absolute.add(abs.toString());
    }
    o.add("corpus", paths);
    o.add("corpus_absolute", absolute);
  }

  /**
   * {@code fromRun}'s record as it must read from {@code toRun} (a copy of the run elsewhere, such as a
   * compacted one): the corpus paths re-rooted relative to {@code toRun}, the absolute fallback and
   * every other field kept. Empty when {@code fromRun} has no record.
   */
  public static java.util.Optional<String> relocated(Path fromRun, Path toRun) {
    Path file = recordOf(fromRun);
    if (!Files.isRegularFile(file)) {
      return java.util.Optional.empty();
    }
    List<Path> corpus = corpusOf(fromRun);
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      putCorpus(o, toRun, corpus);
      return java.util.Optional.of(o.toString());
    } catch (IOException | RuntimeException e) {
      throw new CalmException(file + ": not a readable split record (" + e.getMessage() + ")", e);
    }
  }

  /** {@code runDir}'s record, or for a run's {@code best/} checkpoint its run's. */
  private static Path recordOf(Path runDir) {
    Path file = runDir.resolve(FILE);
    Path parent = runDir.toAbsolutePath().normalize().getParent();
    if (!Files.isRegularFile(file) && parent != null && "best".equals(String.valueOf(runDir.getFileName()))) {
      return parent.resolve(FILE);
    }
    return file;
  }

  /**
   * The corpus paths recorded in {@code runDir}'s {@link #FILE}: relative to the run folder when those
   * files exist, else the absolute paths recorded beside them; empty when there is none.
   */
  public static List<Path> corpusOf(Path runDir) {
    Path file = recordOf(runDir);
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      if (!o.has("corpus") || !o.get("corpus").isJsonArray()) {
        return List.of();
      }
      Path base = file.getParent();
      List<Path> out = new java.util.ArrayList<>();
      o.getAsJsonArray("corpus").forEach(e -> out.add(base.resolve(e.getAsString()).normalize()));
      if (!out.stream().allMatch(Files::exists) && o.has("corpus_absolute") && o.get("corpus_absolute").isJsonArray()) {
        List<Path> abs = new java.util.ArrayList<>();
        o.getAsJsonArray("corpus_absolute").forEach(e -> abs.add(Path.of(e.getAsString())));
        return abs;
      }
      return out;
    } catch (IOException | RuntimeException e) {
      throw new CalmException(file + ": not a readable split record (" + e.getMessage() + ")", e);
    }
  }

  /** The split recorded in {@code runDir}, or {@link #DEFAULT} for runs made before it was recorded. */
  public static DataSplit of(Path runDir) {
    Path file = recordOf(runDir);
    if (!Files.isRegularFile(file)) {
      return DEFAULT;
    }
    try {
      JsonObject o = JsonParser.parseString(Files.readString(file)).getAsJsonObject();
      return DEFAULT.with(Settings.readJson(o, SETTINGS, file.toString()));
    } catch (IOException | JsonParseException | IllegalStateException e) {
      throw new CalmException(file + ": not a readable split record (" + e.getMessage() + ")", e);
    }
  }
}
