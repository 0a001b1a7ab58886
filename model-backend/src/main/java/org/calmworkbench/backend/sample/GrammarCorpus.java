package org.calmworkbench.backend.sample;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.calmworkbench.backend.io.AtomicFiles;

/**
 * Simple English from a seeded probabilistic grammar: a corpus a CPU model learns in minutes and
 * whose regularities (subject-verb agreement, "a"/"an", word order, punctuation, quotes) a reader
 * can check by eye.
 *
 * <p>Each story has a cast of one to three named characters and one narrative tense (past or
 * present); it has one to three paragraphs of two to six sentences. Sentences are built from a
 * lexicon of about 600 word types: names, nouns of six kinds (people, animals, things, food, texts,
 * places) with plurals, adjectives that fit the noun's kind, verbs that pick subjects and objects of
 * fitting kinds, adverbs, prepositional phrases, time phrases, numbers in words and digits, clock
 * times, dialogue in quotes, questions and exclamations.
 *
 * <p>The output depends only on the seed: {@link java.util.Random}'s algorithm is fixed by its
 * specification, and the lexicon is iterated in declaration order.
 */
public final class GrammarCorpus {

  /** One generated story: its text (paragraphs separated by a blank line) and how many sentences it has. */
  public record Story(String text, int sentences, int paragraphs) {}

  /** What {@link #writeJsonl} wrote. */
  public record Written(int documents, int sentences, long chars, long bytes) {}

  private final Random random;

  public GrammarCorpus(long seed) {
    this.random = new Random(seed);
  }

  /** Stories with {@code totalSentences} sentences in all (the last story may be cut short). */
  public List<Story> stories(int totalSentences) {
    if (totalSentences < 1) {
      throw new IllegalArgumentException("totalSentences must be >= 1, got " + totalSentences);
    }
    List<Story> out = new ArrayList<>();
    int left = totalSentences;
    while (left > 0) {
      Story s = nextStory(left);
      out.add(s);
      left -= s.sentences();
    }
    return out;
  }

  /** The next story, with at most {@code maxSentences} sentences. */
  public Story nextStory(int maxSentences) {
    Narrator n = new Narrator();
    int paragraphs = 1 + random.nextInt(3);
    StringBuilder text = new StringBuilder();
    int count = 0;
    int written = 0;
    for (int p = 0; p < paragraphs && count < maxSentences; p++) {
      int inParagraph = 2 + random.nextInt(5);
      if (p > 0) {
        text.append("\n\n");
      }
      written++;
      for (int i = 0; i < inParagraph && count < maxSentences; i++) {
        boolean first = count == 0;
        boolean last = p == paragraphs - 1 && i == inParagraph - 1;
        String sentence = first ? n.opening() : last && chance(0.5) ? n.closing() : n.sentence();
        if (i > 0) {
          text.append(' ');
        }
        text.append(sentence);
        count++;
      }
    }
    return new Story(text.toString(), count, written);
  }

  /** One sentence of a fresh story (its opening is skipped), for tests and examples. */
  public String nextSentence() {
    return new Narrator().sentence();
  }

  /**
   * Writes {@code sentences} sentences of stories as JSONL, one {@code {"text": ...}} object per
   * story, atomically.
   */
  public static Written writeJsonl(Path file, long seed, int sentences) throws IOException {
    List<Story> stories = new GrammarCorpus(seed).stories(sentences);
    Gson gson = new GsonBuilder().disableHtmlEscaping().create(); // keeps ' and = readable
    long chars = 0;
    StringBuilder jsonl = new StringBuilder();
    for (Story s : stories) {
      jsonl.append(gson.toJson(Map.of("text", s.text()))).append('\n');
      chars += s.text().length();
    }
    byte[] utf8 = jsonl.toString().getBytes(StandardCharsets.UTF_8);
    AtomicFiles.writeBytes(file, utf8);
    return new Written(stories.size(), sentences, chars, utf8.length);
  }

  // ---------------------------------------------------------------------------------------------
  // Lexicon

  enum Kind { PERSON, ANIMAL, THING, FOOD, TEXT, PLACE }

