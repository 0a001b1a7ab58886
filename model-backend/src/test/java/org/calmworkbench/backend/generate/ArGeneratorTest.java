package org.calmworkbench.backend.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.model.ArConfig;
import org.calmworkbench.backend.model.ArModel;
import org.calmworkbench.backend.model.BackboneConfig;
import org.calmworkbench.backend.sampling.LogitSampler;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** AR generation: greedy determinism, seeded sampling, end-of-text, streaming events and bad options. */
class ArGeneratorTest {
  static final String ALPHABET = "abcdefghijklmnopqrstuvwxyz .,!?ABCDEFGH"; // ids 1..39; id 0 is end-of-text
  static NDManager manager;
  static ArModel model;

  /** One character per token; id 0 (or the given id) is end-of-text. */
  record CharTokenizer(int eos) implements Tokenizer {
    @Override
    public int[] encode(String text) {
      return text.chars().map(c -> ALPHABET.indexOf(c) + 1).toArray();
    }

    @Override
    public String decode(int[] ids) {
      StringBuilder sb = new StringBuilder();
      for (int id : ids) {
        sb.append(id >= 1 && id <= ALPHABET.length() ? ALPHABET.charAt(id - 1) : '#');
      }
      return sb.toString();
    }

    @Override
    public int vocabSize() {
      return ALPHABET.length() + 1;
    }

    @Override
    public int eosId() {
      return eos;
    }
  }

  static final CharTokenizer TOKENIZER = new CharTokenizer(0);

  @BeforeAll
  static void build() {
    manager = NDManager.newBaseManager();
    Engine.getInstance().setRandomSeed(3);
    model = new ArModel(new ArConfig(new BackboneConfig(TOKENIZER.vocabSize(), 32, 64, 2, 4, 1e-6, 10000.0)));
    model.initializeParameters(manager);
    // Larger weights than the N(0, 0.02^2) init, so the next-token distributions are far from
    // uniform and the greedy choice is never a near tie.
    for (var p : model.namedParameters().values()) {
      NDArray w = p.getArray();
      w.muli(w.getManager().create(p.getShape().dimension() >= 2 ? 15f : 1f));
    }
  }

  @AfterAll
  static void close() {
    if (manager != null) {
      manager.close();
    }
  }

  static ArGenerator.Result run(ArGenerator.Options o, Tokenizer tokenizer, List<ArGenerator.TokenEvent> events) {
    return ArGenerator.run(model, tokenizer, o, manager, events::add, () -> false);
  }

  /** Greedy decoding without a cache: the full forward pass over everything so far, each step. */
  static int[] greedyByFullForward(int[] prompt, int n) {
    List<Integer> seq = new ArrayList<>();
    for (int id : prompt) {
      seq.add(id);
    }
    int[] out = new int[n];
    for (int i = 0; i < n; i++) {
      try (NDManager m = manager.newSubManager()) {
        long[] ids = seq.stream().mapToLong(Integer::longValue).toArray();
        float[] last = model.forward(m.create(ids, new Shape(1, ids.length))).get("0, -1").toFloatArray();
        out[i] = LogitSampler.argmax(last, 0, last.length);
        seq.add(out[i]);
      }
    }
    return out;
  }

  @Test
  void greedyIsDeterministicAndEqualsDecodingWithoutACache() {
    ArGenerator.Options o = ArGenerator.Options.of("hello ").withMaxTokens(24).withGreedy(true);
    CharTokenizer noEos = new CharTokenizer(-1);
    ArGenerator.Result a = run(o.withSeed(1), noEos, new ArrayList<>());
    ArGenerator.Result b = run(o.withSeed(2), noEos, new ArrayList<>());
    assertArrayEquals(a.tokens(), b.tokens());
    assertEquals(24, a.tokens().length);
    assertArrayEquals(greedyByFullForward(noEos.encode("hello "), 24), a.tokens());
  }

  @Test
  void batchedSamplesAreTheTextsOfSeparateRunsWithSeedPlusRow() {
    ArGenerator.Options o = ArGenerator.Options.of("abc").withMaxTokens(30).withTemperature(0.7).withSeed(11);
    List<ArGenerator.Result> batched = ArGenerator.runSamples(model, TOKENIZER, o, 5, manager, (row, e) -> {},
        () -> false, true);
    java.util.Set<String> distinct = new java.util.HashSet<>();
    for (int s = 0; s < 5; s++) {
      ArGenerator.Result alone = run(o.withSeed(11 + s), TOKENIZER, new ArrayList<>());
      assertArrayEquals(alone.tokens(), batched.get(s).tokens(), "sample " + s);
      assertEquals(alone.text(), batched.get(s).text(), "sample " + s);
      assertEquals(alone.stopReason(), batched.get(s).stopReason(), "sample " + s);
      distinct.add(batched.get(s).text());
    }
    assertTrue(distinct.size() > 1, "different seeds give different samples: " + distinct);
  }

