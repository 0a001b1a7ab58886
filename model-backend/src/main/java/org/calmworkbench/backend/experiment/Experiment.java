package org.calmworkbench.backend.experiment;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.OptionalInt;
import java.util.Set;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.config.Settings;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.train.AePresets;
import org.calmworkbench.backend.train.ArTrainer;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.backend.workflow.AeTraining;
import org.calmworkbench.backend.workflow.LmTraining;

/**
 * An experiment file: one corpus, one tokenizer, presets, a grid of (K, head, input, latent size,
 * seed) and a budget per cell. The schema is documented in docs/EXPERIMENTS.md; every error names
 * the file and the key ({@code k-sweep.json: grid.patch_sizes: must not be empty}).
 *
 * <p>Paths in {@code corpus} and {@code tokenizer.path} are relative to the file's folder.
 */
public record Experiment(
    Path file,
    String name,
    String description,
    List<Path> corpus, // resolved against the file's folder
    TokenizerSpec tokenizer,
    Stage autoencoder,
    Stage lm,
    Integer contextTokens, // lm.context_tokens: CALM context_chunks = this / K, AR = this / 4; null: the preset's
    Integer positionsPerStep, // lm.positions_per_step: each cell's batch_size = this / its positions per sequence; null: lm.set's or the preset's
    Grid grid,
    Budget budget,
    Evaluation evaluation,
    int jobs, // cell groups run at once (worker processes) unless the command line says otherwise; 1: in-process
    JsonObject meaning) { // what fixes the cells' results: compared on resume

  /** Heads the grid may name (the generative heads of {@link org.calmworkbench.backend.model.HeadType}). */
  public static final List<String> KNOWN_HEADS = List.of("energy", "flow", "diffusion");

  public static final int DEFAULT_VOCAB_SIZE = AeTraining.DEFAULT_VOCAB_SIZE;
  public static final long DEFAULT_SEED = 42;
  public static final int DEFAULT_POSITIONS = 2000;
  public static final int DEFAULT_GENERATION_TOKENS = 64;

  /** Either a tokenizer file to use, or the vocabulary of a byte-level BPE trained on the corpus. */
  public record TokenizerSpec(Path path, int vocabSize) {}

  /** A preset and {@code set} overrides (already range-checked) for the autoencoder or the LM. */
  public record Stage(String preset, Map<String, Number> set) {
    /** The overrides as {@code key=value} strings, the form the training workflows take. */
    public List<String> assignments() {
      List<String> out = new ArrayList<>();
      set.forEach((k, v) -> out.add(k + "=" + v));
      return out;
    }
  }

  public record Grid(List<Integer> patchSizes, List<String> heads, List<InputMode> inputs, List<Integer> latentSizes,
      List<Long> seeds, boolean includeArBaseline) {}

  /** The LM budget of each cell: exactly one of steps, FLOPs or minutes; the autoencoder trains a fixed number of steps. */
  public record Budget(Kind kind, double value, int autoencoderSteps) {
    public enum Kind {
      STEPS,
      FLOPS,
      MINUTES;

      public String key() {
        return name().toLowerCase(Locale.ROOT);
      }
    }
  }

  /** BrierLM positions on the held-out split and tokens generated to measure tokens/s. */
  public record Evaluation(int positions, int generationTokens) {}

  /**
   * The batch size of {@code cell} under {@code lm.positions_per_step}: the positions per step over
   * the positions per sequence (context_tokens / K for CALM, context_tokens for the AR baseline);
   * empty without it.
   */
  public OptionalInt batchSize(ExperimentCell cell) {
    if (positionsPerStep == null) {
      return OptionalInt.empty();
    }
    return OptionalInt.of(positionsPerStep / (cell.ar() ? contextTokens : contextTokens / cell.patchSize()));
  }

  /** A copy: the file minus name, description and jobs, as JSON. */
  @Override
  public JsonObject meaning() {
    return meaning.deepCopy();
  }

  /** Reads and validates {@code file}. */
  public static Experiment read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CalmException("experiment file not found: " + file);
    }
    String text;
    try {
      text = Files.readString(file);
    } catch (IOException e) {
      throw new CalmException("cannot read " + file + ": " + e.getMessage(), e);
    }
    return parse(text, file);
  }

  /** Validates {@code json} as if read from {@code file} (relative paths resolve against its folder). */
  public static Experiment parse(String json, Path file) {
    JsonElement root;
    try {
      root = JsonParser.parseString(json);
    } catch (JsonParseException e) {
      throw new CalmException(file + ": not valid JSON (" + e.getMessage() + ")", e);
    }
    Reader r = new Reader(file);
    JsonObject o = r.object(root, "");
    r.allow(o, "", "name", "description", "corpus", "tokenizer", "autoencoder", "lm", "grid", "budget", "evaluation",
        "jobs");
    Path base = file.toAbsolutePath().getParent();

    String fileName = file.getFileName().toString();
    String name = o.has("name") ? r.string(o.get("name"), "name") : fileName.replaceFirst("\\.json$", "");
    String description = o.has("description") ? r.string(o.get("description"), "description") : "";

    List<Path> corpus = new ArrayList<>();
    JsonElement c = r.required(o, "", "corpus");
    List<JsonElement> corpusItems = new ArrayList<>();
    if (c.isJsonArray()) {
      c.getAsJsonArray().forEach(corpusItems::add);
      if (corpusItems.isEmpty()) {
        throw r.error("corpus", "must name at least one file or folder");
      }
    } else {
      corpusItems.add(c);
    }
    for (int i = 0; i < corpusItems.size(); i++) {
      String key = c.isJsonArray() ? "corpus[" + i + "]" : "corpus";
      Path p = r.path(base, corpusItems.get(i), key);
      if (!Files.exists(p)) {
        throw r.error(key, "no such file or folder: " + p);
      }
      corpus.add(p);
    }

    TokenizerSpec tokenizer = new TokenizerSpec(null, DEFAULT_VOCAB_SIZE);
    if (o.has("tokenizer")) {
      JsonObject t = r.object(o.get("tokenizer"), "tokenizer");
      r.allow(t, "tokenizer", "path", "vocab_size");
      if (t.has("path") && t.has("vocab_size")) {
        throw r.error("tokenizer", "give either path (a tokenizer to use) or vocab_size (train one), not both");
      }
      if (t.has("path")) {
        Path p = r.path(base, t.get("path"), "tokenizer.path");
        if (!Files.exists(p)) {
          throw r.error("tokenizer.path", "no such file or folder: " + p);
        }
        tokenizer = new TokenizerSpec(p, 0);
      } else if (t.has("vocab_size")) {
        tokenizer = new TokenizerSpec(null, (int) r.integer(t.get("vocab_size"), "tokenizer.vocab_size", 260, 1 << 20));
      }
    }

    Set<String> gridOwned = Set.of("patch_size", "latent_size", "seed", "steps", "time_limit");
    Stage ae = stage(r, o, "autoencoder", AePresets.DEFAULT, AeTraining.settableKeys(), gridOwned);
    AePresets.Preset aePreset = AePresets.get(ae.preset());
    Stage lm = stage(r, o, "lm", LmPresets.DEFAULT, LmTraining.settableKeys(), Set.of("seed", "steps", "time_limit"));
    LmPresets.Preset lmPreset = LmPresets.get(lm.preset());
    Integer contextTokens = null;
    if (o.has("lm") && o.getAsJsonObject("lm").has("context_tokens")) {
      contextTokens = (int) r.integer(o.getAsJsonObject("lm").get("context_tokens"), "lm.context_tokens", 2, 1 << 20);
      if (lm.set().containsKey("context_chunks")) {
        throw r.error("lm.set.context_chunks", "cannot be combined with lm.context_tokens (which sets it per K)");
      }
    }

    Integer positionsPerStep = null;
    if (o.has("lm") && o.getAsJsonObject("lm").has("positions_per_step")) {
      positionsPerStep = (int) r.integer(o.getAsJsonObject("lm").get("positions_per_step"), "lm.positions_per_step", 1,
          1 << 24);
      if (contextTokens == null) {
        throw r.error("lm.positions_per_step", "needs lm.context_tokens (positions per sequence are context_tokens / K)");
      }
      if (lm.set().containsKey("batch_size")) {
        throw r.error("lm.set.batch_size", "cannot be combined with lm.positions_per_step (which sets it per K)");
      }
    }

    JsonObject g = r.object(r.required(o, "", "grid"), "grid");
    r.allow(g, "grid", "patch_sizes", "heads", "inputs", "latent_sizes", "seeds", "include_ar_baseline");
    List<Integer> patchSizes = new ArrayList<>();
    for (JsonElement e : r.list(r.required(g, "grid", "patch_sizes"), "grid.patch_sizes")) {
      patchSizes.add((int) r.integer(e, "grid.patch_sizes", 1, 64));
    }
    List<String> heads = new ArrayList<>();
    for (JsonElement e : g.has("heads") ? r.list(g.get("heads"), "grid.heads") : List.of(new JsonPrimitive("energy"))) {
      String h = r.string(e, "grid.heads");
      if (!KNOWN_HEADS.contains(h)) {
        throw r.error("grid.heads", "unknown head '" + h + "'; known heads: " + String.join(", ", KNOWN_HEADS));
      }
      heads.add(h);
    }
    List<InputMode> inputs = new ArrayList<>();
    for (JsonElement e : g.has("inputs") ? r.list(g.get("inputs"), "grid.inputs") : List.of(new JsonPrimitive("discrete"))) {
      String s = r.string(e, "grid.inputs");
      try {
        inputs.add(InputMode.parse(s));
      } catch (CalmException ex) {
        throw r.error("grid.inputs", "unknown input '" + s + "'; choose discrete, latent or both");
      }
    }
    List<Integer> latentSizes = new ArrayList<>();
    if (g.has("latent_sizes")) {
      for (JsonElement e : r.list(g.get("latent_sizes"), "grid.latent_sizes")) {
        latentSizes.add((int) r.integer(e, "grid.latent_sizes", 1, 1 << 14));
      }
    } else {
      latentSizes.add(aePreset.model().get("latent_size").intValue());
    }
    List<Long> seeds = new ArrayList<>();
    for (JsonElement e : g.has("seeds") ? r.list(g.get("seeds"), "grid.seeds") : List.of(new JsonPrimitive(DEFAULT_SEED))) {
      seeds.add(r.integer(e, "grid.seeds", 0, Integer.MAX_VALUE));
    }
    boolean ar = g.has("include_ar_baseline") && r.bool(g.get("include_ar_baseline"), "grid.include_ar_baseline");
    r.distinct(patchSizes, "grid.patch_sizes");
    r.distinct(heads, "grid.heads");
    r.distinct(inputs, "grid.inputs");
    r.distinct(latentSizes, "grid.latent_sizes");
    r.distinct(seeds, "grid.seeds");
    Grid grid = new Grid(List.copyOf(patchSizes), List.copyOf(heads), List.copyOf(inputs), List.copyOf(latentSizes),
        List.copyOf(seeds), ar);

    if (contextTokens != null) {
      for (int k : patchSizes) {
        if (contextTokens % k != 0 || contextTokens / k < 2) {
          throw r.error("lm.context_tokens", contextTokens + " must be a multiple of every K in grid.patch_sizes"
              + " and at least 2 K (K = " + k + ")");
        }
      }
      if (positionsPerStep != null) {
        List<Integer> perSequence = new ArrayList<>();
        for (int k : patchSizes) {
          perSequence.add(contextTokens / k);
        }
        if (ar) {
          perSequence.add(contextTokens);
        }
        for (int n : perSequence) {
          if (positionsPerStep % n != 0) {
            throw r.error("lm.positions_per_step", positionsPerStep + " must be a multiple of every cell's positions per"
                + " sequence (context_tokens / K" + (ar ? ", and context_tokens for the AR baseline" : "") + "), not of "
                + n);
          }
        }
      }
      if (ar && contextTokens % ArTrainer.REFERENCE_PATCH_SIZE != 0) {
        throw r.error("lm.context_tokens", contextTokens + " must be a multiple of 4 for the AR baseline (its"
            + " context is context_chunks * 4 tokens)");
      }
    }

    JsonObject b = r.object(r.required(o, "", "budget"), "budget");
    r.allow(b, "budget", "steps", "flops", "minutes", "autoencoder_steps");
    List<String> kinds = new ArrayList<>();
    for (Budget.Kind k : Budget.Kind.values()) {
      if (b.has(k.key())) {
        kinds.add(k.key());
      }
    }
    if (kinds.size() != 1) {
      throw r.error("budget", "give exactly one of steps, flops or minutes (the LM budget per cell), got "
          + (kinds.isEmpty() ? "none" : String.join(" and ", kinds)));
    }
    Budget.Kind kind = Budget.Kind.valueOf(kinds.get(0).toUpperCase(Locale.ROOT));
    double value = switch (kind) {
      case STEPS -> r.integer(b.get("steps"), "budget.steps", 1, Integer.MAX_VALUE);
      case FLOPS -> r.number(b.get("flops"), "budget.flops", 1, 1e30);
      case MINUTES -> r.number(b.get("minutes"), "budget.minutes", 1e-3, 1e6);
    };
    int aeSteps = b.has("autoencoder_steps")
        ? (int) r.integer(b.get("autoencoder_steps"), "budget.autoencoder_steps", 1, Integer.MAX_VALUE)
        : aePreset.train().steps();
    Budget budget = new Budget(kind, value, aeSteps);

    Evaluation evaluation = new Evaluation(DEFAULT_POSITIONS, DEFAULT_GENERATION_TOKENS);
    if (o.has("evaluation")) {
      JsonObject ev = r.object(o.get("evaluation"), "evaluation");
      r.allow(ev, "evaluation", "positions", "generation_tokens");
      evaluation = new Evaluation(
          ev.has("positions") ? (int) r.integer(ev.get("positions"), "evaluation.positions", 1, 1 << 24) : DEFAULT_POSITIONS,
          ev.has("generation_tokens")
              ? (int) r.integer(ev.get("generation_tokens"), "evaluation.generation_tokens", 1, 1 << 20)
              : DEFAULT_GENERATION_TOKENS);
    }

    int jobs = o.has("jobs") ? (int) r.integer(o.get("jobs"), "jobs", 1, 64) : 1;

    JsonObject meaning = o.deepCopy();
    meaning.remove("name");
    meaning.remove("description");
    meaning.remove("jobs"); // how the cells are run, not what they give
    return new Experiment(file, name, description, List.copyOf(corpus), tokenizer, ae, lm, contextTokens,
        positionsPerStep, grid, budget, evaluation, jobs, meaning);
  }

  private static Stage stage(Reader r, JsonObject o, String key, String defaultPreset, List<Setting> settable,
      Set<String> owned) {
    if (!o.has(key)) {
      return new Stage(defaultPreset, Map.of());
    }
    JsonObject s = r.object(o.get(key), key);
    if (key.equals("lm")) {
      r.allow(s, key, "preset", "set", "context_tokens", "positions_per_step");
    } else {
      r.allow(s, key, "preset", "set");
    }
    String preset = s.has("preset") ? r.string(s.get("preset"), key + ".preset") : defaultPreset;
    try {
      if (key.equals("lm")) {
        LmPresets.get(preset);
      } else {
        AePresets.get(preset);
      }
    } catch (CalmException e) {
      throw r.error(key + ".preset", e.getMessage());
    }
    Map<String, Number> set = new LinkedHashMap<>();
    if (s.has("set")) {
      JsonObject values = r.object(s.get("set"), key + ".set");
      Map<String, Setting> byKey = Settings.index(settable);
      for (Map.Entry<String, JsonElement> e : values.entrySet()) {
        String where = key + ".set." + e.getKey();
        if (owned.contains(e.getKey())) {
          throw r.error(where, "is set by the experiment (" + ownerOf(e.getKey()) + "), not by " + key + ".set");
        }
        Setting spec = byKey.get(e.getKey());
        if (spec == null) {
          throw r.error(where, "unknown key; valid keys: " + String.join(", ",
              byKey.keySet().stream().filter(k -> !owned.contains(k)).toList()));
        }
        double v = r.number(e.getValue(), where, -Double.MAX_VALUE, Double.MAX_VALUE);
        set.put(e.getKey(), spec.check(v, r.file + ": " + key + ".set"));
      }
    }
    return new Stage(preset, Map.copyOf(set));
  }

  private static String ownerOf(String key) {
    return switch (key) {
      case "patch_size" -> "grid.patch_sizes";
      case "latent_size" -> "grid.latent_sizes";
      case "seed" -> "grid.seeds";
      default -> "budget";
    };
  }

  /** The cells in run order: per seed, per K, per latent size, per head, per input; then the AR baseline of the seed. */
  public List<ExperimentCell> cells() {
    List<ExperimentCell> out = new ArrayList<>();
    for (long seed : grid.seeds()) {
      for (int k : grid.patchSizes()) {
        for (int l : grid.latentSizes()) {
          for (String head : grid.heads()) {
            for (InputMode input : grid.inputs()) {
              out.add(ExperimentCell.calm(k, head, input, l, seed));
            }
          }
        }
      }
      if (grid.includeArBaseline()) {
        out.add(ExperimentCell.ar(seed));
      }
    }
    return out;
  }

  /** JSON access that names the file and the key in every error. */
  private static final class Reader {
    final Path file;

    Reader(Path file) {
      this.file = file;
    }

    CalmException error(String key, String message) {
      return new CalmException(file + ": " + (key.isEmpty() ? "" : key + ": ") + message);
    }

    JsonObject object(JsonElement e, String key) {
      if (e == null || !e.isJsonObject()) {
        throw error(key, "expected a JSON object {...}, got " + describe(e));
      }
      return e.getAsJsonObject();
    }

    JsonElement required(JsonObject o, String parent, String key) {
      JsonElement e = o.get(key);
      if (e == null || e.isJsonNull()) {
        throw error(parent.isEmpty() ? key : parent + "." + key, "missing (required)");
      }
      return e;
    }

    void allow(JsonObject o, String parent, String... keys) {
      List<String> valid = List.of(keys);
      for (String k : o.keySet()) {
        if (!valid.contains(k)) {
          String where = parent.isEmpty() ? k : parent + "." + k;
          throw error(where, "unknown key" + suggestion(k, valid) + "; valid keys" + (parent.isEmpty() ? "" : " of " + parent)
              + ": " + String.join(", ", valid));
        }
      }
    }

    List<JsonElement> list(JsonElement e, String key) {
      if (e == null || !e.isJsonArray()) {
        throw error(key, "expected a list [...], got " + describe(e));
      }
      JsonArray a = e.getAsJsonArray();
      if (a.isEmpty()) {
        throw error(key, "must not be empty (the grid would have no cells)");
      }
      List<JsonElement> out = new ArrayList<>();
      a.forEach(out::add);
      return out;
    }

    String string(JsonElement e, String key) {
      if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isString() || e.getAsString().isBlank()) {
        throw error(key, "expected a non-empty string, got " + describe(e));
      }
      return e.getAsString().strip();
    }

    /** A path string resolved against {@code base}; one that is no path (a NUL character) is an error naming the key. */
    Path path(Path base, JsonElement e, String key) {
      String s = string(e, key);
      try {
        return base.resolve(s).normalize();
      } catch (java.nio.file.InvalidPathException x) { // found by ReaderFuzzTest
        throw error(key, "not a valid path (" + x.getReason() + ")");
      }
    }

    boolean bool(JsonElement e, String key) {
      if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isBoolean()) {
        throw error(key, "expected true or false, got " + describe(e));
      }
      return e.getAsBoolean();
    }

    double number(JsonElement e, String key, double min, double max) {
      if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
        throw error(key, "expected a number, got " + describe(e));
      }
      double v = e.getAsDouble();
      if (!Double.isFinite(v) || v < min || v > max) {
        throw error(key, e + " is out of range [" + min + ", " + max + "]");
      }
      return v;
    }

    long integer(JsonElement e, String key, long min, long max) {
      if (e == null || !e.isJsonPrimitive() || !e.getAsJsonPrimitive().isNumber()) {
        throw error(key, "expected an integer, got " + describe(e));
      }
      double v = e.getAsDouble();
      if (v != Math.rint(v)) {
        throw error(key, "expected an integer, got " + e);
      }
      if (v < min || v > max) {
        throw error(key, e + " is out of range [" + min + ", " + max + "]");
      }
      return (long) v;
    }

    <T> void distinct(List<T> values, String key) {
      Set<T> seen = new LinkedHashSet<>();
      for (T v : values) {
        if (!seen.add(v)) {
          throw error(key, "lists " + (v instanceof InputMode m ? m.key() : v) + " twice");
        }
      }
    }

    private static String describe(JsonElement e) {
      if (e == null || e.isJsonNull()) {
        return "nothing";
      }
      String s = e.toString();
      return s.length() > 40 ? s.substring(0, 37) + "..." : s;
    }

    private static String suggestion(String key, List<String> valid) {
      for (String v : valid) {
        if (v.startsWith(key) || key.startsWith(v) || v.replace("_", "").equals(key.replace("_", ""))) {
          return " (did you mean '" + v + "'?)";
        }
      }
      return "";
    }
  }
}