  enum Tense { PAST, PRESENT, FUTURE }

  record Noun(String singular, String plural, Kind kind) {}

  /** A verb and what it takes: subject kinds, object nouns (empty: intransitive), and whether it moves ("to the park"). */
  record Verb(String base, String third, String past, Set<Kind> subjects, List<Noun> objects, boolean motion) {
    boolean transitive() {
      return !objects.isEmpty();
    }
  }

  record Name(String name, boolean female) {}

  record Place(Noun noun, List<String> prepositions) {}

  private static final List<Name> NAMES = new ArrayList<>();
  private static final List<Noun> NOUNS = new ArrayList<>();
  private static final List<Verb> VERBS = new ArrayList<>();
  private static final List<Place> PLACES = new ArrayList<>();

  static {
    for (String n : "Anna Clara Emma Grace Iris Kate Maya Olivia Rosa Tara Zoe Lily Nora Ella".split(" ")) {
      NAMES.add(new Name(n, true));
    }
    for (String n : "Ben David Felix Henry Jack Leo Noah Paul Sam Victor Tom Oscar Hugo Max".split(" ")) {
      NAMES.add(new Name(n, false));
    }
    nouns(Kind.PERSON, "teacher farmer doctor baker child/children man/men woman/women boy girl friend driver"
        + " painter king queen sailor student grandmother grandfather cook pilot nurse neighbor fisherman/fishermen");
    nouns(Kind.ANIMAL, "cat dog bird horse cow fox/foxes mouse/mice rabbit duck frog sheep/sheep goat bear owl"
        + " fish/fish pig lion monkey puppy/puppies kitten");
    nouns(Kind.THING, "ball box/boxes hat key cup chair lamp kite bag shoe clock bell boat bicycle umbrella"
        + " basket blanket candle drum ladder rope window door coin toy stone flower shell");
    nouns(Kind.FOOD, "apple banana carrot cookie egg orange pear pie potato/potatoes sandwich/sandwiches"
        + " tomato/tomatoes plum muffin lemon cake");
    nouns(Kind.TEXT, "book letter story/stories map poem note postcard newspaper");
    nouns(Kind.PLACE, "garden park market school river forest beach village library kitchen farm station"
        + " bridge hill lake house city shop field castle");
    places("garden:in,near,behind park:in,near market:at,near school:at,near,behind river:near,by"
        + " forest:in,near beach:on,near village:in,near library:in,at kitchen:in farm:on,near"
        + " station:at,near bridge:on,under,near hill:on,behind lake:near,by house:in,behind,near"
        + " city:in shop:in,at,near field:in,near castle:in,near,behind");

    Set<Kind> p = EnumSet.of(Kind.PERSON);
    Set<Kind> pa = EnumSet.of(Kind.PERSON, Kind.ANIMAL);
    Set<Kind> a = EnumSet.of(Kind.ANIMAL);
    // Intransitive.
    verbs(pa, "", false, "sleep/sleeps/slept wait rest play hide/hides/hid sit/sits/sat listen jump climb");
    verbs(p, "", false, "laugh smile dance cry/cries/cried shout sing/sings/sang whistle");
    verbs(pa, "", true, "run/runs/ran walk swim/swims/swam go/goes/went come/comes/came hurry/hurries/hurried");
    verbs(p, "", true, "drive/drives/drove travel");
    // Transitive: the object spec is kinds (upper case) and single nouns (lower case).
    verbs(pa, "PERSON ANIMAL THING FOOD PLACE", false, "see/sees/saw like love");
    verbs(pa, "THING FOOD TEXT ANIMAL", false, "find/finds/found");
    verbs(pa, "PERSON ANIMAL", false, "watch/watches/watched follow help");
    verbs(pa, "FOOD", false, "eat/eats/ate");
    verbs(a, "ANIMAL ball kite", false, "chase");
    verbs(p, "THING FOOD TEXT ANIMAL", false, "carry/carries/carried hold/holds/held bring/brings/brought");
    verbs(p, "box door window bag umbrella basket letter book", false, "open close");
    verbs(p, "TEXT", false, "read/reads/read");
    verbs(p, "letter story poem note postcard", false, "write/writes/wrote");
    verbs(p, "THING FOOD TEXT", false, "buy/buys/bought");
    verbs(p, "THING FOOD", false, "sell/sells/sold");
    verbs(p, "egg potato carrot tomato", false, "cook");
    verbs(p, "cake pie cookie muffin", false, "bake");
    verbs(p, "THING PLACE", false, "paint");
    verbs(p, "clock chair bicycle boat lamp door window ladder kite", false, "fix/fixes/fixed");
    verbs(p, "PLACE PERSON", false, "visit");
    verbs(p, "PERSON ANIMAL", false, "call");
    verbs(pa, "THING", false, "push/pushes/pushed pull");
    verbs(pa, "THING FOOD", false, "drop/drops/dropped");
    verbs(p, "THING TEXT", false, "lose/loses/lost");
    verbs(p, "THING FOOD ANIMAL", false, "wash/washes/washed");
    verbs(p, "PERSON ANIMAL THING FOOD PLACE", false, "draw/draws/drew");
    verbs(pa, "PERSON ANIMAL bell clock drum", false, "hear/hears/heard");
    verbs(pa, "ball fish mouse rabbit frog", false, "catch/catches/caught");
  }

