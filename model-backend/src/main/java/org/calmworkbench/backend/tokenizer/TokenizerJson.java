package org.calmworkbench.backend.tokenizer;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import com.google.gson.JsonPrimitive;
import com.google.gson.Strictness;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import com.google.gson.stream.MalformedJsonException;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.AtomicFiles;

/**
 * Reads and writes Hugging Face {@code tokenizer.json} files, and decides whether a file is one the
 * built-in {@link ByteLevelBpeTokenizer} reproduces exactly. Errors name the file and the JSON key
 * path (e.g. {@code model.merges[17]}).
 */
final class TokenizerJson {
  private TokenizerJson() {}

  /** The usual file name inside a tokenizer folder. */
  static final String FILE_NAME = "tokenizer.json";

  /** Contents taken as end-of-text, most common first (GPT-2, Llama 3, Llama 2 / T5, Gemma). */
  private static final List<String> EOS_CANDIDATES =
      List.of("<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>");

  /** Upper bound on ids, to reject nonsense before allocating. */
  private static final int MAX_ID = 1 << 24;

  // ---------------------------------------------------------------- reading

  /** Parses {@code file} as strict JSON whose top level is an object. */
  static JsonObject read(Path file) {
    if (!Files.isRegularFile(file)) {
      throw new CalmException(file + ": no such file; expected a Hugging Face tokenizer.json");
    }
    try (Reader in = Files.newBufferedReader(file, StandardCharsets.UTF_8)) {
      JsonReader reader = new JsonReader(in);
      reader.setStrictness(Strictness.STRICT);
      JsonElement root = JsonParser.parseReader(reader); // stays strict: STRICT is kept
      if (reader.peek() != JsonToken.END_DOCUMENT) {
        throw new CalmException(file + ": unexpected text after the JSON object at " + reader.getPath());
      }
      if (!root.isJsonObject()) {
        throw new CalmException(file + ": the top level is not a JSON object; is this a tokenizer.json?");
      }
      return root.getAsJsonObject();
    } catch (JsonParseException e) {
      // Gson's message names the line, column and key path of the syntax error.
      String why = e.getCause() != null ? e.getCause().getMessage() : e.getMessage();
      throw new CalmException(file + ": not valid JSON: " + why, e);
    } catch (MalformedJsonException e) {
      throw new CalmException(file + ": not valid JSON: " + e.getMessage(), e);
    } catch (IOException e) {
      throw new CalmException(file + ": cannot be read: " + e.getMessage(), e);
    }
  }

  /** Reads {@code file} into the built-in tokenizer, or explains why it cannot. */
  static ByteLevelBpeTokenizer readByteLevelBpe(Path file) {
    JsonObject root = read(file);
    List<String> reasons = unsupportedFeatures(root);
    if (!reasons.isEmpty()) {
      throw new CalmException(
          file + ": the built-in byte-level BPE cannot reproduce this tokenizer exactly: "
              + String.join("; ", reasons)
              + ". Tokenizers.load(...) opens such files with Hugging Face's library instead.");
    }
    return toByteLevelBpe(root, file);
  }

