package org.calmworkbench.app.gui.experiments;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.stream.Stream;
import org.calmworkbench.backend.experiment.Experiment;
import org.calmworkbench.backend.experiment.ExperimentRunner;
import org.calmworkbench.backend.io.AtomicFiles;

/**
 * Where the Experiments page finds experiment files and puts their results; no JavaFX.
 *
 * <ul>
 *   <li>Files: {@code PROJECT/experiments/*.json}, then the bundled {@code sample-projects/experiments/*.json}.
 *   <li>Results: {@code PROJECT/experiments-out/NAME/} (NAME: the experiment's name). A folder that
 *       holds another grid's results (its {@code experiment.json} means something else) is left alone
 *       and {@code NAME-2}, {@code NAME-3}, ... is used, so running the same grid again resumes it and
 *       an edited grid never mixes its rows with the old ones.
 * </ul>
 */
public final class ExperimentFiles {
  private ExperimentFiles() {}

  /** The project's own experiment files. */
  public static final String FOLDER = "experiments";
  /** The project's experiment results, one folder per experiment. */
  public static final String OUT = "experiments-out";

  /** The {@code *.json} files of each folder (null or missing folders are skipped), sorted by name per folder. */
  public static List<Path> list(Path... folders) throws IOException {
    List<Path> out = new ArrayList<>();
    for (Path f : folders) {
      if (f == null || !Files.isDirectory(f)) {
        continue;
      }
      try (Stream<Path> s = Files.list(f)) {
        s.filter(p -> p.getFileName().toString().endsWith(".json") && Files.isRegularFile(p))
            .sorted().forEach(p -> out.add(p.toAbsolutePath().normalize()));
      }
    }
    return out;
  }

  /** The results folder of {@code x} under {@code PROJECT/experiments-out}: free, or holding this very grid. */
  public static Path outputFolder(Path projectFolder, Experiment x) {
    Path base = projectFolder.resolve(OUT);
    String name = x.name().replaceAll("[^A-Za-z0-9._-]+", "-").replaceAll("^[-.]+", "");
    if (name.isEmpty()) {
      name = "experiment";
    }
    for (int i = 1; ; i++) {
      Path dir = base.resolve(i == 1 ? name : name + "-" + i);
      if (usable(dir, x)) {
        return dir;
      }
    }
  }

  /** Whether {@code dir} is free (missing or empty) or holds the results of a grid with {@code x}'s meaning. */
  static boolean usable(Path dir, Experiment x) {
    if (!Files.isDirectory(dir)) {
      return !Files.exists(dir);
    }
    Path copy = dir.resolve(ExperimentRunner.EXPERIMENT_COPY);
    if (!Files.isRegularFile(copy)) {
      try (Stream<Path> s = Files.list(dir)) {
        return s.findAny().isEmpty();
      } catch (IOException e) {
        return false;
      }
    }
    try {
      JsonElement meaning = JsonParser.parseString(Files.readString(copy)).getAsJsonObject().get("meaning");
      return x.meaning().equals(meaning);
    } catch (IOException | RuntimeException e) {
      return false;
    }
  }

  /**
   * Writes {@code json} to {@code target} atomically, pretty-printed. The corpus and tokenizer paths
   * are relative to the file, so they are rewritten from {@code fromFolder} (where the JSON was read)
   * to the target's folder.
   */
  public static void save(JsonObject json, Path fromFolder, Path target) throws IOException {
    Path toFolder = target.toAbsolutePath().getParent();
    JsonObject out = rebase(json, fromFolder.toAbsolutePath(), toFolder);
    AtomicFiles.writeString(target, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(out) + "\n");
  }

  /** {@code json} with its file-relative paths (corpus, tokenizer.path) made relative to {@code to} instead of {@code from}. */
  static JsonObject rebase(JsonObject json, Path from, Path to) {
    JsonObject out = json.deepCopy();
    if (from.normalize().equals(to.normalize())) {
      return out;
    }
    JsonElement corpus = out.get("corpus");
    if (corpus != null && corpus.isJsonArray()) {
      JsonArray a = new JsonArray();
      corpus.getAsJsonArray().forEach(e -> a.add(rebasePath(e, from, to)));
      out.add("corpus", a);
    } else if (corpus != null) {
      out.add("corpus", rebasePath(corpus, from, to));
    }
    if (out.has("tokenizer") && out.get("tokenizer").isJsonObject() && out.getAsJsonObject("tokenizer").has("path")) {
      JsonObject t = out.getAsJsonObject("tokenizer");
      t.add("path", rebasePath(t.get("path"), from, to));
    }
    return out;
  }

  private static JsonElement rebasePath(JsonElement e, Path from, Path to) {
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      return e;
    }
    Path p = Path.of(e.getAsString());
    if (p.isAbsolute()) {
      return e;
    }
    Path abs = from.resolve(p).normalize();
    Path rel;
    try {
      rel = to.normalize().relativize(abs);
    } catch (IllegalArgumentException ex) {
      rel = abs; // different roots: keep it absolute
    }
    return new JsonPrimitive(rel.toString().replace('\\', '/'));
  }

  /** A file name for "Save as": the name, lower-case, with characters a file name should not have replaced. */
  public static String suggestedFileName(String name) {
    String stem = name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9._-]+", "-").replaceAll("(^-+|-+$)", "");
    return (stem.isEmpty() ? "experiment" : stem) + ".json";
  }
}