  private static final List<Verb> PERSON_VERBS =
      VERBS.stream().filter(v -> v.subjects().contains(Kind.PERSON)).toList();
  private static final List<Verb> PERSON_TRANSITIVE_VERBS =
      PERSON_VERBS.stream().filter(Verb::transitive).toList();
  /** What can be bought with coins (not coins). */
  private static final List<Noun> SHOP_NOUNS = NOUNS.stream()
      .filter(n -> (n.kind() == Kind.FOOD || n.kind() == Kind.THING) && !n.singular().equals("coin")).toList();

  private static final List<String> ADJ_ANY = List.of("big", "small", "little", "beautiful", "strange");
  private static final List<String> ADJ_ANIMATE = List.of("young", "old", "happy", "sad", "tired", "hungry",
      "brave", "clever", "funny", "kind", "lazy", "sleepy", "curious", "proud", "friendly", "gentle", "busy",
      "quiet", "lucky");
  private static final List<String> ADJ_COLOR = List.of("red", "blue", "green", "yellow", "white", "black",
      "brown", "grey");
  private static final List<String> ADJ_OBJECT = List.of("new", "old", "shiny", "heavy", "soft", "round",
      "broken", "wet", "dry", "clean", "dirty", "tiny", "huge");
  private static final List<String> ADJ_FOOD = List.of("fresh", "sweet", "ripe", "warm", "juicy", "tiny",
      "huge", "red", "green", "yellow");
  private static final List<String> ADJ_TEXT = List.of("long", "short", "old", "new", "funny", "famous",
      "secret", "strange");
  private static final List<String> ADJ_PLACE = List.of("quiet", "busy", "dark", "bright", "warm", "cold",
      "old", "new", "famous", "empty", "clean", "sunny", "peaceful");

  private static final List<String> ADVERBS = List.of("quickly", "slowly", "quietly", "loudly", "happily",
      "sadly", "carefully", "gently", "suddenly", "softly", "bravely", "proudly", "calmly", "patiently",
      "eagerly", "politely", "again", "early", "today");

  private static final List<String> TIME_PAST = List.of("Yesterday", "Last night", "One morning",
      "One evening", "That afternoon", "After lunch", "After dinner", "Before breakfast", "On Monday",
      "On Tuesday", "On Friday", "In the summer", "In the winter", "Long ago", "Later that day");
  private static final List<String> TIME_PRESENT = List.of("Every morning", "Every day", "On Sundays",
      "In the evening", "At night", "After school", "In the spring", "On rainy days");
  private static final List<String> TIME_FUTURE = List.of("tomorrow", "next week", "soon", "tonight",
      "on Saturday", "after lunch", "in the morning");
  private static final List<String> CONNECTIVES = List.of("Then", "After that", "Later", "Soon", "Meanwhile",
      "At first", "In the end");

  private static final String[] NUMBER_WORDS = {"zero", "one", "two", "three", "four", "five", "six", "seven",
      "eight", "nine", "ten", "eleven", "twelve"};

