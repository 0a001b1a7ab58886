package org.calmworkbench.backend.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.generate.CalmGenerator.ChunkEvent;
import org.calmworkbench.backend.generate.CalmGenerator.Method;
import org.calmworkbench.backend.generate.CalmGenerator.Options;
import org.calmworkbench.backend.generate.CalmGenerator.Result;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.train.CalmCheckpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Generation with a tiny, briefly trained CALM (see {@link TinyCalm}). */
class CalmGeneratorTest {
  static CalmCheckpoint ck;
  static final int K = 4;

  @BeforeAll
  static void load() {
    ck = CalmCheckpoint.load(TinyCalm.checkpoint());
  }

  @AfterAll
  static void close() {
    if (ck != null) {
      ck.close();
    }
  }

  static Result generate(Options o, List<ChunkEvent> events) {
    return CalmGenerator.run(ck, o, events::add, () -> false);
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0} at T = {1}")
  @org.junit.jupiter.params.provider.CsvSource({"EXACT, 0.5", "BATCH, 0.5", "EXACT, 1.0", "GREEDY, 1.0"})
  void batchedSamplesAreTheTextsOfSeparateRunsWithSeedPlusRow(Method method, double temperature) {
    // A small call cap keeps the exact sampler cheap on this barely trained model; runs that reach it
    // fall back to the batch estimate, which must agree between the batched and separate runs too.
    Options o = new Options("the cat sees", 24, temperature, method, 8, 40, 200);
    List<List<ChunkEvent>> events = List.of(new ArrayList<>(), new ArrayList<>(), new ArrayList<>(), new ArrayList<>());
    List<Result> batched = CalmGenerator.runSamples(ck, o, 4, (row, e) -> events.get(row).add(e), () -> false, true);
    assertEquals(4, batched.size());
    java.util.Set<String> distinct = new java.util.HashSet<>();
    for (int s = 0; s < 4; s++) {
      Result alone = generate(o.withSeed(40 + s), new ArrayList<>());
      Result row = batched.get(s);
      assertEquals(alone.text(), row.text(), "sample " + s);
      assertEquals(alone.stopReason(), row.stopReason(), "sample " + s);
      assertArrayEquals(alone.samplerCallsPerStep(), row.samplerCallsPerStep(), "sample " + s);
      assertEquals(row.steps(), events.get(s).size());
      distinct.add(row.text());
    }
    if (method != Method.GREEDY) {
      assertTrue(distinct.size() > 1, "different seeds give different samples: " + distinct);
    }
  }

  /** Counts the head + decoder passes and their rows; {@code maxRows} caps a pass, as a large vocabulary would. */
  static final class CountingPass implements ChunkPass {
    final ChunkPass real = ChunkPass.of(ck);
    final List<Integer> rows = new ArrayList<>();
    final int maxRows;

    CountingPass(int maxRows) {
      this.maxRows = maxRows;
    }

    @Override
    public float[] noise(java.util.SplittableRandom rng, int n) {
      return real.noise(rng, n);
    }

    @Override
    public Drawn run(ai.djl.ndarray.NDManager parent, float[] hidden, float[] noise, int n) {
      rows.add(n);
      return real.run(parent, hidden, noise, n);
    }

    @Override
    public int maxRows() {
      return maxRows;
    }
  }

  @org.junit.jupiter.params.ParameterizedTest(name = "{0} at T = {1}")
  @org.junit.jupiter.params.provider.CsvSource({"BATCH, 0.5, 8", "GREEDY, 1.0, 8", "EXACT, 1.0, 1"})
  void oneHeadAndDecoderPassPerStepCoversEverySamplesCandidates(Method method, double temperature, int drawsPerStep) {
    // Exact at T = 1 takes one draw per step, and its first batch is sized for exactly that.
    Options o = new Options("the cat sees", 24, temperature, method, 8, 40, 200);
    CountingPass pass = new CountingPass(Integer.MAX_VALUE);
    List<Result> results = CalmGenerator.runSamples(ck, o, 4, (row, e) -> {}, () -> false, true, pass);
    int steps = results.stream().mapToInt(Result::steps).max().orElseThrow();
    List<Integer> expected = new ArrayList<>();
    for (int step = 0; step < steps; step++) {
      int live = 0; // samples still generating at this step (one that met end-of-text draws no more)
      for (Result r : results) {
        live += r.steps() > step ? 1 : 0;
      }
      expected.add(live * drawsPerStep);
    }
    assertEquals(expected, pass.rows, "rows of each pass; a pass per sample would give " + 4 * steps + " passes");
    long computed = results.stream().mapToLong(Result::computedDraws).sum();
    assertEquals(computed, pass.rows.stream().mapToLong(Integer::longValue).sum(), "every computed draw in a counted pass");
  }

