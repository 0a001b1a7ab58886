package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.backend.io.Safetensors;
import org.calmworkbench.backend.io.Tensor;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The autoencoder commands end to end, in process: a tiny run that trains, evaluates, encodes and
 * decodes; and every kind of bad input the issue lists, each a one-line error naming what and
 * where, exit code 2, no stack trace.
 */
class CliAutoencoderTest {
  @TempDir static Path shared;
  static Path corpus;
  static Path checkpoint;

  record Run(int code, String out, String err) {
    JsonObject json() {
      return JsonParser.parseString(out.strip()).getAsJsonObject();
    }
  }

  static Run calm(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = CalmCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8));
    return new Run(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** Sentences with a small vocabulary, so a tiny model learns them in a few hundred steps. */
  static String sentences(int n) {
    String[] subjects = {"the cat", "a dog", "my friend", "the teacher", "our robot"};
    String[] verbs = {"sees", "likes", "finds", "draws", "reads"};
    String[] objects = {"a red ball", "the old book", "two birds", "a small tree", "the blue sea"};
    StringBuilder sb = new StringBuilder();
    for (int i = 0; i < n; i++) {
      sb.append(subjects[i % 5]).append(' ').append(verbs[(i / 5) % 5]).append(' ').append(objects[(i / 25) % 5]).append(". ");
    }
    return sb.toString();
  }

  @BeforeAll
  static void trainTinyAutoencoder() throws Exception {
    corpus = shared.resolve("corpus.jsonl");
    List<String> lines = new ArrayList<>();
    for (int d = 0; d < 40; d++) {
      lines.add("{\"text\": \"" + sentences(40 + d) + "\"}");
    }
    Files.write(corpus, lines);
    checkpoint = shared.resolve("ae");
    Run r = calm("ae train", "--corpus", corpus.toString(), "--out", checkpoint.toString(), "--preset", "tiny",
        "--vocab-size", "300", "--steps", "150", "--json");
    assertEquals(0, r.code(), r.err());
  }

  @Test
  void trainReportsTheDocumentedJsonFields() throws Exception {
    Path out = shared.resolve("ae-json");
    Run r = calm("ae", "train", "--corpus", corpus.toString(), "--out", out.toString(), "--preset", "tiny",
        "--vocab-size", "300", "--steps", "3", "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject j = r.json();
    for (String key : List.of("steps", "tokens_seen", "tokens_per_second", "final_loss", "elapsed_seconds", "checkpoint")) {
      assertTrue(j.has(key), key + " missing from " + j);
    }
    assertEquals(3, j.get("steps").getAsInt());
    assertTrue(Files.exists(Path.of(j.get("checkpoint").getAsString()).resolve("tokenizer.json")));
  }

  @Test
  void evalReportsAccuracyPerSigmaThatFallsWithNoise() {
    Run r = calm("ae", "eval", "--checkpoint", checkpoint.toString(), "--corpus", corpus.toString(), "--noise", "0,0.5,3",
        "--json");
    assertEquals(0, r.code(), r.err());
    var results = r.json().getAsJsonArray("results");
    assertEquals(3, results.size());
    double clean = results.get(0).getAsJsonObject().get("token_accuracy").getAsDouble();
    double loud = results.get(2).getAsJsonObject().get("token_accuracy").getAsDouble();
    assertEquals(0.0, results.get(0).getAsJsonObject().get("sigma").getAsDouble());
    assertTrue(clean > 0.5, "a trained tiny autoencoder reconstructs most tokens: " + clean);
    assertTrue(loud < clean, "noise of sigma 3 must hurt: " + loud + " vs " + clean);
    assertTrue(results.get(0).getAsJsonObject().has("patch_accuracy"));
  }

  @Test
  void encodeThenDecodeRoundTripsText(@TempDir Path tmp) throws Exception {
    String text = "the cat sees a red ball. ";
    Run enc = calm("ae", "encode", "--checkpoint", checkpoint.toString(), "--text", text, "--json");
    assertEquals(0, enc.code(), enc.err());
    Path latents = tmp.resolve("latents.json");
    Files.writeString(latents, enc.out());
    Run dec = calm("ae", "decode", "--checkpoint", checkpoint.toString(), "--input", latents.toString(), "--json");
    assertEquals(0, dec.code(), dec.err());
    assertTrue(enc.json().getAsJsonArray("latents").size() >= 1);
    assertTrue(dec.json().get("text").getAsString().length() > 0);
  }

  @Test
  void encodingAnInputBeyondTheLimitIsRefusedInOneLine(@TempDir Path tmp) throws Exception {
    // Before: a 50 MB --input was encoded as one batch until the kernel killed the JVM (23 GB).
    Path big = tmp.resolve("big.txt");
    Files.writeString(big, "the cat sees a red ball. ".repeat(40_000)); // 1 MB, well over 65,536 tokens
    assertUserError(calm("ae", "encode", "--checkpoint", checkpoint.toString(), "--input", big.toString()),
        "encoded at once; give a part of it");
    Path huge = tmp.resolve("huge.txt");
    try (java.io.RandomAccessFile f = new java.io.RandomAccessFile(huge.toFile(), "rw")) {
      f.setLength(3L << 30); // sparse: 3 GB that Files.readString could not hold
    }
    assertUserError(calm("ae", "encode", "--checkpoint", checkpoint.toString(), "--input", huge.toString()),
        huge.toString(), "ae encode reads at most 67,108,864");
  }

  @Test
  void inspectForwardReproducesTheReferenceAutoencoder(@TempDir Path tmp) throws Exception {
    String prop = System.getProperty("calm.shared.dir");
    Path ref = prop == null ? null : Path.of(prop, "reference", "autoencoder");
    org.junit.jupiter.api.Assumptions.assumeTrue(ref != null && Files.isDirectory(ref),
        "skipped: ../shared/reference/autoencoder not found");
    Run r = calm("inspect", "forward", "--checkpoint", ref.toString(), "--input", ref.resolve("expected.json").toString(), "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject expected = JsonParser.parseString(Files.readString(ref.resolve("expected.json"))).getAsJsonObject();
    float[] want = flatten(expected.get("decoder_logits"));
    float[] got = flatten(r.json().get("decoder_logits"));
    assertEquals(want.length, got.length);
    for (int i = 0; i < want.length; i++) {
      assertEquals(want[i], got[i], 1e-4, "decoder_logits[" + i + "]");
    }
    assertEquals(flatten(expected.get("encoder_output")).length, flatten(r.json().get("encoder_output")).length);
  }

  static float[] flatten(com.google.gson.JsonElement e) {
    return org.calmworkbench.backend.io.JsonArrays.read("x", e, "test").data();
  }

  // ---- bad input: one line, names what and where, exit code 2, no stack trace ----

  static void assertUserError(Run r, String... needles) {
    assertEquals(2, r.code(), "exit code; stderr: " + r.err());
    String line = r.err().strip();
    String lastLine = line.substring(line.lastIndexOf('\n') + 1);
    assertTrue(lastLine.startsWith("error: "), "one-line error expected, got: " + r.err());
    for (String n : needles) {
      assertTrue(lastLine.contains(n), "'" + n + "' missing from: " + lastLine);
    }
    assertFalse(r.err().contains("\tat "), "no stack trace without --verbose: " + r.err());
  }

  @Test
  void missingCorpusFileIsNamed(@TempDir Path tmp) {
    Path missing = tmp.resolve("nope.txt");
    assertUserError(calm("ae", "train", "--corpus", missing.toString(), "--out", tmp.resolve("o").toString()), "nope.txt");
  }

  @Test
  void anOutputFolderThatCannotBeWrittenExitsOneWithOneLineNamingIt(@TempDir Path tmp) throws Exception {
    Path out = Files.writeString(tmp.resolve("a-file"), "x").resolve("run"); // a folder inside a file
    Run r = calm("ae", "train", "--corpus", corpus.toString(), "--out", out.toString(), "--tokenizer",
        checkpoint.toString(), "--preset", "tiny", "--steps", "2");
    assertEquals(1, r.code(), r.err()); // the file system, not the input (docs/CLI.md)
    assertEquals(1, r.err().strip().lines().count(), r.err());
    assertTrue(r.err().startsWith("error: cannot write to " + out + ": "), r.err());
  }

  @Test
  void emptyCorpusIsRefused(@TempDir Path tmp) throws Exception {
    Path empty = tmp.resolve("empty.txt");
    Files.writeString(empty, "");
    assertUserError(calm("ae", "train", "--corpus", empty.toString(), "--out", tmp.resolve("o").toString(),
        "--tokenizer", checkpoint.toString(), "--preset", "tiny"), "empty.txt");
  }

  @Test
  void corpusShorterThanOneChunkIsRefused(@TempDir Path tmp) throws Exception {
    Path tiny = tmp.resolve("tiny.txt");
    Files.writeString(tiny, "a");
    Run r = calm("ae", "train", "--corpus", tiny.toString(), "--out", tmp.resolve("o").toString(),
        "--tokenizer", checkpoint.toString(), "--preset", "tiny");
    assertUserError(r, "token");
  }

  @Test
  void binaryCorpusIsRefusedByName(@TempDir Path tmp) throws Exception {
    Path bin = tmp.resolve("data.bin.txt");
    Files.write(bin, new byte[] {'a', 'b', 0, 1, 2, 0, 0, 3});
    assertUserError(calm("ae", "train", "--corpus", bin.toString(), "--out", tmp.resolve("o").toString(),
        "--tokenizer", checkpoint.toString(), "--preset", "tiny", "--steps", "1"), "data.bin.txt");
  }

  @Test
  void invalidUtf8IsReplacedCountedAndTrainingGoesOn(@TempDir Path tmp) throws Exception {
    Path bad = tmp.resolve("latin1.txt");
    byte[] text = (sentences(30) + "caf").getBytes(StandardCharsets.UTF_8);
    byte[] withBad = java.util.Arrays.copyOf(text, text.length + 2);
    withBad[text.length] = (byte) 0xE9; // Latin-1 é: not valid UTF-8
    withBad[text.length + 1] = '!';
    Files.write(bad, withBad);
    Run r = calm("ae", "train", "--corpus", bad.toString(), "--out", tmp.resolve("o").toString(),
        "--tokenizer", checkpoint.toString(), "--preset", "tiny", "--steps", "1");
    assertEquals(0, r.code(), r.err());
    assertTrue(r.err().contains("invalid UTF-8") && r.err().contains("latin1.txt"), r.err());
  }

  @Test
  void malformedJsonlLineIsNamedWithItsNumber(@TempDir Path tmp) throws Exception {
    Path jsonl = tmp.resolve("bad.jsonl");
    Files.writeString(jsonl, "{\"text\": \"fine\"}\n{\"text\": \"also fine\"}\n{\"text\": broken\n");
    assertUserError(calm("ae", "train", "--corpus", jsonl.toString(), "--out", tmp.resolve("o").toString(),
        "--tokenizer", checkpoint.toString(), "--preset", "tiny"), "bad.jsonl", "line 3");
  }

  @Test
  void outOfRangeAndUnknownSettingsAreNamed(@TempDir Path tmp) {
    String[] base = {"ae", "train", "--corpus", corpus.toString(), "--out", tmp.resolve("o").toString(),
        "--tokenizer", checkpoint.toString(), "--preset", "tiny", "--set"};
    assertUserError(calm(concat(base, "patch_size=0")), "patch_size", "out of range");
    assertUserError(calm(concat(base, "hidden_size=-4")), "hidden_size");
    assertUserError(calm(concat(base, "latent_sise=8")), "latent_sise", "unknown key");
    assertUserError(calm(concat(base, "lr=fast")), "lr", "fast");
  }

  static String[] concat(String[] a, String b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + 1);
    out[a.length] = b;
    return out;
  }

  /** A copy of the trained checkpoint whose model.safetensors is replaced by {@code bytes}. */
  static Path checkpointWith(Path tmp, byte[] bytes) throws Exception {
    Path dir = tmp.resolve("ck");
    Files.createDirectories(dir);
    for (String f : List.of("config.json", "tokenizer.json")) {
      Files.copy(checkpoint.resolve(f), dir.resolve(f));
    }
    Files.write(dir.resolve("model.safetensors"), bytes);
    return dir;
  }

  @Test
  void truncatedSafetensorsIsNamed(@TempDir Path tmp) throws Exception {
    byte[] full = Files.readAllBytes(checkpoint.resolve("model.safetensors"));
    Path dir = checkpointWith(tmp, java.util.Arrays.copyOf(full, full.length / 2));
    assertUserError(calm("ae", "eval", "--checkpoint", dir.toString(), "--corpus", corpus.toString()), "model.safetensors");
  }

  @Test
  void headerLengthLargerThanTheFileIsRefusedWithoutAllocating(@TempDir Path tmp) throws Exception {
    byte[] bytes = new byte[64];
    java.nio.ByteBuffer.wrap(bytes).order(java.nio.ByteOrder.LITTLE_ENDIAN).putLong(1L << 40);
    Path dir = checkpointWith(tmp, bytes);
    assertUserError(calm("ae", "eval", "--checkpoint", dir.toString(), "--corpus", corpus.toString()), "model.safetensors");
  }

  @Test
  void unknownDtypeIsNamed(@TempDir Path tmp) throws Exception {
    String header = "{\"encoder.norm.weight\": {\"dtype\": \"Q4\", \"shape\": [2], \"data_offsets\": [0, 1]}}";
    byte[] h = header.getBytes(StandardCharsets.UTF_8);
    java.nio.ByteBuffer b = java.nio.ByteBuffer.allocate(8 + h.length + 1).order(java.nio.ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h).put((byte) 0);
    Path dir = checkpointWith(tmp, b.array());
    assertUserError(calm("ae", "eval", "--checkpoint", dir.toString(), "--corpus", corpus.toString()), "Q4");
  }

  @Test
  void missingTensorAndShapeMismatchAreNamed(@TempDir Path tmp) throws Exception {
    var tensors = new java.util.LinkedHashMap<>(Safetensors.read(checkpoint.resolve("model.safetensors")).tensors());
    tensors.remove("decoder.norm.weight");
    tensors.put("encoder.norm.weight", new Tensor("encoder.norm.weight", new int[] {3}, new float[3]));
    Path file = tmp.resolve("w.safetensors");
    Safetensors.write(file, tensors, java.util.Map.of());
    Path dir = checkpointWith(tmp, Files.readAllBytes(file));
    Run r = calm("ae", "eval", "--checkpoint", dir.toString(), "--corpus", corpus.toString());
    assertUserError(r, "model.safetensors");
    assertTrue(r.err().contains("decoder.norm.weight") || r.err().contains("encoder.norm.weight"), r.err());
  }

  @Test
  void verboseShowsTheStackTrace(@TempDir Path tmp) {
    Run r = calm("ae", "train", "--corpus", tmp.resolve("nope").toString(), "--out", tmp.resolve("o").toString(), "--verbose");
    assertEquals(2, r.code());
    assertTrue(r.err().contains("\tat "), "stack trace expected with --verbose: " + r.err());
  }

  /** {@code lm train --head} on this class's tiny autoencoder (reused to keep the suite fast). */
  @Test
  void lmTrainTakesTheHeadOptionAndRefusesAnotherHeadsSettings() throws Exception {
    Path out = shared.resolve("lm-flow");
    Run r = calm("lm", "train", "--autoencoder", checkpoint.toString(), "--corpus", corpus.toString(), "--out",
        out.toString(), "--preset", "tiny", "--head", "flow", "--steps", "2", "--set", "batch_size=2",
        "eval_positions=8", "flow_steps=2", "flow_solver=euler", "--json");
    assertEquals(0, r.code(), r.err());
    JsonObject config = JsonParser.parseString(Files.readString(out.resolve("config.json"))).getAsJsonObject();
    assertEquals("calm_flow", config.get("model_type").getAsString(), "the head is part of the model type (issue 14)");
    assertEquals("euler", config.get("flow_solver").getAsString());
    assertTrue(Files.readString(out.resolve("metrics.jsonl")).contains("valid_flow_loss"));

    Run bad = calm("lm", "train", "--autoencoder", checkpoint.toString(), "--corpus", corpus.toString(), "--out",
        shared.resolve("lm-bad").toString(), "--head", "gan", "--steps", "1");
    assertEquals(2, bad.code(), bad.err());
    assertTrue(bad.err().contains("gan") && bad.err().contains("diffusion"), bad.err());
    Run foreign = calm("lm", "train", "--autoencoder", checkpoint.toString(), "--corpus", corpus.toString(), "--out",
        shared.resolve("lm-bad").toString(), "--head", "diffusion", "--set", "num_samples=4", "--steps", "1");
    assertEquals(2, foreign.code(), foreign.err());
    assertTrue(foreign.err().contains("num_samples") && foreign.err().contains("energy head"), foreign.err());
  }
}