  private static void nouns(Kind kind, String spec) {
    for (String w : spec.split(" ")) {
      String[] parts = w.split("/");
      NOUNS.add(new Noun(parts[0], parts.length > 1 ? parts[1] : regularPlural(parts[0]), kind));
    }
  }

  private static void places(String spec) {
    for (String w : spec.split(" ")) {
      String[] parts = w.split(":");
      PLACES.add(new Place(noun(parts[0]), List.of(parts[1].split(","))));
    }
  }

  private static void verbs(Set<Kind> subjects, String objectSpec, boolean motion, String spec) {
    List<Noun> objects = new ArrayList<>();
    for (String o : objectSpec.isEmpty() ? new String[0] : objectSpec.split(" ")) {
      if (Character.isUpperCase(o.charAt(0))) {
        Kind k = Kind.valueOf(o);
        NOUNS.stream().filter(n -> n.kind() == k).forEach(objects::add);
      } else {
        objects.add(noun(o));
      }
    }
    for (String w : spec.split(" ")) {
      String[] f = w.split("/");
      String base = f[0];
      VERBS.add(f.length == 3
          ? new Verb(base, f[1], f[2], subjects, objects, motion)
          : new Verb(base, regularThird(base), regularPast(base), subjects, objects, motion));
    }
  }

  private static Noun noun(String singular) {
    return NOUNS.stream().filter(n -> n.singular().equals(singular)).findFirst()
        .orElseThrow(() -> new IllegalStateException("no noun '" + singular + "' in the lexicon"));
  }

  static String regularPlural(String s) {
    return sibilant(s) ? s + "es" : consonantY(s) ? s.substring(0, s.length() - 1) + "ies" : s + "s";
  }

  static String regularThird(String s) {
    return regularPlural(s);
  }

  static String regularPast(String s) {
    return s.endsWith("e") ? s + "d" : consonantY(s) ? s.substring(0, s.length() - 1) + "ied" : s + "ed";
  }

  private static boolean sibilant(String s) {
    return s.endsWith("s") || s.endsWith("x") || s.endsWith("z") || s.endsWith("ch") || s.endsWith("sh");
  }

  private static boolean consonantY(String s) {
    return s.length() > 1 && s.endsWith("y") && "aeiou".indexOf(s.charAt(s.length() - 2)) < 0;
  }

  /** Every form of every verb that differs from its base form (third person and past), for tests of agreement. */
  static Set<String> inflectedVerbForms() {
    Set<String> out = new LinkedHashSet<>();
    for (Verb v : VERBS) {
      if (!v.third().equals(v.base())) {
        out.add(v.third());
      }
      if (!v.past().equals(v.base())) {
        out.add(v.past());
      }
    }
    return out;
  }

  /**
   * Base forms that are never right after "he" or "she" in a statement: the third person and the
   * past differ from them ("walk", but not "read", whose past is "read"). For tests of agreement.
   */
  static Set<String> baseForms() {
    Set<String> out = new LinkedHashSet<>();
    for (Verb v : VERBS) {
      if (!v.third().equals(v.base()) && !v.past().equals(v.base())) {
        out.add(v.base());
      }
    }
    return out;
  }

  // ---------------------------------------------------------------------------------------------
  // Generation

  private boolean chance(double p) {
    return random.nextDouble() < p;
  }

  private <T> T pick(List<T> items) {
    return items.get(random.nextInt(items.size()));
  }

  /** A noun phrase and what agreement it needs. */
  private record Phrase(String text, boolean plural, int person, Kind kind, Name name) {
    boolean thirdSingular() {
      return person == 3 && !plural;
    }
  }

  /** The state of one story: its cast, its tense, who was mentioned last (for he/she). */
  private final class Narrator {
    final List<Name> cast = new ArrayList<>();
    final Tense tense = chance(0.7) ? Tense.PAST : Tense.PRESENT;
    Name lastMentioned;

    Narrator() {
      int size = 1 + random.nextInt(3);
      while (cast.size() < size) {
        Name n = pick(NAMES);
        if (!cast.contains(n)) {
          cast.add(n);
        }
      }
    }

