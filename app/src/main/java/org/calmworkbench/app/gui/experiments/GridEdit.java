package org.calmworkbench.app.gui.experiments;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;
import org.calmworkbench.backend.experiment.Experiment;

/**
 * The part of an experiment file the Experiments page edits, as the text a person types: the
 * grid's lists ("1, 2, 4, 8"), the AR baseline switch, the budget's kind and value, and the
 * autoencoder steps. No JavaFX and no checks of its own: {@link #applyTo} writes the text into the
 * file's JSON and {@link Experiment#parse} judges it, so the page's messages are the CLI's, naming
 * the key.
 *
 * <p>An empty field leaves its key out, so the file's default applies (and a required key is
 * reported missing). A list item that looks like a number is written as a number, anything else as
 * a string ({@code grid.patch_sizes: expected an integer, got "x"}).
 *
 * @param budgetKind null when the file gives none (or several) of steps, flops and minutes
 */
public record GridEdit(String patchSizes, String heads, String inputs, String latentSizes, String seeds,
    boolean includeArBaseline, Experiment.Budget.Kind budgetKind, String budgetValue, String autoencoderSteps) {

  private static final Pattern NUMBER = Pattern.compile("-?\\d+(\\.\\d+)?([eE][+-]?\\d+)?");

  /** The grid and budget as a file states them (keys it leaves out stay empty). */
  public static GridEdit of(JsonObject file) {
    JsonObject g = object(file, "grid");
    JsonObject b = object(file, "budget");
    Experiment.Budget.Kind kind = null;
    for (Experiment.Budget.Kind k : Experiment.Budget.Kind.values()) {
      if (b.has(k.key())) {
        kind = kind == null ? k : null;
      }
    }
    JsonElement ar = g.get("include_ar_baseline");
    return new GridEdit(list(g, "patch_sizes"), list(g, "heads"), list(g, "inputs"), list(g, "latent_sizes"),
        list(g, "seeds"), ar != null && ar.isJsonPrimitive() && ar.getAsJsonPrimitive().isBoolean() && ar.getAsBoolean(),
        kind, kind == null ? "" : text(b.get(kind.key())), text(b.get("autoencoder_steps")));
  }

  /** A copy of {@code file} with this grid and budget; every other key is kept as it is. */
  public JsonObject applyTo(JsonObject file) {
    JsonObject out = file.deepCopy();
    JsonObject g = out.has("grid") && out.get("grid").isJsonObject() ? out.getAsJsonObject("grid") : new JsonObject();
    put(g, "patch_sizes", patchSizes);
    put(g, "heads", heads);
    put(g, "inputs", inputs);
    put(g, "latent_sizes", latentSizes);
    put(g, "seeds", seeds);
    if (includeArBaseline) {
      g.addProperty("include_ar_baseline", true);
    } else if (g.has("include_ar_baseline")) {
      g.addProperty("include_ar_baseline", false);
    }
    out.add("grid", g);
    JsonObject b = out.has("budget") && out.get("budget").isJsonObject() ? out.getAsJsonObject("budget") : new JsonObject();
    for (Experiment.Budget.Kind k : Experiment.Budget.Kind.values()) {
      b.remove(k.key());
    }
    if (budgetKind != null && !budgetValue.isBlank()) {
      b.add(budgetKind.key(), value(budgetValue.strip()));
    }
    b.remove("autoencoder_steps");
    if (!autoencoderSteps.isBlank()) {
      b.add("autoencoder_steps", value(autoencoderSteps.strip()));
    }
    out.add("budget", b);
    return out;
  }

  /** Items split at commas and spaces. */
  static List<String> items(String text) {
    List<String> out = new ArrayList<>();
    for (String s : text.split("[,\\s]+")) {
      if (!s.isEmpty()) {
        out.add(s);
      }
    }
    return out;
  }

  private static void put(JsonObject g, String key, String text) {
    g.remove(key);
    if (text.isBlank()) {
      return;
    }
    JsonArray a = new JsonArray();
    items(text).forEach(s -> a.add(value(s)));
    g.add(key, a);
  }

  /** A number as typed (kept exactly, e.g. 1e12) when it looks like one; otherwise the text as a JSON string. */
  private static JsonElement value(String s) {
    return NUMBER.matcher(s).matches() ? JsonParser.parseString(s) : new JsonPrimitive(s);
  }

  private static JsonObject object(JsonObject o, String key) {
    return o.has(key) && o.get(key).isJsonObject() ? o.getAsJsonObject(key) : new JsonObject();
  }

  private static String list(JsonObject g, String key) {
    JsonElement e = g.get(key);
    if (e == null || !e.isJsonArray()) {
      return e == null ? "" : text(e);
    }
    List<String> parts = new ArrayList<>();
    e.getAsJsonArray().forEach(x -> parts.add(text(x)));
    return String.join(", ", parts);
  }

  private static String text(JsonElement e) {
    return e == null || e.isJsonNull() ? "" : e.isJsonPrimitive() ? e.getAsString() : e.toString();
  }
}