  /**
   * Why {@link ByteLevelBpeTokenizer} would encode differently from Hugging Face's library (with
   * add_special_tokens=false) for this file; empty when it encodes every text without special tokens
   * identically. Fields that only affect offsets (trim_offsets) or that our encode never uses
   * (truncation, padding, unk_token with a full byte vocabulary) are not reasons.
   */
  static List<String> unsupportedFeatures(JsonObject root) {
    List<String> reasons = new ArrayList<>();
    if (!isNull(root.get("normalizer"))) {
      reasons.add("normalizer is " + describe(root.get("normalizer")) + " (expected null)");
    }
    JsonElement pre = root.get("pre_tokenizer");
    if (!isType(pre, "ByteLevel")) {
      reasons.add("pre_tokenizer is " + describe(pre) + " (expected ByteLevel)");
    } else {
      // Hugging Face's default for a missing add_prefix_space is true.
      if (!isBoolean(pre.getAsJsonObject().get("add_prefix_space"), false)) {
        reasons.add("pre_tokenizer.add_prefix_space is not false");
      }
      JsonElement useRegex = pre.getAsJsonObject().get("use_regex");
      if (useRegex != null && !isBoolean(useRegex, true)) {
        reasons.add("pre_tokenizer.use_regex is not true");
      }
    }
    JsonElement decoder = root.get("decoder");
    if (!isType(decoder, "ByteLevel")) {
      reasons.add("decoder is " + describe(decoder) + " (expected ByteLevel)");
    }
    JsonElement post = root.get("post_processor");
    if (!isNull(post) && !isType(post, "ByteLevel")) {
      reasons.add("post_processor is " + describe(post) + " (expected null or ByteLevel)");
    }
    JsonElement modelElement = root.get("model");
    if (!isType(modelElement, "BPE")) {
      reasons.add("model is " + describe(modelElement) + " (expected BPE)");
    } else {
      JsonObject model = modelElement.getAsJsonObject();
      if (!isNull(model.get("dropout"))) {
        reasons.add("model.dropout is set (BPE dropout is random)");
      }
      for (String key : List.of("continuing_subword_prefix", "end_of_word_suffix")) {
        if (!isNull(model.get(key)) && !isString(model.get(key), "")) {
          reasons.add("model." + key + " is set");
        }
      }
      JsonElement byteFallback = model.get("byte_fallback");
      if (byteFallback != null && !isBoolean(byteFallback, false)) {
        reasons.add("model.byte_fallback is not false");
      }
      JsonElement vocab = model.get("vocab");
      if (vocab != null && vocab.isJsonObject()) {
        for (int b = 0; b < 256; b++) {
          if (!vocab.getAsJsonObject().has(String.valueOf(ByteLevel.byteToChar(b)))) {
            reasons.add(String.format("model.vocab has no token for byte 0x%02X", b));
            break;
          }
        }
      }
    }
    JsonElement added = root.get("added_tokens");
    if (added != null && added.isJsonArray()) {
      JsonArray array = added.getAsJsonArray();
      for (int i = 0; i < array.size(); i++) {
        JsonElement token = array.get(i);
        if (!token.isJsonObject() || !isBoolean(token.getAsJsonObject().get("special"), true)) {
          reasons.add(
              "added_tokens[" + i + "] is not special (Hugging Face matches it inside text,"
                  + " the built-in tokenizer does not)");
          break;
        }
      }
    }
    return reasons;
  }

  /** Builds the built-in tokenizer from a file that passed {@link #unsupportedFeatures}. */
  static ByteLevelBpeTokenizer toByteLevelBpe(JsonObject root, Path file) {
    JsonObject model = object(root, "model", "model", file);
    JsonObject vocab = object(model, "vocab", "model.vocab", file);
    Map<Integer, String> byId = new LinkedHashMap<>();
    int maxId = -1;
    for (Map.Entry<String, JsonElement> entry : vocab.entrySet()) {
      String path = "model.vocab[" + quote(entry.getKey()) + "]";
      int id = id(entry.getValue(), path, file);
      String previous = byId.put(id, entry.getKey());
      if (previous != null) {
        throw error(file, "model.vocab", "tokens " + quote(previous) + " and " + quote(entry.getKey())
            + " both have id " + id);
      }
      maxId = Math.max(maxId, id);
    }

    List<Integer> specialIds = new ArrayList<>();
    for (Map.Entry<Integer, String> special : specialTokens(root, file).entrySet()) {
      int id = special.getKey();
      String content = special.getValue();
      String inVocab = byId.get(id);
      if (inVocab != null && !inVocab.equals(content)) {
        throw error(file, "added_tokens", "special token " + quote(content) + " has id " + id
            + ", which model.vocab gives to " + quote(inVocab));
      }
      Integer vocabId = vocab.has(content) ? id(vocab.get(content), "model.vocab", file) : null;
      if (vocabId != null && vocabId != id) {
        throw error(file, "added_tokens", "special token " + quote(content) + " has id " + id
            + " but id " + vocabId + " in model.vocab");
      }
      byId.put(id, content);
      specialIds.add(id);
      maxId = Math.max(maxId, id);
    }

    List<String> tokens = new ArrayList<>(maxId + 1);
    for (int id = 0; id <= maxId; id++) {
      tokens.add(byId.get(id)); // null marks an unused id
    }
    List<ByteLevelBpeTokenizer.Merge> merges = readMerges(model, file);
    JsonElement ignoreMerges = model.get("ignore_merges");
    try {
      return new ByteLevelBpeTokenizer(
          tokens, merges, specialIds, ignoreMerges != null && isBoolean(ignoreMerges, true));
    } catch (CalmException e) {
      throw new CalmException(file + ": " + e.getMessage(), e);
    }
  }