    String opening() {
      Name hero = cast.get(0);
      lastMentioned = hero;
      Noun who = pick(nounsOf(EnumSet.of(Kind.PERSON), true));
      String np = article(adjectives(who, 0.6) + who.singular());
      Place home = pick(PLACES);
      if (tense == Tense.PAST) {
        return chance(0.5)
            ? "Once upon a time, there was " + np + " named " + hero.name() + "."
            : hero.name() + " lived in a small house " + pick(List.of("near", "behind")) + " the "
                + home.noun().singular() + ".";
      }
      return chance(0.5)
          ? hero.name() + " is " + np + " who lives near the " + home.noun().singular() + "."
          : "This is a story about " + hero.name() + " and " + (hero.female() ? "her" : "his") + " "
              + pick(nounsOf(EnumSet.of(Kind.ANIMAL), true)).singular() + ".";
    }

    String closing() {
      Name hero = pick(cast);
      String be = tense == Tense.PAST ? "was" : "is";
      return switch (random.nextInt(4)) {
        case 0 -> "At the end of the day, " + hero.name() + " " + be + " very happy.";
        case 1 -> tense == Tense.PAST ? "That night, everyone slept well." : "At night, everyone sleeps well.";
        case 2 -> "It " + be + " a good day for " + hero.name() + ".";
        default -> "The end.";
      };
    }

    String sentence() {
      int r = random.nextInt(100);
      if (r < 22) {
        return capitalize(opener() + clause(false)) + ".";
      } else if (r < 36) {
        return capitalize(clause(false)) + ".";
      } else if (r < 46) {
        return capitalize(predicate()) + ".";
      } else if (r < 54) {
        return capitalize(thereIs()) + ".";
      } else if (r < 64) {
        return capitalize(clause(false) + ", " + pick(List.of("and", "but", "so")) + " " + clause(true)) + ".";
      } else if (r < 69) {
        return capitalize(clause(false) + " because " + predicate()) + ".";
      } else if (r < 74) {
        return "When " + clause(true) + ", " + clause(false) + ".";
      } else if (r < 88) {
        return dialogue();
      } else if (r < 93) {
        return capitalize(give()) + ".";
      } else {
        return capitalize(shopping()) + ".";
      }
    }

    private String opener() {
      return switch (random.nextInt(3)) {
        case 0 -> (tense == Tense.PAST ? pick(TIME_PAST) : pick(TIME_PRESENT)) + ", ";
        case 1 -> pick(CONNECTIVES) + ", ";
        default -> "At " + (1 + random.nextInt(12)) + " o'clock, ";
      };
    }

    /** Subject and verb phrase in the story's tense; {@code shortForm} avoids a trailing place phrase. */
    private String clause(boolean shortForm) {
      Verb v = pick(VERBS);
      Phrase s = subject(v.subjects());
      StringBuilder b = new StringBuilder(s.text()).append(' ');
      int mode = random.nextInt(100);
      if (mode < 10) {
        b.append(negated(v, s, tense));
      } else if (mode < 18) {
        b.append(modal(v, s));
      } else {
        b.append(inflect(v, s, tense));
      }
      if (v.transitive()) {
        b.append(' ').append(object(v).text());
      }
      if (chance(0.3)) {
        b.append(' ').append(pick(ADVERBS));
      }
      if (!shortForm && chance(0.5)) {
        b.append(' ').append(v.motion() ? "to the " + pick(PLACES).noun().singular() : place());
      }
      return b.toString();
    }

    private String predicate() {
      Phrase s = subject(EnumSet.allOf(Kind.class));
      if (s.kind() == Kind.PLACE || chance(0.7)) {
        String adj = pick(predicateAdjectives(s.kind()));
        return s.text() + " " + be(s, tense, chance(0.1)) + " " + (chance(0.2) ? "very " : "") + adj;
      }
      return s.text() + " " + be(s, tense, false) + " " + place();
    }

