package org.calmworkbench.backend.interop;

import com.google.gson.GsonBuilder;
import com.google.gson.JsonObject;
import java.io.IOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.AtomicFiles;
import org.calmworkbench.backend.tokenizer.Tokenizers;

/**
 * A tokenizer folder that Hugging Face's {@code AutoTokenizer.from_pretrained} loads as it is:
 * {@code tokenizer.json} plus {@code tokenizer_config.json} (class {@code PreTrainedTokenizerFast},
 * the special tokens) and {@code special_tokens_map.json}. The official training scripts take the
 * vocabulary size, pad, BOS and EOS ids from it, so the roles are named here: end-of-text as EOS
 * ("&lt;|endoftext|&gt;" of the workbench's BPE, "&lt;|end_of_text|&gt;" of Llama 3), "&lt;|pad|&gt;" as
 * pad when the vocabulary has it (else the official script appends a "[PAD]" token), Llama 3's
 * "&lt;|begin_of_text|&gt;" as BOS. No post-processor is added, so no BOS enters the token stream.
 */
public final class HfTokenizerFolder {
  private HfTokenizerFolder() {}

  static final String CONFIG = "tokenizer_config.json";
  static final String SPECIAL_TOKENS_MAP = "special_tokens_map.json";

  /** transformers' VERY_LARGE_INTEGER: "no maximum length" (block_size is then the script's). */
  private static final BigInteger NO_MAX_LENGTH = new BigInteger("1000000000000000019884624838656");

  /** The ids of the special roles; -1 when the vocabulary has no such token. */
  public record Roles(int padId, String pad, int bosId, String bos, int eosId, String eos) {}

  /** Which special token of {@code specials} (id -> content) plays which role. */
  public static Roles roles(Map<Integer, String> specials) {
    int pad = find(specials, "<|pad|>", "[PAD]", "<pad>");
    int bos = find(specials, "<|begin_of_text|>", "<s>", "<bos>");
    int eos = find(specials, "<|endoftext|>", "<|end_of_text|>", "</s>", "<eos>");
    return new Roles(pad, specials.get(pad), bos, specials.get(bos), eos, specials.get(eos));
  }

  private static int find(Map<Integer, String> specials, String... candidates) {
    for (String c : candidates) {
      for (Map.Entry<Integer, String> e : specials.entrySet()) {
        if (e.getValue().equals(c)) {
          return e.getKey();
        }
      }
    }
    return -1;
  }

  /**
   * Copies {@code tokenizerJson} into {@code out/} and writes the two JSON files beside it.
   *
   * @throws CalmException naming the tokenizer file when it has no end-of-text token
   */
  public static Roles write(Path tokenizerJson, Path out) throws IOException {
    Path source = Tokenizers.resolve(tokenizerJson);
    Map<Integer, String> specials = Tokenizers.specialTokens(source);
    Roles roles = roles(specials);
    if (roles.eosId() < 0) {
      throw new CalmException(source + ": no end-of-text special token (<|endoftext|>, <|end_of_text|>, </s> or <eos>);"
          + " the official scripts need one as eos_token");
    }
    Files.createDirectories(out);
    AtomicFiles.writeBytes(out.resolve("tokenizer.json"), Files.readAllBytes(source));

    JsonObject decoder = new JsonObject();
    specials.forEach((id, content) -> {
      JsonObject token = new JsonObject();
      token.addProperty("content", content);
      token.addProperty("lstrip", false);
      token.addProperty("normalized", false);
      token.addProperty("rstrip", false);
      token.addProperty("single_word", false);
      token.addProperty("special", true);
      decoder.add(Integer.toString(id), token);
    });
    JsonObject config = new JsonObject();
    config.add("added_tokens_decoder", decoder);
    JsonObject map = new JsonObject();
    if (roles.bos() != null) {
      config.addProperty("bos_token", roles.bos());
      map.addProperty("bos_token", roles.bos());
    }
    config.addProperty("clean_up_tokenization_spaces", false);
    config.addProperty("eos_token", roles.eos());
    map.addProperty("eos_token", roles.eos());
    config.addProperty("model_max_length", NO_MAX_LENGTH);
    if (roles.pad() != null) {
      config.addProperty("pad_token", roles.pad());
      map.addProperty("pad_token", roles.pad());
    }
    config.addProperty("tokenizer_class", "PreTrainedTokenizerFast");
    writeJson(out.resolve(CONFIG), config);
    writeJson(out.resolve(SPECIAL_TOKENS_MAP), map);
    return roles;
  }

  static void writeJson(Path file, JsonObject o) throws IOException {
    AtomicFiles.writeString(file, new GsonBuilder().setPrettyPrinting().disableHtmlEscaping().serializeNulls()
        .create().toJson(o) + "\n");
  }
}
