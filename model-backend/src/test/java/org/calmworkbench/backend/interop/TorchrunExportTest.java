package org.calmworkbench.backend.interop;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.SharedFixtures;
import org.calmworkbench.backend.io.JsonFiles;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.SafetensorsFile;
import org.calmworkbench.backend.io.Tensor;
import org.calmworkbench.backend.model.AutoencoderConfig;
import org.calmworkbench.backend.model.CalmConfig;
import org.calmworkbench.backend.model.ModelType;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code calm export torchrun} on the bundled sample CALM run, checked against what the official
 * code accepts: its config classes' {@code __init__} arguments, its scripts' flags and its models'
 * state-dict names (test resources under interop/, each with its source).
 */
class TorchrunExportTest {
  static final Path SAMPLE = Path.of("..", "sample-projects", "grammar-english", "runs");
  @TempDir static Path tmp;
  static Path out;
  static TorchrunExport.Result result;
  static JsonObject fields;

  @BeforeAll
  static void exportTheSampleCalmRun() throws IOException {
    out = tmp.resolve("export");
    result = TorchrunExport.run(new TorchrunExport.Request(SAMPLE.resolve("sample-calm"), List.of(), out));
    fields = JsonParser.parseString(resource("official-config-fields.json")).getAsJsonObject();
  }

  @Test
  void exportedConfigsHoldExactlyTheOfficialInitArguments() {
    for (String model : List.of("autoencoder", "calm")) {
      JsonObject config = JsonFiles.readObject(out.resolve(model).resolve("config.json"));
      Set<String> keys = new HashSet<>(config.keySet());
      keys.removeAll(strings(fields.getAsJsonArray("bookkeeping")));
      Set<String> init = new HashSet<>(strings(fields.getAsJsonArray(model)));
      init.remove("model_type"); // CALMConfig's is an __init__ argument, the autoencoder's bookkeeping
      keys.remove("model_type");
      assertEquals(init, keys, model + "/config.json");
    }
    JsonObject calm = JsonFiles.readObject(out.resolve("calm/config.json"));
    assertEquals("energy", calm.get("model_type").getAsString());
    assertEquals("[\"EnergyTransformer\"]", calm.get("architectures").toString());
    assertEquals(1, calm.get("eos_token_id").getAsInt(), "<|endoftext|> of the workbench's BPE");
    assertEquals(0, calm.get("pad_token_id").getAsInt());
  }

  @Test
  void exportedConfigsReadBackAsTheRunsConfigs() {
    assertEquals(AutoencoderConfig.read(SAMPLE.resolve("sample-calm/autoencoder/config.json")),
        AutoencoderConfig.read(out.resolve("autoencoder/config.json")));
    assertEquals(CalmConfig.read(SAMPLE.resolve("sample-calm/config.json")), CalmConfig.read(out.resolve("calm/config.json")));
  }

  @Test
  void configOverridesParseBackToTheConfigValues() {
    for (String[] pair : new String[][] {{"autoencoder", result.aeOverrides()}, {"calm", result.calmOverrides()}}) {
      JsonObject config = JsonFiles.readObject(out.resolve(pair[0]).resolve("config.json"));
      List<String> init = strings(fields.getAsJsonArray(pair[0]));
      for (String item : pair[1].split(",")) {
        String[] kv = item.split("=", 2);
        assertTrue(init.contains(kv[0]), kv[0] + " is not an __init__ argument of the official " + pair[0] + " config");
        JsonElement v = config.get(kv[0]);
        if (v.getAsJsonPrimitive().isString()) {
          assertEquals(v.getAsString(), kv[1]);
        } else if (v.toString().contains(".") || v.toString().contains("E")) {
          assertTrue(kv[1].contains(".") || kv[1].contains("e"), "a float keeps its decimal point: " + item);
          assertEquals(v.getAsDouble(), Double.parseDouble(kv[1]), 0, item);
        } else {
          assertEquals(v.getAsLong(), Long.parseLong(kv[1]), item); // an int parses with int()
        }
      }
    }
    assertTrue(result.calmOverrides().startsWith("model_type=energy,"), result.calmOverrides());
  }

