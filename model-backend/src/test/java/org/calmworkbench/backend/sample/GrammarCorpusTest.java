package org.calmworkbench.backend.sample;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GrammarCorpusTest {

  private static String text(long seed, int sentences) {
    return new GrammarCorpus(seed).stories(sentences).stream()
        .map(GrammarCorpus.Story::text).collect(Collectors.joining("\n\n"));
  }

  private static List<String> words(String text) {
    Matcher m = Pattern.compile("[A-Za-z]+").matcher(text);
    List<String> out = new java.util.ArrayList<>();
    while (m.find()) {
      out.add(m.group().toLowerCase(Locale.ROOT));
    }
    return out;
  }

  @Test
  void sameSeedGivesTheSameText() {
    assertEquals(text(42, 2000), text(42, 2000));
  }

  @Test
  void differentSeedsGiveDifferentText() {
    assertNotEquals(text(42, 2000), text(43, 2000));
  }

  @Test
  void storiesHoldExactlyTheRequestedNumberOfSentences() {
    for (int n : new int[] {1, 7, 1234}) {
      List<GrammarCorpus.Story> stories = new GrammarCorpus(5).stories(n);
      assertEquals(n, stories.stream().mapToInt(GrammarCorpus.Story::sentences).sum());
      assertTrue(stories.stream().allMatch(s -> s.sentences() >= 1 && s.paragraphs() >= 1));
    }
  }

  @Test
  void everySentenceStartsWithACapitalAndEndsWithPunctuation() {
    GrammarCorpus g = new GrammarCorpus(7);
    for (int i = 0; i < 3000; i++) {
      String s = g.nextSentence();
      char last = s.charAt(s.length() - 1);
      assertTrue(last == '.' || last == '!' || last == '?', "no end punctuation: " + s);
      String start = s.startsWith("\"") ? s.substring(1) : s;
      assertTrue(Character.isUpperCase(start.charAt(0)), "no capital: " + s);
      assertFalse(s.contains("  "), "double space: " + s);
    }
  }

  @Test
  void everyParagraphEndsWithPunctuation() {
    for (GrammarCorpus.Story story : new GrammarCorpus(11).stories(3000)) {
      String[] paragraphs = story.text().split("\n\n");
      assertEquals(story.paragraphs(), paragraphs.length);
      for (String p : paragraphs) {
        assertTrue(p.matches("(?s).*[.!?]"), "paragraph without end punctuation: " + p);
      }
    }
  }

  @Test
  void vocabularyHasAFewHundredWordTypes() {
    Set<String> types = new HashSet<>(words(text(42, 20000)));
    assertTrue(types.size() >= 400 && types.size() <= 900, "word types: " + types.size());
  }

  @Test
  void articleMatchesTheNextWord() {
    String t = text(3, 20000);
    assertFalse(Pattern.compile("\\b[Aa] [aeiou]").matcher(t).find(), "'a' before a vowel");
    assertFalse(Pattern.compile("\\b[Aa]n [^aeiou]").matcher(t).find(), "'an' before a consonant");
  }

  @Test
  void auxiliariesAndPronounsAgreeWithTheVerb() {
    Set<String> inflected = GrammarCorpus.inflectedVerbForms();
    assertTrue(inflected.contains("ran") && inflected.contains("carries"), "lexicon forms: " + inflected);
    Set<String> bases = GrammarCorpus.baseForms();
    List<String> w = words(text(9, 20000));
    Set<String> auxiliaries = Set.of("did", "does", "do", "will", "can", "could", "to");
    for (int i = 0; i + 2 < w.size(); i++) {
      String next = w.get(i + 1).equals("not") ? w.get(i + 2) : w.get(i + 1);
      if (auxiliaries.contains(w.get(i))) {
        assertFalse(inflected.contains(next), "'" + w.get(i) + " " + next + "' near word " + i);
      }
      boolean question = i > 0 && auxiliaries.contains(w.get(i - 1)); // "does she like"
      if ((w.get(i).equals("he") || w.get(i).equals("she")) && !question) {
        assertFalse(bases.contains(w.get(i + 1)), "'" + w.get(i) + " " + w.get(i + 1) + "' near word " + i);
      }
    }
  }

  @Test
  void writesOneJsonObjectPerStory(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("corpus/train.jsonl");
    GrammarCorpus.Written w = GrammarCorpus.writeJsonl(file, 42, 500);
    List<String> lines = Files.readAllLines(file);
    assertEquals(w.documents(), lines.size());
    assertEquals(500, w.sentences());
    assertEquals(Files.size(file), w.bytes());
    long chars = 0;
    for (String line : lines) {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      assertEquals(Set.of("text"), o.keySet());
      chars += o.get("text").getAsString().length();
    }
    assertEquals(w.chars(), chars);
    assertEquals(text(42, 500), lines.stream()
        .map(l -> JsonParser.parseString(l).getAsJsonObject().get("text").getAsString())
        .collect(Collectors.joining("\n\n")));
  }
}