  @Test
  void passesSplitAboveTheRowCapGiveTheSameTexts() {
    Options o = new Options("the cat sees", 24, 0.5, Method.BATCH, 8, 40, 200);
    List<Result> whole = CalmGenerator.runSamples(ck, o, 4, (row, e) -> {}, () -> false, true, new CountingPass(1 << 20));
    CountingPass capped = new CountingPass(5);
    List<Result> split = CalmGenerator.runSamples(ck, o, 4, (row, e) -> {}, () -> false, true, capped);
    assertTrue(capped.rows.stream().allMatch(n -> n <= 5), "passes of at most 5 rows: " + capped.rows);
    assertEquals(List.of(5, 5, 5, 5, 5, 5, 2), capped.rows.subList(0, 7), "the first step's 4 x 8 draws in 7 passes");
    for (int s = 0; s < 4; s++) {
      assertEquals(whole.get(s).text(), split.get(s).text(), "sample " + s);
    }
    // One sample: its hidden state is shared by all rows, and a split pass still gives each slice of rows.
    CountingPass alone = new CountingPass(5);
    Result one = CalmGenerator.runSamples(ck, o, 1, (row, e) -> {}, () -> false, true, alone).get(0);
    assertEquals(List.of(5, 3), alone.rows.subList(0, 2), "8 draws in passes of 5 and 3");
    assertEquals(whole.get(0).text(), one.text());
  }