  @Test
  void scriptFlagsAreOnesTheOfficialScriptsAccept() throws IOException {
    Set<String> allowed = new HashSet<>();
    for (String line : resource("official-script-flags.txt").split("\n")) {
      if (!line.isBlank() && !line.startsWith("#")) {
        allowed.add(line.strip());
      }
    }
    for (String script : List.of("train_autoencoder.sh", "train_calm.sh")) {
      String text = Files.readString(out.resolve(script));
      String python = text.substring(text.indexOf("-m train."));
      Matcher m = Pattern.compile("(?<![\\w-])--([a-z_0-9]+)").matcher(python);
      int n = 0;
      while (m.find()) {
        assertTrue(allowed.contains(m.group(1)), script + ": --" + m.group(1) + " is not a flag of the official scripts");
        n++;
      }
      assertTrue(n > 25, script + " has its flags");
      assertTrue(text.contains("--model_name_or_path") && text.contains("--config_overrides"), script);
      assertTrue(text.contains("--validation_file \"$EXPORT_PATH/data/valid.json\""), "the official assert takes .json");
      assertTrue(text.contains("NNODES=${NNODES:-1}") && text.contains("NPROC_PER_NODE=${NPROC_PER_NODE:-8}"));
      assertTrue(Files.isExecutable(out.resolve(script)));
    }
    String calm = Files.readString(out.resolve("train_calm.sh"));
    assertTrue(calm.contains("--learning_rate 0.002"), "the tiny preset's lr");
    assertTrue(calm.contains("--block_size 32"), "8 chunks of K = 4");
    assertTrue(calm.contains("GLOBAL_BATCH=${GLOBAL_BATCH:-8}"));
    assertTrue(calm.contains("--ae_name_or_path \"$AE_PATH\""));
    assertFalse(Files.readString(out.resolve("train_autoencoder.sh")).contains("--ae_name_or_path"),
        "train_autoencoder.py has no such argument");
  }

  @Test
  void weightsCarryTheOfficialNamesAndTheRunsValues() {
    Map<String, List<Pattern>> official = stateDictPatterns();
    SafetensorsFile calm = Safetensors.read(out.resolve("calm/model.safetensors"));
    SafetensorsFile ae = Safetensors.read(out.resolve("autoencoder/model.safetensors"));
    assertEquals("pt", calm.metadata().get("format"), "from_pretrained refuses other formats");
    assertEquals("pt", ae.metadata().get("format"));
    for (String name : ae.tensors().keySet()) {
      assertTrue(matches(official.get("autoencoder"), name), "autoencoder: " + name);
    }
    for (String name : calm.tensors().keySet()) {
      boolean ok = name.startsWith("ae_model.")
          ? matches(official.get("autoencoder"), name.substring("ae_model.".length()))
          : matches(official.get("energy"), name);
      assertTrue(ok, "calm: " + name);
    }
    SafetensorsFile runCalm = Safetensors.read(SAMPLE.resolve("sample-calm/model.safetensors"));
    SafetensorsFile runAe = Safetensors.read(SAMPLE.resolve("sample-calm/autoencoder/model.safetensors"));
    runCalm.tensors().forEach((name, t) -> assertTensor(t, calm.tensor(name)));
    runAe.tensors().forEach((name, t) -> {
      assertTensor(t, ae.tensor(name));
      assertTensor(t, calm.tensor("ae_model." + name));
    });
    runCalm.tensors().keySet().stream().filter(n -> n.startsWith("mlp_generator."))
        .forEach(n -> assertTensor(runCalm.tensor(n), calm.tensor("generative_head." + n.substring(14))));
    assertEquals(runCalm.tensors().size() * 2 - runCalm.tensors().keySet().stream().filter(n -> !n.startsWith("mlp_generator.")).count()
        + runAe.tensors().size(), calm.tensors().size(), "no other tensors");
  }

  @Test
  void theStateDictPatternsMatchTheReferenceCheckpoints() {
    Map<String, List<Pattern>> official = stateDictPatterns();
    Path ref = SharedFixtures.reference("energy");
    for (String name : Safetensors.read(ref.resolve("model.safetensors")).tensors().keySet()) {
      assertTrue(matches(official.get("energy"), name), name);
    }
    for (String name : Safetensors.read(SharedFixtures.reference("autoencoder").resolve("model.safetensors")).tensors().keySet()) {
      assertTrue(matches(official.get("autoencoder"), name), name);
    }
  }

  @Test
  void tokenizerFolderNamesTheSpecialTokensForAutoTokenizer() throws IOException {
    Path tok = out.resolve("tokenizer");
    assertArrayEquals(Files.readAllBytes(SAMPLE.resolve("sample-calm/tokenizer.json")), Files.readAllBytes(tok.resolve("tokenizer.json")));
    JsonObject config = JsonFiles.readObject(tok.resolve("tokenizer_config.json"));
    assertEquals("PreTrainedTokenizerFast", config.get("tokenizer_class").getAsString());
    assertEquals("<|endoftext|>", config.get("eos_token").getAsString());
    assertEquals("<|pad|>", config.get("pad_token").getAsString(), "else the official script appends a [PAD] token");
    assertFalse(config.has("bos_token"));
    assertEquals("<|pad|>", config.getAsJsonObject("added_tokens_decoder").getAsJsonObject("0").get("content").getAsString());
    JsonObject map = JsonFiles.readObject(tok.resolve("special_tokens_map.json"));
    assertEquals("<|endoftext|>", map.get("eos_token").getAsString());
  }