  /** Merges in either format Hugging Face writes: "left right" strings or [left, right] pairs. */
  private static List<ByteLevelBpeTokenizer.Merge> readMerges(JsonObject model, Path file) {
    JsonElement element = model.get("merges");
    if (element == null || !element.isJsonArray()) {
      throw error(file, "model.merges", "is missing or not an array");
    }
    JsonArray array = element.getAsJsonArray();
    List<ByteLevelBpeTokenizer.Merge> merges = new ArrayList<>(array.size());
    for (int i = 0; i < array.size(); i++) {
      JsonElement merge = array.get(i);
      String path = "model.merges[" + i + "]";
      if (merge.isJsonPrimitive() && merge.getAsJsonPrimitive().isString()) {
        String[] parts = merge.getAsString().split(" ", -1);
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty()) {
          throw error(file, path, "is " + quote(merge.getAsString())
              + "; expected two tokens separated by one space");
        }
        merges.add(new ByteLevelBpeTokenizer.Merge(parts[0], parts[1]));
      } else if (merge.isJsonArray()
          && merge.getAsJsonArray().size() == 2
          && isAnyString(merge.getAsJsonArray().get(0))
          && isAnyString(merge.getAsJsonArray().get(1))) {
        merges.add(new ByteLevelBpeTokenizer.Merge(
            merge.getAsJsonArray().get(0).getAsString(), merge.getAsJsonArray().get(1).getAsString()));
      } else {
        throw error(file, path, "is " + merge + "; expected \"left right\" or [\"left\", \"right\"]");
      }
    }
    return merges;
  }

  /** Special added tokens, id -> content, in file order. */
  static Map<Integer, String> specialTokens(JsonObject root, Path file) {
    Map<Integer, String> specials = new LinkedHashMap<>();
    JsonElement added = root.get("added_tokens");
    if (isNull(added)) {
      return specials;
    }
    if (!added.isJsonArray()) {
      throw error(file, "added_tokens", "is not an array");
    }
    JsonArray array = added.getAsJsonArray();
    for (int i = 0; i < array.size(); i++) {
      String path = "added_tokens[" + i + "]";
      if (!array.get(i).isJsonObject()) {
        throw error(file, path, "is not an object");
      }
      JsonObject token = array.get(i).getAsJsonObject();
      int id = id(token.get("id"), path + ".id", file);
      if (!isAnyString(token.get("content"))) {
        throw error(file, path + ".content", "is missing or not a string");
      }
      if (isBoolean(token.get("special"), true)) {
        specials.put(id, token.get("content").getAsString());
      }
    }
    return specials;
  }

  /** Ids run from 0 to the largest id in the model's vocabulary or the added tokens. */
  static int vocabSize(JsonObject root, Path file) {
    JsonObject model = object(root, "model", "model", file);
    JsonElement vocab = model.get("vocab");
    int maxId = -1;
    if (vocab != null && vocab.isJsonObject()) { // BPE, WordPiece, WordLevel: token -> id
      for (Map.Entry<String, JsonElement> entry : vocab.getAsJsonObject().entrySet()) {
        maxId = Math.max(maxId, id(entry.getValue(), "model.vocab[" + quote(entry.getKey()) + "]", file));
      }
    } else if (vocab != null && vocab.isJsonArray()) { // Unigram: [[piece, score], ...] by id
      maxId = vocab.getAsJsonArray().size() - 1;
    } else {
      throw error(file, "model.vocab", "is missing or neither an object nor an array");
    }
    JsonElement added = root.get("added_tokens");
    if (added != null && added.isJsonArray()) {
      JsonArray array = added.getAsJsonArray();
      for (int i = 0; i < array.size(); i++) {
        if (array.get(i).isJsonObject()) {
          maxId = Math.max(maxId, id(array.get(i).getAsJsonObject().get("id"), "added_tokens[" + i + "].id", file));
        }
      }
    }
    return maxId + 1;
  }

  /**
   * Every token as the file writes it, by id ({@code vocabSize} entries): the model's vocabulary
   * (BPE, WordPiece, WordLevel: token -> id; Unigram: [piece, score] by id) and the added tokens;
   * null for an id neither names.
   */
  static String[] tokensById(JsonObject root, Path file, int vocabSize) {
    String[] tokens = new String[vocabSize];
    JsonElement vocab = object(root, "model", "model", file).get("vocab");
    if (vocab != null && vocab.isJsonObject()) {
      for (Map.Entry<String, JsonElement> entry : vocab.getAsJsonObject().entrySet()) {
        tokens[id(entry.getValue(), "model.vocab[" + quote(entry.getKey()) + "]", file)] = entry.getKey();
      }
    } else if (vocab != null && vocab.isJsonArray()) {
      JsonArray pieces = vocab.getAsJsonArray();
      for (int i = 0; i < pieces.size() && i < vocabSize; i++) {
        JsonElement piece = pieces.get(i);
        if (piece.isJsonArray() && piece.getAsJsonArray().size() > 0 && isAnyString(piece.getAsJsonArray().get(0))) {
          tokens[i] = piece.getAsJsonArray().get(0).getAsString();
        }
      }
    }
    JsonElement added = root.get("added_tokens");
    if (added != null && added.isJsonArray()) {
      for (JsonElement token : added.getAsJsonArray()) {
        if (token.isJsonObject() && isAnyString(token.getAsJsonObject().get("content"))) {
          int id = id(token.getAsJsonObject().get("id"), "added_tokens.id", file);
          tokens[id] = token.getAsJsonObject().get("content").getAsString();
        }
      }
    }
    return tokens;
  }

  /** The end-of-text id among special tokens (content -> id), or -1. */
  static int findEosId(Map<String, Integer> specials) {
    for (String candidate : EOS_CANDIDATES) {
      Integer id = specials.get(candidate);
      if (id != null) {
        return id;
      }
    }
    return -1;
  }

  // ---------------------------------------------------------------- writing

  /** Writes {@code tokenizer} in the layout Hugging Face's library writes, atomically. */
  static void write(ByteLevelBpeTokenizer tokenizer, Path file) {
    JsonObject root = new JsonObject();
    root.addProperty("version", "1.0");
    root.add("truncation", JsonNull.INSTANCE);
    root.add("padding", JsonNull.INSTANCE);
    JsonArray added = new JsonArray();
    for (int id : tokenizer.specialIds()) {
      JsonObject token = new JsonObject();
      token.addProperty("id", id);
      token.addProperty("content", tokenizer.token(id));
      token.addProperty("single_word", false);
      token.addProperty("lstrip", false);
      token.addProperty("rstrip", false);
      token.addProperty("normalized", false);
      token.addProperty("special", true);
      added.add(token);
    }
    root.add("added_tokens", added);
    root.add("normalizer", JsonNull.INSTANCE);
    root.add("pre_tokenizer", byteLevelSection());
    root.add("post_processor", JsonNull.INSTANCE);
    root.add("decoder", byteLevelSection());

    JsonObject model = new JsonObject();
    model.addProperty("type", "BPE");
    model.add("dropout", JsonNull.INSTANCE);
    model.add("unk_token", JsonNull.INSTANCE);
    model.add("continuing_subword_prefix", JsonNull.INSTANCE);
    model.add("end_of_word_suffix", JsonNull.INSTANCE);
    model.addProperty("fuse_unk", false);
    model.addProperty("byte_fallback", false);
    model.addProperty("ignore_merges", tokenizer.ignoreMerges());
    JsonObject vocab = new JsonObject();
    for (int id = 0; id < tokenizer.vocabSize(); id++) {
      if (tokenizer.token(id) != null) {
        vocab.addProperty(tokenizer.token(id), id);
      }
    }
    model.add("vocab", vocab);
    // "left right" strings are read by every tokenizers version; pairs only if a token has a space.
    boolean pairs = tokenizer.merges().stream()
        .anyMatch(m -> m.left().contains(" ") || m.right().contains(" "));
    JsonArray merges = new JsonArray();
    for (ByteLevelBpeTokenizer.Merge merge : tokenizer.merges()) {
      if (pairs) {
        JsonArray pair = new JsonArray();
        pair.add(merge.left());
        pair.add(merge.right());
        merges.add(pair);
      } else {
        merges.add(merge.left() + " " + merge.right());
      }
    }
    model.add("merges", merges);
    root.add("model", model);

    String json = new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
        .create().toJson(root);
    try {
      AtomicFiles.writeString(file, json + "\n");
    } catch (IOException e) {
      throw new CalmException(file + ": cannot write the tokenizer: " + e.getMessage(), e);
    }
  }

  private static JsonObject byteLevelSection() {
    JsonObject section = new JsonObject();
    section.addProperty("type", "ByteLevel");
    section.addProperty("add_prefix_space", false);
    section.addProperty("trim_offsets", true);
    section.addProperty("use_regex", true);
    return section;
  }

  // ---------------------------------------------------------------- small helpers

  private static CalmException error(Path file, String path, String what) {
    return new CalmException(file + ": " + path + " " + what);
  }

  private static JsonObject object(JsonObject parent, String key, String path, Path file) {
    JsonElement element = parent.get(key);
    if (element == null || !element.isJsonObject()) {
      throw error(file, path, element == null ? "is missing" : "is not an object");
    }
    return element.getAsJsonObject();
  }

  private static int id(JsonElement element, String path, Path file) {
    if (element != null && element.isJsonPrimitive() && element.getAsJsonPrimitive().isNumber()) {
      double value = element.getAsDouble();
      if (value >= 0 && value < MAX_ID && value == Math.rint(value)) {
        return (int) value;
      }
    }
    throw error(file, path, "is " + element + "; expected a token id (an integer from 0 to " + MAX_ID + ")");
  }

  private static boolean isNull(JsonElement element) {
    return element == null || element.isJsonNull();
  }

  private static boolean isType(JsonElement element, String type) {
    return element != null && element.isJsonObject()
        && isString(element.getAsJsonObject().get("type"), type);
  }

  private static boolean isString(JsonElement element, String value) {
    return isAnyString(element) && element.getAsString().equals(value);
  }

  private static boolean isAnyString(JsonElement element) {
    return element != null && element.isJsonPrimitive() && element.getAsJsonPrimitive().isString();
  }

  private static boolean isBoolean(JsonElement element, boolean value) {
    return element != null && element.isJsonPrimitive() && element.getAsJsonPrimitive().isBoolean()
        && element.getAsBoolean() == value;
  }

  /** A short description of a section: its type, or its JSON text. */
  private static String describe(JsonElement element) {
    if (isNull(element)) {
      return "null";
    }
    if (element.isJsonObject() && isAnyString(element.getAsJsonObject().get("type"))) {
      return element.getAsJsonObject().get("type").getAsString();
    }
    String text = element.toString();
    return text.length() > 60 ? text.substring(0, 60) + "..." : text;
  }

  private static String quote(String token) {
    return new JsonPrimitive(token).toString();
  }
}