    private String thereIs() {
      Noun n = pick(nounsOf(EnumSet.of(Kind.ANIMAL, Kind.THING, Kind.FOOD, Kind.TEXT, Kind.PERSON), true));
      boolean plural = chance(0.6);
      String count = plural ? (chance(0.2) ? String.valueOf(13 + random.nextInt(87)) : number(2 + random.nextInt(11)))
          : null;
      String np = adjectives(n, 0.4) + (plural ? n.plural() : n.singular());
      String be = tense == Tense.PAST ? (plural ? "were" : "was") : (plural ? "are" : "is");
      return "there " + be + " " + (plural ? count + " " + np : article(np)) + " " + place();
    }

    private String give() {
      Name giver = pick(cast);
      lastMentioned = giver;
      Phrase to = chance(0.5) && cast.size() > 1 ? named(otherThan(giver)) : phrase(pick(nounsOf(EnumSet.of(Kind.PERSON, Kind.ANIMAL), true)), false);
      Phrase what = phrase(pick(nounsOf(EnumSet.of(Kind.THING, Kind.FOOD, Kind.TEXT), true)), false);
      Phrase g = named(giver);
      String verb = tense == Tense.PAST ? "gave" : "gives";
      return g.text() + " " + verb + " " + to.text() + " " + what.text();
    }

    private String shopping() {
      Name buyer = pick(cast);
      lastMentioned = buyer;
      Noun n = pick(SHOP_NOUNS);
      int count = 2 + random.nextInt(10);
      int coins = 1 + random.nextInt(20);
      String verb = tense == Tense.PAST ? "bought" : "buys";
      String things = (chance(0.5) ? String.valueOf(count) : number(count)) + " " + n.plural();
      return buyer.name() + " " + verb + " " + things + " for " + coins + (coins == 1 ? " coin" : " coins")
          + " at the market";
    }

    /** A quoted sentence in the present or future with "I", "we", "you", then who said it. */
    private String dialogue() {
      Name speaker = pick(cast);
      boolean past = tense == Tense.PAST;
      int r = random.nextInt(100);
      String quote;
      String end;
      String saidVerb;
      if (r < 45) {
        Tense t = chance(0.7) ? Tense.PRESENT : Tense.FUTURE;
        Verb v = pick(PERSON_VERBS);
        Phrase s = pick(List.of(
            new Phrase("I", false, 1, Kind.PERSON, null),
            new Phrase("we", true, 1, Kind.PERSON, null),
            new Phrase("you", false, 2, Kind.PERSON, null)));
        String vp = chance(0.15) ? negated(v, s, t) : inflect(v, s, t);
        quote = s.text() + " " + vp + (v.transitive() ? " " + object(v).text() : "")
            + (t == Tense.FUTURE && chance(0.5) ? " " + pick(TIME_FUTURE) : "");
        end = ",";
        saidVerb = past ? pick(List.of("said", "said", "whispered", "replied")) : pick(List.of("says", "says", "whispers"));
      } else if (r < 75) {
        quote = question();
        end = "?";
        saidVerb = past ? "asked" : "asks";
      } else {
        Noun n = pick(NOUNS);
        quote = chance(0.5)
            ? "what " + article(adjectives(n, 1.0) + n.singular())
            : "look at the " + adjectives(n, 0.8) + (chance(0.3) ? n.plural() : n.singular());
        end = "!";
        saidVerb = past ? pick(List.of("shouted", "cried", "said")) : pick(List.of("shouts", "says"));
      }
      if (quote.contains(speaker.name())) {
        speaker = otherThan(speaker); // nobody asks "Is Noah clever?" about themself
      }
      lastMentioned = speaker;
      return "\"" + capitalize(quote) + end + "\" " + saidVerb + " " + speaker.name() + ".";
    }