  @Test
  void eventsArriveOnePerChunkInOrderAndConcatenateToTheText() {
    List<ChunkEvent> events = new ArrayList<>();
    List<Integer> seenWhenReported = new ArrayList<>();
    Result r = CalmGenerator.run(ck, Options.of("the cat sees").withMaxTokens(20).withSeed(3), e -> {
      seenWhenReported.add(e.step());
      events.add(e);
    }, () -> false);
    assertTrue(r.steps() >= 1 && r.steps() <= 5, "steps " + r.steps());
    assertEquals(r.steps(), events.size());
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < events.size(); i++) {
      ChunkEvent e = events.get(i);
      assertEquals(i, e.step());
      assertEquals(K, e.chunk().patchSize());
      assertEquals(r.samplerCallsPerStep()[i], e.samplerCalls());
      text.append(e.text());
    }
    assertEquals(r.text(), text.toString());
    if (r.stopReason().equals("max_tokens")) {
      assertEquals(5, r.steps());
      assertEquals(20, r.tokens());
      assertFalse(events.get(events.size() - 1).endOfText());
    } else {
      assertEquals("end_of_text", r.stopReason());
      assertTrue(events.get(events.size() - 1).endOfText());
    }
    assertEquals(ck.tokenizer().decode(ck.tokenizer().encode("the cat sees")).length(), r.prompt().length());
    assertTrue(r.tokensPerSecond() > 0);
    System.out.printf("tiny CALM, exact T=1: %d tokens in %.3f s (%.0f tokens/s): \"%s\"%n", r.tokens(),
        r.elapsedSeconds(), r.tokensPerSecond(), r.text());
  }

  @Test
  void maxTokensIsRoundedUpToWholeChunks() {
    Result r = generate(Options.of("a dog").withMaxTokens(5).withSeed(1), new ArrayList<>());
    if (r.stopReason().equals("max_tokens")) {
      assertEquals(2, r.steps()); // 5 tokens need two chunks of K = 4
      assertEquals(8, r.tokens());
    } else {
      assertTrue(r.steps() <= 2);
    }
  }

  @Test
  void sameSeedGivesSameText() {
    List<ChunkEvent> a = new ArrayList<>();
    List<ChunkEvent> b = new ArrayList<>();
    Options o = Options.of("my friend").withMaxTokens(24).withTemperature(0.7).withSeed(42);
    Result first = generate(o, a);
    Result second = generate(o, b);
    assertEquals(first.text(), second.text());
    assertEquals(first.samplerCalls(), second.samplerCalls());
    assertEquals(a.size(), b.size());
    for (int i = 0; i < a.size(); i++) {
      assertEquals(a.get(i).chunk(), b.get(i).chunk());
    }
  }

  @Test
  void exactAtTemperatureOneCostsOneCallPerChunk() {
    Result r = generate(Options.of("the teacher").withMaxTokens(16), new ArrayList<>());
    for (int calls : r.samplerCallsPerStep()) {
      assertEquals(1, calls);
    }
    assertEquals(r.steps(), r.samplerCalls());
    assertEquals(0, r.fallbacks());
  }

  @Test
  void exactAtHalfTemperatureNeedsAtLeastTwoIdenticalDraws() {
    Result r = generate(Options.of("the teacher").withMaxTokens(16).withTemperature(0.5).withSeed(5), new ArrayList<>());
    long sum = 0;
    for (int calls : r.samplerCallsPerStep()) {
      assertTrue(calls >= 2, "an exact T=0.5 sample needs two equal draws, got " + calls + " calls");
      sum += calls;
    }
    assertEquals(sum, r.samplerCalls());
  }

  @Test
  void exactFallsBackWhenTheBudgetIsBelowOneAttempt() {
    // T = 0.25 needs 4 identical draws per attempt; a budget of 2 can never finish one.
    Options o = new Options("our robot", 12, 0.25, Method.EXACT, 64, 9, 2);
    List<ChunkEvent> events = new ArrayList<>();
    Result r = generate(o, events);
    assertEquals(r.steps(), r.fallbacks());
    for (ChunkEvent e : events) {
      assertTrue(e.fellBack());
      assertEquals(2, e.samplerCalls());
    }
  }

  @Test
  void batchAndGreedySpendExactlyNCallsPerChunk() {
    Result batch = generate(Options.of("a dog").withMaxTokens(12).withTemperature(0.5).withMethod(Method.BATCH, 16),
        new ArrayList<>());
    assertArrayEquals(filled(batch.steps(), 16), batch.samplerCallsPerStep());
    Result greedy = generate(Options.of("a dog").withMaxTokens(12).withMethod(Method.GREEDY, 8), new ArrayList<>());
    assertArrayEquals(filled(greedy.steps(), 8), greedy.samplerCallsPerStep());
    assertEquals(0, batch.fallbacks());
  }

  static int[] filled(int n, int v) {
    int[] a = new int[n];
    java.util.Arrays.fill(a, v);
    return a;
  }

  @Test
  void temperatureAboveOneIsRefusedBeforeLoading(@TempDir Path tmp) {
    CalmException e = assertThrows(CalmException.class,
        () -> CalmGenerator.run(tmp.resolve("no-such-checkpoint"), Options.of("x").withTemperature(1.5), CalmGenerator.Listener.NONE));
    assertEquals("temperature must be in (0, 1], got 1.5", e.getMessage());
    assertThrows(CalmException.class, () -> generate(Options.of("x").withTemperature(0), new ArrayList<>()));
  }

  @Test
  void promptLongerThanTheDefaultLimitIsRefused(@TempDir Path tmp) throws Exception {
    // A checkpoint that does not record its training context (e.g. from the official code) gets the default limit.
    Path dir = TinyCalm.copy(tmp.resolve("lm"));
    JsonObject config = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
    config.remove("context_chunks");
    Files.writeString(dir.resolve("config.json"), config.toString());
    Files.deleteIfExists(dir.resolve("trainer_state.json"));
    try (CalmCheckpoint unrecorded = CalmCheckpoint.load(dir)) {
      assertEquals(CalmCheckpoint.DEFAULT_MAX_CONTEXT_TOKENS, unrecorded.maxContextTokens());
      String prompt = TinyCalm.sentences(2000); // far more than 4096 tokens
      int tokens = unrecorded.tokenizer().encode(prompt).length;
      assertTrue(tokens > CalmCheckpoint.DEFAULT_MAX_CONTEXT_TOKENS, "test prompt has only " + tokens + " tokens");
      CalmException e = assertThrows(CalmException.class,
          () -> CalmGenerator.run(unrecorded, Options.of(prompt), CalmGenerator.Listener.NONE, () -> false));
      assertTrue(e.getMessage().contains(tokens + " tokens") && e.getMessage().contains("4096"), e.getMessage());
    }
  }

  @Test
  void trainedCheckpointsRecordTheirContext() {
    int chunks = org.calmworkbench.backend.train.LmPresets.get("tiny").lm().contextChunks();
    assertEquals(chunks, ck.contextChunks().getAsInt(), "the tiny preset's context_chunks, from config.json");
    assertEquals(chunks * 4, ck.maxContextTokens(), "context_chunks x K=4 tokens");
  }

  @Test
  void promptLongerThanTheRecordedTrainingContextIsRefused(@TempDir Path tmp) throws Exception {
    Path dir = TinyCalm.copy(tmp.resolve("lm"));
    JsonObject config = JsonParser.parseString(Files.readString(dir.resolve("config.json"))).getAsJsonObject();
    config.addProperty("context_chunks", 4); // 16 tokens
    Files.writeString(dir.resolve("config.json"), config.toString());
    try (CalmCheckpoint small = CalmCheckpoint.load(dir)) {
      assertEquals(16, small.maxContextTokens());
      String prompt = TinyCalm.sentences(5);
      CalmException e = assertThrows(CalmException.class,
          () -> CalmGenerator.run(small, Options.of(prompt), CalmGenerator.Listener.NONE, () -> false));
      assertTrue(e.getMessage().contains("context_chunks 4 x K=4"), e.getMessage());
      Result ok = CalmGenerator.run(small, Options.of("the cat").withMaxTokens(4), CalmGenerator.Listener.NONE, () -> false);
      assertEquals(1, ok.steps());
    }
  }

  @Test
  void stopRequestEndsAfterTheCurrentChunk() {
    List<ChunkEvent> events = new ArrayList<>();
    Result r = CalmGenerator.run(ck, Options.of("the cat").withMaxTokens(40), events::add, () -> events.size() >= 2);
    assertTrue(r.steps() <= 2, "steps " + r.steps());
    if (r.steps() == 2) {
      assertEquals("stopped", r.stopReason());
    }
  }

  @Test
  void emptyPromptStartsANewDocument() {
    Result r = generate(Options.of("").withMaxTokens(8), new ArrayList<>());
    assertEquals(0, r.promptTokens());
    assertEquals(K, r.paddedPromptTokens());
    assertTrue(r.steps() >= 1);
  }

  @Test
  void promptIsPaddedAtTheStartSoItsLastTokenEndsAChunk() {
    assertArrayEquals(new int[] {0, 5, 6, 7}, CalmGenerator.paddedPrompt(new int[] {5, 6, 7}, 4, 1));
    assertArrayEquals(new int[] {0, 0, 0, 9, 5, 6, 7, 8}, CalmGenerator.paddedPrompt(new int[] {9, 5, 6, 7, 8}, 4, 1));
    assertArrayEquals(new int[] {5, 6, 7, 8}, CalmGenerator.paddedPrompt(new int[] {5, 6, 7, 8}, 4, 1));
    assertArrayEquals(new int[] {0, 0, 0, 1}, CalmGenerator.paddedPrompt(new int[0], 4, 1));
    assertArrayEquals(new int[] {0, 0, 0, 0}, CalmGenerator.paddedPrompt(new int[0], 4, -1));
  }

  @Test
  void samplerNamesParseAndBadOnesAreNamed() {
    assertEquals(Method.GREEDY, Method.parse("Greedy"));
    CalmException e = assertThrows(CalmException.class, () -> Method.parse("beam"));
    assertTrue(e.getMessage().contains("'beam'"), e.getMessage());
  }

  /** A character whose UTF-8 bytes arrive in two chunks is shown once it is complete. */
  @Test
  void textStreamHoldsBackAHalfCharacterUntilItIsComplete() {
    Tokenizer bytes = new Tokenizer() {
      @Override
      public int[] encode(String text) {
        byte[] b = text.getBytes(StandardCharsets.UTF_8);
        int[] ids = new int[b.length];
        for (int i = 0; i < b.length; i++) {
          ids[i] = (b[i] & 0xFF) + 2;
        }
        return ids;
      }

      @Override
      public String decode(int[] ids) {
        byte[] b = new byte[ids.length];
        for (int i = 0; i < ids.length; i++) {
          b[i] = (byte) (ids[i] - 2);
        }
        return new String(b, StandardCharsets.UTF_8);
      }

      @Override
      public int vocabSize() {
        return 258;
      }

      @Override
      public int eosId() {
        return 1;
      }
    };
    int[] ids = bytes.encode("aé b"); // a, 0xC3, 0xA9, ' ', b
    CalmGenerator.TextStream s = new CalmGenerator.TextStream(bytes);
    List<Integer> so = new ArrayList<>();
    so.add(ids[0]);
    so.add(ids[1]);
    assertEquals("a", s.next(so, false));
    so.add(ids[2]);
    so.add(ids[3]);
    assertEquals("é ", s.next(so, false));
    so.add(ids[4]);
    assertEquals("b", s.next(so, true));
    assertEquals("aé b", s.emitted());
  }
}