  @Test
  void llama3TokenizerGetsItsBosAndEos(@TempDir Path dir) throws IOException {
    Path llama3 = SharedFixtures.sharedDir().resolve("data/llama3-tokenizer");
    HfTokenizerFolder.Roles roles = HfTokenizerFolder.write(llama3, dir);
    assertEquals(128_001, roles.eosId());
    assertEquals(128_000, roles.bosId());
    assertEquals(-1, roles.padId(), "Llama 3 has no pad token; the official script adds [PAD]");
    assertEquals("<|end_of_text|>", JsonFiles.readObject(dir.resolve("special_tokens_map.json")).get("eos_token").getAsString());
  }

  @Test
  void dataHoldsEveryDocumentWithTheRunsValidationShare() throws IOException {
    List<String> train = Files.readAllLines(out.resolve("data/train.jsonl"));
    List<String> valid = Files.readAllLines(out.resolve("data/valid.json"));
    assertEquals(result.trainDocuments(), train.size());
    assertEquals(result.validDocuments(), valid.size());
    long corpusDocs = Files.readAllLines(SAMPLE.resolve("../corpus/train.jsonl")).stream().filter(l -> !l.isBlank()).count();
    assertEquals(corpusDocs, train.size() + valid.size());
    double share = result.validChars() / (double) (result.trainChars() + result.validChars());
    assertEquals(0.1, share, 0.02, "split.json's validation_fraction");
    assertTrue(JsonParser.parseString(valid.get(0)).getAsJsonObject().get("text").getAsString().length() > 0);
  }

  @Test
  void readmeSaysHowToRunAndWhatDiffers() throws IOException {
    String readme = Files.readString(out.resolve("README.md"));
    assertTrue(readme.contains("git clone https://github.com/shaochenze/calm"));
    assertTrue(readme.contains("WORK_PATH"));
    assertTrue(readme.contains("mvn -Pcuda"));
    assertTrue(readme.contains("100 target samples"), "the sample run's M = 8 differs from the official 100");
  }

  @Test
  void refusesAFolderThatIsNotEmptyAndTheArBaseline(@TempDir Path dir) throws IOException {
    Files.writeString(dir.resolve("x"), "x");
    CalmException full = assertThrows(CalmException.class,
        () -> TorchrunExport.run(new TorchrunExport.Request(SAMPLE.resolve("sample-calm"), List.of(), dir)));
    assertTrue(full.getMessage().contains(dir.toString()) && full.getMessage().contains("not empty"), full.getMessage());
    CalmException ar = assertThrows(CalmException.class,
        () -> TorchrunExport.run(new TorchrunExport.Request(SAMPLE.resolve("sample-ar"), List.of(), dir.resolve("ar"))));
    assertTrue(ar.getMessage().contains("AR baseline"), ar.getMessage());
  }

  @Test
  void anAutoencoderRunExportsACalmConfigWithoutWeights(@TempDir Path dir) throws IOException {
    Path o = dir.resolve("ae-export");
    TorchrunExport.Result r = TorchrunExport.run(new TorchrunExport.Request(SAMPLE.resolve("sample-autoencoder"), List.of(), o));
    assertEquals(ModelType.AUTOENCODER, r.runType());
    assertTrue(Files.isRegularFile(o.resolve("calm/config.json")));
    assertFalse(Files.exists(o.resolve("calm/model.safetensors")));
    assertTrue(r.warnings().stream().anyMatch(w -> w.contains("no weights")), r.warnings().toString());
  }

  // ---------------------------------------------------------------- helpers

  static void assertTensor(Tensor want, Tensor got) {
    assertArrayEquals(want.shape(), got.shape(), want.name());
    assertArrayEquals(want.data(), got.data(), want.name());
  }

  static boolean matches(List<Pattern> patterns, String name) {
    return patterns.stream().anyMatch(p -> p.matcher(name).matches());
  }

  static Map<String, List<Pattern>> stateDictPatterns() {
    Map<String, List<Pattern>> out = new LinkedHashMap<>();
    List<Pattern> current = null;
    for (String line : resource("official-state-dict.txt").split("\n")) {
      if (line.isBlank() || line.startsWith("#")) {
        continue;
      }
      if (line.startsWith("[")) {
        current = new ArrayList<>();
        out.put(line.substring(1, line.length() - 1), current);
      } else {
        current.add(Pattern.compile(line.strip().replace("{i}", "\\d+")));
      }
    }
    return out;
  }

  static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    array.forEach(e -> out.add(e.getAsString()));
    return out;
  }

  static String resource(String name) {
    try (InputStream in = TorchrunExportTest.class.getResourceAsStream("/interop/" + name)) {
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new IllegalStateException(e);
    }
  }
}