    private String question() {
      return switch (random.nextInt(3)) {
        case 0 -> {
          Verb v = pick(PERSON_TRANSITIVE_VERBS);
          Phrase s = chance(0.6) ? new Phrase("you", false, 2, Kind.PERSON, null) : subject(v.subjects());
          yield (s.thirdSingular() ? "does" : "do") + " " + s.text() + " " + v.base() + " " + object(v).text();
        }
        case 1 -> {
          Noun n = pick(nounsOf(EnumSet.of(Kind.THING, Kind.ANIMAL, Kind.TEXT, Kind.FOOD), true));
          boolean plural = chance(0.3);
          yield "where " + (plural ? "are" : "is") + " " + pick(List.of("the", "my", "your", "our")) + " "
              + (plural ? n.plural() : n.singular());
        }
        default -> {
          Phrase s = subject(EnumSet.of(Kind.PERSON, Kind.ANIMAL));
          yield (s.thirdSingular() ? "is" : "are") + " " + s.text() + " " + pick(predicateAdjectives(s.kind()));
        }
      };
    }

    private String modal(Verb v, Phrase s) {
      if (tense == Tense.PAST) {
        return pick(List.of("wanted to ", "could ", "had to ")) + v.base();
      }
      return pick(List.of(s.thirdSingular() ? "wants to " : "want to ", "can ",
          s.thirdSingular() ? "has to " : "have to ")) + v.base();
    }

    // -- phrases -------------------------------------------------------------------------------

    private Phrase subject(Set<Kind> kinds) {
      int r = random.nextInt(100);
      if (kinds.contains(Kind.PERSON)) {
        if (r < 15 && lastMentioned != null) {
          return new Phrase(lastMentioned.female() ? "she" : "he", false, 3, Kind.PERSON, lastMentioned);
        }
        if (r < 45) {
          Name n = pick(cast);
          lastMentioned = n;
          return named(n);
        }
      }
      return phrase(pick(nounsOf(kinds, false)), true);
    }

    private Phrase object(Verb v) {
      boolean people = v.objects().stream().anyMatch(n -> n.kind() == Kind.PERSON);
      if (people && chance(0.3)) {
        Name n = pick(cast);
        if (n != lastMentioned) {
          return named(n);
        }
      }
      return phrase(pick(v.objects()), false);
    }

    private Phrase named(Name n) {
      return new Phrase(n.name(), false, 3, Kind.PERSON, n);
    }

    private Name otherThan(Name n) {
      List<Name> others = cast.stream().filter(x -> x != n).toList();
      return others.isEmpty() ? n : pick(others);
    }

    /** Determiner, adjectives and noun, singular or plural. */
    private Phrase phrase(Noun n, boolean asSubject) {
      boolean plural = n.kind() != Kind.PLACE && chance(0.3);
      String body = adjectives(n, 0.45) + (plural ? n.plural() : n.singular());
      int r = random.nextInt(100);
      String text;
      if (!plural) {
        if (r < 45) {
          text = "the " + body;
        } else if (r < 72 && n.kind() != Kind.PLACE) {
          text = article(body);
        } else if (r < 82) {
          text = possessive() + " " + body;
        } else if (r < 93) {
          text = pick(List.of("this", "that")) + " " + body;
        } else {
          text = (asSubject ? "every" : "the") + " " + body;
        }
      } else {
        if (r < 40) {
          text = "the " + body;
        } else if (r < 55) {
          text = "some " + body;
        } else if (r < 72) {
          text = number(2 + random.nextInt(11)) + " " + body;
        } else if (r < 76 && !asSubject) { // a sentence does not start with digits
          text = (13 + random.nextInt(40)) + " " + body;
        } else if (r < 84) {
          text = pick(List.of("these", "those", "many")) + " " + body;
        } else if (r < 94) {
          text = possessive() + " " + body;
        } else {
          text = body;
        }
      }
      return new Phrase(text, plural, 3, n.kind(), null);
    }

    private String possessive() {
      if (chance(0.5)) {
        Name n = pick(cast);
        return n.name() + "'s";
      }
      return pick(List.of("my", "his", "her", "our", "their"));
    }

    /** Zero to two adjectives that fit the noun, each followed by a space; {@code p} is the chance of the first. */
    private String adjectives(Noun n, double p) {
      if (!chance(p)) {
        return "";
      }
      List<String> fit = attributiveAdjectives(n.kind());
      String first = pick(fit);
      if (chance(0.2)) {
        String second = pick(fit);
        if (!second.equals(first)) {
          // English puts colour next to the noun: "big brown rabbit", not "brown big rabbit".
          return ADJ_COLOR.contains(first) ? second + " " + first + " " : first + " " + second + " ";
        }
      }
      return first + " ";
    }

