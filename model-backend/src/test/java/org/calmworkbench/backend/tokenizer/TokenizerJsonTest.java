package org.calmworkbench.backend.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonArray;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;
import java.util.stream.Stream;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

class TokenizerJsonTest {
  static ByteLevelBpeTokenizer trained;

  @TempDir Path dir;

  @BeforeAll
  static void train() {
    trained = BpeTrainer.train(BpeTrainerTest.syntheticCorpus(9, 300), 600);
  }

  private Path saved() {
    return Tokenizers.save(trained, dir);
  }

  private JsonObject savedJson() throws IOException {
    return JsonParser.parseString(Files.readString(saved())).getAsJsonObject();
  }

  private Path write(JsonObject root) throws IOException {
    Path file = dir.resolve("edited.json");
    Files.writeString(file, root.toString());
    return file;
  }

  @Test
  void savesAndLoadsTheSameTokenizer() {
    ByteLevelBpeTokenizer loaded = ByteLevelBpeTokenizer.load(saved());
    assertEquals(trained.tokens(), loaded.tokens());
    assertEquals(trained.merges(), loaded.merges());
    assertEquals(trained.specialIds(), loaded.specialIds());
    assertEquals(trained.eosId(), loaded.eosId());
    String text = "lorem ipsum, 42 Café 日本 👍🏽";
    assertArrayEquals(trained.encode(text), loaded.encode(text));
  }

  @Test
  void writesHuggingFaceLayout() throws IOException {
    JsonObject root = savedJson();
    JsonObject model = root.getAsJsonObject("model");
    assertEquals("BPE", model.get("type").getAsString());
    assertEquals(trained.vocabSize(), model.getAsJsonObject("vocab").size());
    assertEquals(trained.merges().size(), model.getAsJsonArray("merges").size());
    ByteLevelBpeTokenizer.Merge first = trained.merges().get(0);
    assertEquals(first.left() + " " + first.right(), model.getAsJsonArray("merges").get(0).getAsString());
    assertEquals(1, model.getAsJsonObject("vocab").get("<|endoftext|>").getAsInt());
    JsonObject pre = root.getAsJsonObject("pre_tokenizer");
    assertEquals("ByteLevel", pre.get("type").getAsString());
    assertFalse(pre.get("add_prefix_space").getAsBoolean());
    assertTrue(pre.get("use_regex").getAsBoolean());
    assertEquals("ByteLevel", root.getAsJsonObject("decoder").get("type").getAsString());
    assertTrue(root.get("normalizer").isJsonNull());
    JsonArray added = root.getAsJsonArray("added_tokens");
    assertEquals(2, added.size());
    assertEquals("<|pad|>", added.get(0).getAsJsonObject().get("content").getAsString());
    assertEquals(0, added.get(0).getAsJsonObject().get("id").getAsInt());
    assertTrue(added.get(1).getAsJsonObject().get("special").getAsBoolean());
    assertTrue(TokenizerJson.unsupportedFeatures(root).isEmpty());
  }

  @Test
  void saveReplacesAnExistingFileAndLeavesNoTempFiles() throws IOException {
    Files.writeString(dir.resolve("tokenizer.json"), "old");
    saved();
    try (Stream<Path> files = Files.list(dir)) {
      assertEquals(List.of(dir.resolve("tokenizer.json")), files.toList());
    }
    assertEquals(trained.tokens(), ByteLevelBpeTokenizer.load(dir).tokens());
  }

  @Test
  void readsMergesWrittenAsPairs() throws IOException {
    JsonObject root = savedJson();
    JsonArray pairs = new JsonArray();
    for (ByteLevelBpeTokenizer.Merge m : trained.merges()) {
      JsonArray pair = new JsonArray();
      pair.add(m.left());
      pair.add(m.right());
      pairs.add(pair);
    }
    root.getAsJsonObject("model").add("merges", pairs);
    assertEquals(trained.merges(), ByteLevelBpeTokenizer.load(write(root)).merges());
  }

  @Test
  void factoryUsesTheBuiltInTokenizerForItsOwnFiles() {
    saved();
    assertInstanceOf(ByteLevelBpeTokenizer.class, Tokenizers.load(dir));
  }

  @Test
  void missingFileNamesThePath() {
    CalmException e = assertThrows(CalmException.class, () -> Tokenizers.load(dir.resolve("nope")));
    assertTrue(e.getMessage().contains("nope"), e.getMessage());
    CalmException e2 = assertThrows(CalmException.class, () -> Tokenizers.load(dir));
    assertTrue(e2.getMessage().contains("tokenizer.json"), e2.getMessage());
  }

