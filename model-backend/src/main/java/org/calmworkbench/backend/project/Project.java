package org.calmworkbench.backend.project;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.IOException;
import java.io.StringReader;
import java.math.BigDecimal;
import java.nio.charset.MalformedInputException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.StorageException;
import org.calmworkbench.backend.data.CorpusSplit;
import org.calmworkbench.backend.io.AtomicFiles;

/**
 * A project folder and its {@code project.json}: a name, the corpus (files or folders, relative to
 * the folder), the seed, the validation share and default presets per stage. The format is
 * described in {@code docs/PROJECT_FORMAT.md}.
 *
 * @param folder the project folder (absolute); corpus paths resolve against it
 * @param name short name shown in the GUI and in run folders
 * @param description one or more sentences for people; may be empty
 * @param seed seeds the train/validation split and every run that does not set its own
 * @param corpus corpus paths as written in the file ({@code /}-separated, relative or absolute)
 * @param validationFraction share of documents held out for validation, in (0, 1)
 * @param presets default settings per stage ({@code "tokenizer"}, {@code "autoencoder"}, ...), each
 *     a JSON object that the stage interprets
 */
public record Project(
    Path folder,
    String name,
    String description,
    long seed,
    List<String> corpus,
    double validationFraction,
    Map<String, JsonObject> presets) {

  public static final String FILE_NAME = "project.json";

  /** The format version this code writes and reads. */
  public static final int FORMAT = 1;

  public static final long DEFAULT_SEED = 42;

  /** The folder of a project's runs, inside the project folder. */
  public static final String RUNS = "runs";

  static final List<String> FIELDS =
      List.of("format", "name", "description", "seed", "corpus", "validation_fraction", "presets");

  public Project {
    folder = folder.toAbsolutePath().normalize();
    if (name == null || name.isBlank()) {
      throw new CalmException("a project needs a name");
    }
    description = description == null ? "" : description;
    if (corpus == null || corpus.isEmpty()) {
      throw new CalmException("project '" + name + "' needs at least one corpus path");
    }
    corpus = List.copyOf(corpus);
    if (!(validationFraction > 0 && validationFraction < 1)) {
      throw new CalmException("project '" + name + "': validation_fraction must be between 0 and 1 (exclusive), got "
          + validationFraction);
    }
    presets = deepCopy(presets == null ? Map.of() : presets);
  }

  /** A project with the default seed, validation share and no presets. */
  public static Project of(Path folder, String name, List<String> corpus) {
    return new Project(folder, name, "", DEFAULT_SEED, corpus, CorpusSplit.DEFAULT_VALIDATION_FRACTION, Map.of());
  }

  /** The preset maps are copies: changing them does not change the project. */
  @Override
  public Map<String, JsonObject> presets() {
    return deepCopy(presets);
  }

  /** The settings of one stage, or an empty object when the project has none. */
  public JsonObject preset(String stage) {
    JsonObject p = presets.get(stage);
    return p == null ? new JsonObject() : p.deepCopy();
  }

  /** The file this project lives in. */
  public Path file() {
    return folder.resolve(FILE_NAME);
  }

  /** Corpus paths resolved against the project folder, in file order. */
  public List<Path> corpusPaths() {
    List<Path> out = new ArrayList<>();
    for (String c : corpus) {
      out.add(folder.resolve(c).normalize());
    }
    return out;
  }

  /**
   * A new, not yet existing folder for a run: {@code PROJECT/runs/KIND-yyyyMMdd-HHmmss}, with -2, -3...
   * when that is taken. Creates {@code runs/}, not the run's folder.
   */
  public Path newRunFolder(String kind) throws IOException {
    Path runs = folder.resolve(RUNS);
    Files.createDirectories(runs);
    String stamp = java.time.LocalDateTime.now().format(java.time.format.DateTimeFormatter.ofPattern("yyyyMMdd-HHmmss"));
    Path out = runs.resolve(kind + "-" + stamp);
    for (int i = 2; Files.exists(out); i++) {
      out = runs.resolve(kind + "-" + stamp + "-" + i);
    }
    return out;
  }

  public Project withDescription(String newDescription) {
    return new Project(folder, name, newDescription, seed, corpus, validationFraction, presets);
  }

  public Project withSeed(long newSeed) {
    return new Project(folder, name, description, newSeed, corpus, validationFraction, presets);
  }

  public Project withPreset(String stage, JsonObject settings) {
    Map<String, JsonObject> p = new LinkedHashMap<>(presets);
    p.put(stage, settings);
    return new Project(folder, name, description, seed, corpus, validationFraction, p);
  }

  // ---------------------------------------------------------------------------------------------

  /**
   * Loads {@code path}: a project folder (its {@code project.json}) or the file itself. A path that
   * does not exist counts as a folder unless it names a {@code .json} file, so the error names the
   * project.json that is missing.
   */
  public static Project load(Path path) {
    boolean folder = Files.isDirectory(path) || !Files.exists(path) && !path.toString().endsWith(".json");
    Path file = folder ? path.resolve(FILE_NAME) : path;
    String text;
    try {
      text = Files.readString(file);
    } catch (NoSuchFileException e) {
      throw new CalmException("no project file at " + file
          + " (create a sample with 'calm sample generate --out DIR'; the format is in docs/PROJECT_FORMAT.md)");
    } catch (MalformedInputException e) {
      throw new CalmException(file + ": not UTF-8 text");
    } catch (IOException e) {
      throw new CalmException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return parse(text, file);
  }

  /** Parses the text of a project file that lives at {@code file}; errors name the file and field. */
  public static Project parse(String text, Path file) {
    JsonObject o = parseObject(text, file);
    for (String key : o.keySet()) {
      if (!FIELDS.contains(key)) {
        throw bad(file, key, "is not a project field; valid fields: " + String.join(", ", FIELDS));
      }
    }
    if (o.has("format")) {
      long format = integer(o.get("format"), file, "format");
      if (format != FORMAT) {
        throw bad(file, "format", "is " + format + ", but this version of CALM Workbench reads format " + FORMAT
            + (format > FORMAT ? "; the file was written by a newer version" : ""));
      }
    }
    String name = string(o.get("name"), file, "name", true);
    if (name.isBlank()) {
      throw bad(file, "name", "must not be empty");
    }
    String description = o.has("description") ? string(o.get("description"), file, "description", false) : "";
    long seed = o.has("seed") ? integer(o.get("seed"), file, "seed") : DEFAULT_SEED;
    List<String> corpus = corpus(o.get("corpus"), file);
    double fraction = CorpusSplit.DEFAULT_VALIDATION_FRACTION;
    if (o.has("validation_fraction")) {
      JsonElement e = o.get("validation_fraction");
      if (!isNumber(e)) {
        throw bad(file, "validation_fraction", "must be a number between 0 and 1, got " + e);
      }
      fraction = e.getAsDouble();
      if (!(fraction > 0 && fraction < 1)) {
        throw bad(file, "validation_fraction", "must be between 0 and 1 (exclusive), got " + e);
      }
    }
    Map<String, JsonObject> presets = new LinkedHashMap<>();
    if (o.has("presets")) {
      JsonElement e = o.get("presets");
      if (!e.isJsonObject()) {
        throw bad(file, "presets", "must be an object of stages, e.g. {\"tokenizer\": {\"vocab_size\": 1024}}, got " + e);
      }
      for (Map.Entry<String, JsonElement> stage : e.getAsJsonObject().entrySet()) {
        if (!stage.getValue().isJsonObject()) {
          throw bad(file, "presets." + stage.getKey(), "must be an object of settings, got " + stage.getValue());
        }
        presets.put(stage.getKey(), stage.getValue().getAsJsonObject());
      }
    }
    Path folder = file.toAbsolutePath().getParent();
    return new Project(folder, name, description, seed, corpus, fraction, presets);
  }

  /**
   * Writes {@code project.json} into the folder atomically (a crash leaves the old file or the new
   * one); a folder that cannot be written (a read-only medium, a full disk) is a {@link
   * StorageException} naming the file: "cannot save PROJECT/project.json: read-only file system".
   */
  public void save() throws IOException {
    try {
      AtomicFiles.writeString(file(), toJson());
    } catch (java.nio.file.FileSystemException e) {
      throw StorageException.of("save", file(), e);
    }
  }

  /** The file's text: pretty-printed (people edit it), fields in a fixed order, a final newline. */
  public String toJson() {
    JsonObject o = new JsonObject();
    o.addProperty("format", FORMAT);
    o.addProperty("name", name);
    o.addProperty("description", description);
    o.addProperty("seed", seed);
    JsonArray c = new JsonArray();
    corpus.forEach(c::add);
    o.add("corpus", c);
    o.addProperty("validation_fraction", validationFraction);
    JsonObject p = new JsonObject();
    presets.forEach((k, v) -> p.add(k, v.deepCopy()));
    o.add("presets", p);
    return new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().create().toJson(o) + "\n";
  }

  // ---------------------------------------------------------------------------------------------

  private static JsonObject parseObject(String text, Path file) {
    JsonReader reader = new JsonReader(new StringReader(text));
    reader.setStrictness(Strictness.STRICT);
    JsonElement root;
    try {
      if (reader.peek() != JsonToken.BEGIN_OBJECT) {
        throw new CalmException(file + ": a project file must hold one JSON object {...}");
      }
      // Gson's adapter keeps the reader's strictness; JsonParser.parseReader would switch to lenient.
      root = new Gson().getAdapter(JsonElement.class).read(reader);
    } catch (JsonParseException | IOException e) {
      throw new CalmException(file + ": not valid JSON (" + jsonProblem(e) + ")", e);
    }
    try {
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new IOException("more values");
      }
    } catch (JsonParseException | IOException e) {
      throw new CalmException(file + ": unexpected text after the JSON object (" + jsonProblem(e) + ")");
    }
    return root.getAsJsonObject();
  }

  /** Gson's message without its advice to parse leniently and its troubleshooting link. */
  private static String jsonProblem(Exception e) {
    String m = e.getCause() != null && e.getCause().getMessage() != null ? e.getCause().getMessage() : e.getMessage();
    m = String.valueOf(m).lines().findFirst().orElse("");
    m = m.replace("Use JsonReader.setStrictness(Strictness.LENIENT) to accept malformed JSON ", "malformed JSON ");
    return m.isBlank() ? e.getClass().getSimpleName() : m.strip();
  }

  private static List<String> corpus(JsonElement e, Path file) {
    if (e == null || e.isJsonNull()) {
      throw bad(file, "corpus", "is missing; list the corpus files or folders, e.g. \"corpus\": [\"corpus/train.jsonl\"]");
    }
    JsonArray array;
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isString()) {
      array = new JsonArray();
      array.add(e); // one path may be written without brackets
    } else if (e.isJsonArray()) {
      array = e.getAsJsonArray();
    } else {
      throw bad(file, "corpus", "must be a list of paths, got " + e);
    }
    if (array.isEmpty()) {
      throw bad(file, "corpus", "must list at least one file or folder");
    }
    List<String> out = new ArrayList<>();
    for (int i = 0; i < array.size(); i++) {
      String p = string(array.get(i), file, "corpus[" + i + "]", true);
      if (p.isBlank()) {
        throw bad(file, "corpus[" + i + "]", "must not be empty");
      }
      try {
        java.nio.file.Path.of(p); // a NUL character, say, is no path (found by ReaderFuzzTest)
      } catch (java.nio.file.InvalidPathException x) {
        throw bad(file, "corpus[" + i + "]", "is not a valid path (" + x.getReason() + ")");
      }
      out.add(p);
    }
    return out;
  }

  private static String string(JsonElement e, Path file, String field, boolean required) {
    if (e == null || e.isJsonNull()) {
      if (required) {
        throw bad(file, field, "is missing");
      }
      return "";
    }
    if (!e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString()) {
      throw bad(file, field, "must be a string, got " + e);
    }
    return e.getAsString();
  }

  private static long integer(JsonElement e, Path file, String field) {
    if (!isNumber(e)) {
      throw bad(file, field, "must be an integer, got " + e);
    }
    try {
      return new BigDecimal(e.getAsString()).longValueExact();
    } catch (ArithmeticException | NumberFormatException x) {
      throw bad(file, field, "must be an integer, got " + e);
    }
  }

  private static boolean isNumber(JsonElement e) {
    return e != null && e.isJsonPrimitive() && ((JsonPrimitive) e).isNumber();
  }

  private static CalmException bad(Path file, String field, String problem) {
    return new CalmException(file + ": '" + field + "' " + problem);
  }

  private static Map<String, JsonObject> deepCopy(Map<String, JsonObject> m) {
    Map<String, JsonObject> out = new LinkedHashMap<>();
    m.forEach((k, v) -> out.put(k, v.deepCopy()));
    return java.util.Collections.unmodifiableMap(out);
  }
}