    private String place() {
      Place p = pick(PLACES);
      return pick(p.prepositions()) + " the " + p.noun().singular();
    }
  }

  /** Nouns of the given kinds (places excluded when {@code countableOnly}); memoised, the lexicon is fixed. */
  private static List<Noun> nounsOf(Set<Kind> kinds, boolean countableOnly) {
    return NOUN_LISTS.computeIfAbsent(kinds + "/" + countableOnly, k -> NOUNS.stream()
        .filter(n -> kinds.contains(n.kind()) && (!countableOnly || n.kind() != Kind.PLACE)).toList());
  }

  private static final Map<String, List<Noun>> NOUN_LISTS = new ConcurrentHashMap<>();

  private static List<String> attributiveAdjectives(Kind kind) {
    return ATTRIBUTIVE.get(kind);
  }

  private static final Map<Kind, List<String>> ATTRIBUTIVE = new EnumMap<>(Kind.class);

  static {
    for (Kind k : Kind.values()) {
      ATTRIBUTIVE.put(k, computeAttributive(k));
    }
  }

  private static List<String> computeAttributive(Kind kind) {
    List<String> out = new ArrayList<>(ADJ_ANY);
    switch (kind) {
      case PERSON -> out.addAll(ADJ_ANIMATE);
      case ANIMAL -> {
        out.addAll(ADJ_ANIMATE);
        out.addAll(ADJ_COLOR);
      }
      case THING -> {
        out.addAll(ADJ_OBJECT);
        out.addAll(ADJ_COLOR);
      }
      case FOOD -> out.addAll(ADJ_FOOD);
      case TEXT -> out.addAll(ADJ_TEXT);
      case PLACE -> out.addAll(ADJ_PLACE);
    }
    return List.copyOf(out);
  }

  private static List<String> predicateAdjectives(Kind kind) {
    return switch (kind) {
      case PERSON, ANIMAL -> List.of("happy", "sad", "tired", "hungry", "brave", "clever", "sleepy", "curious",
          "proud", "busy", "quiet", "lucky", "kind", "friendly");
      case THING -> List.of("heavy", "shiny", "broken", "wet", "dry", "clean", "dirty", "new", "old", "big", "small");
      case FOOD -> List.of("fresh", "sweet", "ripe", "warm", "juicy", "delicious");
      case TEXT -> List.of("long", "short", "funny", "strange", "old", "new", "exciting");
      case PLACE -> List.of("quiet", "busy", "dark", "bright", "warm", "cold", "beautiful", "empty", "peaceful");
    };
  }

  private static String inflect(Verb v, Phrase s, Tense t) {
    return switch (t) {
      case PAST -> v.past();
      case PRESENT -> s.thirdSingular() ? v.third() : v.base();
      case FUTURE -> "will " + v.base();
    };
  }

  private static String negated(Verb v, Phrase s, Tense t) {
    return switch (t) {
      case PAST -> "did not " + v.base();
      case PRESENT -> (s.thirdSingular() ? "does not " : "do not ") + v.base();
      case FUTURE -> "will not " + v.base();
    };
  }

  private static String be(Phrase s, Tense t, boolean negated) {
    String not = negated ? " not" : "";
    return switch (t) {
      case PAST -> (s.plural() || s.person() == 2 ? "were" : "was") + not;
      case PRESENT -> (s.person() == 1 && !s.plural() ? "am" : s.thirdSingular() ? "is" : "are") + not;
      case FUTURE -> "will" + not + " be";
    };
  }

  private static String number(int n) {
    return NUMBER_WORDS[n];
  }

  /** "a"/"an" by the first letter of the phrase (the lexicon has no "u" words said with a "y" sound). */
  private static String article(String phrase) {
    return ("aeiou".indexOf(phrase.charAt(0)) >= 0 ? "an " : "a ") + phrase;
  }

  private static String capitalize(String s) {
    return s.isEmpty() ? s : Character.toUpperCase(s.charAt(0)) + s.substring(1);
  }
}