  @Test
  void sampledTextIsReproducibleFromTheSeed() {
    ArGenerator.Options o = ArGenerator.Options.of("the ").withMaxTokens(30).withTemperature(0.9);
    CharTokenizer noEos = new CharTokenizer(-1);
    ArGenerator.Result a = run(o.withSeed(42), noEos, new ArrayList<>());
    ArGenerator.Result b = run(o.withSeed(42), noEos, new ArrayList<>());
    ArGenerator.Result c = run(o.withSeed(43), noEos, new ArrayList<>());
    assertArrayEquals(a.tokens(), b.tokens());
    assertEquals(a.text(), b.text());
    assertNotEquals(a.text(), c.text());
  }

  @Test
  void eventsStreamEveryTokenAndConcatenateToTheText() {
    List<ArGenerator.TokenEvent> events = new ArrayList<>();
    ArGenerator.Result r = run(ArGenerator.Options.of("ab").withMaxTokens(12).withSeed(7), new CharTokenizer(-1), events);
    assertEquals(12, events.size());
    assertEquals(12, r.steps());
    assertEquals("max_tokens", r.stopReason());
    StringBuilder text = new StringBuilder();
    for (int i = 0; i < events.size(); i++) {
      ArGenerator.TokenEvent e = events.get(i);
      assertEquals(i, e.step());
      assertEquals(r.tokens()[i], e.token());
      assertTrue(e.probability() > 0 && e.probability() <= 1, "probability " + e.probability());
      text.append(e.text());
    }
    assertEquals(r.text(), text.toString());
    assertEquals(TOKENIZER.decode(r.tokens()), r.text());
    assertEquals(2, r.promptTokens());
    assertTrue(r.tokensPerSecond() > 0);
  }

  @Test
  void theEndOfTextTokenStopsGenerationAndIsNotPartOfTheText() {
    ArGenerator.Options o = ArGenerator.Options.of("hello ").withMaxTokens(24).withGreedy(true);
    int[] free = run(o, new CharTokenizer(-1), new ArrayList<>()).tokens();
    int stopAt = 0; // the first position whose token did not occur before it
    for (int i = 1; i < free.length && stopAt == 0; i++) {
      final int t = free[i];
      if (java.util.Arrays.stream(free, 0, i).noneMatch(x -> x == t)) {
        stopAt = i;
      }
    }
    assertTrue(stopAt > 0, "greedy output repeats one token only: " + java.util.Arrays.toString(free));
    List<ArGenerator.TokenEvent> events = new ArrayList<>();
    ArGenerator.Result r = run(o, new CharTokenizer(free[stopAt]), events);
    assertEquals("end_of_text", r.stopReason());
    assertArrayEquals(java.util.Arrays.copyOf(free, stopAt), r.tokens());
    assertEquals(stopAt + 1, r.steps());
    assertTrue(events.get(events.size() - 1).endOfText());
  }

  @Test
  void anEmptyPromptStartsFromTheEndOfTextToken() {
    ArGenerator.Result r = run(ArGenerator.Options.of("").withMaxTokens(5).withGreedy(true), TOKENIZER,
        new ArrayList<>());
    assertEquals(1, r.promptTokens());
    CalmException e = assertThrows(CalmException.class,
        () -> run(ArGenerator.Options.of("").withMaxTokens(5), new CharTokenizer(-1), new ArrayList<>()));
    assertTrue(e.getMessage().contains("empty"), e.getMessage());
  }

  @Test
  void aStopRequestEndsGenerationAfterTheCurrentToken() {
    int[] polls = {0};
    ArGenerator.Result r = ArGenerator.run(model, new CharTokenizer(-1), ArGenerator.Options.of("a").withMaxTokens(50),
        manager, e -> {}, () -> ++polls[0] >= 3);
    assertEquals("stopped", r.stopReason());
    assertEquals(3, r.steps());
  }

  @ParameterizedTest(name = "temperature {0} is refused")
  @ValueSource(doubles = {0.0, -0.5, 1.5, Double.NaN})
  void temperatureOutsideZeroToOneIsRefused(double t) {
    ArGenerator.Options o = ArGenerator.Options.of("a").withTemperature(t);
    CalmException e = assertThrows(CalmException.class, () -> run(o, TOKENIZER, new ArrayList<>()));
    assertTrue(e.getMessage().contains("temperature"), e.getMessage());
    assertThrows(CalmException.class, () -> run(o.withGreedy(true), TOKENIZER, new ArrayList<>()));
  }

  @Test
  void zeroMaxTokensIsRefused() {
    CalmException e = assertThrows(CalmException.class,
        () -> run(ArGenerator.Options.of("a").withMaxTokens(0), TOKENIZER, new ArrayList<>()));
    assertTrue(e.getMessage().contains("max tokens"), e.getMessage());
  }
}