  @Test
  void truncatedJsonNamesFileAndLine() throws IOException {
    String text = Files.readString(saved());
    Path file = dir.resolve("truncated.json");
    Files.writeString(file, text.substring(0, text.length() / 2));
    CalmException e = assertThrows(CalmException.class, () -> Tokenizers.load(file));
    assertTrue(e.getMessage().contains("truncated.json") && e.getMessage().contains("line"), e.getMessage());
  }

  @Test
  void nonObjectJsonIsRejected() throws IOException {
    Path file = dir.resolve("list.json");
    Files.writeString(file, "[1, 2]");
    CalmException e = assertThrows(CalmException.class, () -> ByteLevelBpeTokenizer.load(file));
    assertTrue(e.getMessage().contains("list.json") && e.getMessage().contains("not a JSON object"), e.getMessage());
  }

  static Stream<Arguments> corruptions() {
    return Stream.of(
        Arguments.of("no model", (Consumer<JsonObject>) r -> r.remove("model"), "model"),
        Arguments.of("vocab id is text",
            (Consumer<JsonObject>) r -> r.getAsJsonObject("model").getAsJsonObject("vocab").addProperty("Ġlorem", "x"),
            "model.vocab[\"Ġlorem\"]"),
        Arguments.of("two tokens share an id",
            (Consumer<JsonObject>) r -> r.getAsJsonObject("model").getAsJsonObject("vocab").addProperty("zzzz", 5),
            "both have id 5"),
        Arguments.of("merge without a space",
            (Consumer<JsonObject>) r -> r.getAsJsonObject("model").getAsJsonArray("merges").set(3, new com.google.gson.JsonPrimitive("ab")),
            "model.merges[3]"),
        Arguments.of("merge of an unknown token",
            (Consumer<JsonObject>) r -> r.getAsJsonObject("model").getAsJsonArray("merges").set(2, new com.google.gson.JsonPrimitive("q zzzz")),
            "'zzzz'"),
        Arguments.of("merges missing",
            (Consumer<JsonObject>) r -> r.getAsJsonObject("model").remove("merges"), "model.merges"),
        Arguments.of("added token without id",
            (Consumer<JsonObject>) r -> r.getAsJsonArray("added_tokens").get(1).getAsJsonObject().remove("id"),
            "added_tokens[1].id"),
        Arguments.of("special token id taken by another token",
            (Consumer<JsonObject>) r -> r.getAsJsonArray("added_tokens").get(1).getAsJsonObject().addProperty("id", 40),
            "<|endoftext|>"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("corruptions")
  void malformedFileErrorNamesFileAndKey(String name, Consumer<JsonObject> corrupt, String expected)
      throws IOException {
    JsonObject root = savedJson();
    corrupt.accept(root);
    Path file = write(root);
    CalmException e = assertThrows(CalmException.class, () -> ByteLevelBpeTokenizer.load(file));
    assertTrue(e.getMessage().contains("edited.json"), e.getMessage());
    assertTrue(e.getMessage().contains(expected), e.getMessage());
  }

  @Test
  void fileWithANormalizerIsNotLoadedAsBuiltIn() throws IOException {
    JsonObject root = savedJson();
    JsonObject lowercase = new JsonObject();
    lowercase.addProperty("type", "Lowercase");
    root.add("normalizer", lowercase);
    Path file = write(root);
    CalmException e = assertThrows(CalmException.class, () -> ByteLevelBpeTokenizer.load(file));
    assertTrue(e.getMessage().contains("normalizer is Lowercase"), e.getMessage());
  }

  @Test
  void listsEveryFeatureTheBuiltInTokenizerLacks() throws IOException {
    JsonObject root = savedJson();
    root.getAsJsonObject("pre_tokenizer").addProperty("add_prefix_space", true);
    root.add("decoder", JsonNull.INSTANCE);
    root.getAsJsonObject("model").addProperty("dropout", 0.1);
    root.getAsJsonArray("added_tokens").get(0).getAsJsonObject().addProperty("special", false);
    List<String> reasons = TokenizerJson.unsupportedFeatures(root);
    assertEquals(4, reasons.size(), reasons.toString());
    assertTrue(reasons.get(0).contains("add_prefix_space"));
    assertTrue(reasons.get(1).contains("decoder"));
    assertTrue(reasons.get(2).contains("dropout"));
    assertTrue(reasons.get(3).contains("added_tokens[0]"));
  }
}
