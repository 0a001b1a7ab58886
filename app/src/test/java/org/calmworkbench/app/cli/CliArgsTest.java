package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/** How {@link CommandTree} (picocli underneath) reads a command's options, and the messages for bad ones. */
class CliArgsTest {

  /** A command shaped like "ae train": every kind of option, one optional positional. */
  static final class Train implements Command {
    @Option(names = "--corpus", arity = "1..*", paramLabel = "FILE", description = "corpus files")
    List<Path> corpus;
    @Option(names = "--steps", paramLabel = "N", description = "steps")
    Integer steps = 1000;
    @Option(names = "--lr", paramLabel = "X", description = "learning rate")
    Double lr;
    @Option(names = "--out", paramLabel = "DIR", description = "run folder")
    String out;
    @Option(names = "--set", arity = "1..*", paramLabel = "KEY=VALUE", description = "overrides")
    List<String> set;
    @Option(names = "--seed", paramLabel = "N", description = "seed")
    Long seed;
    @Option(names = "--resume", description = "continue")
    boolean resume;
    @Parameters(arity = "0..1", paramLabel = "[NOTE]", description = "a note")
    String note;

    @Override
    public String name() {
      return "ae train";
    }

    @Override
    public String summary() {
      return "train";
    }

    @Override
    public int run(CliContext ctx) {
      return 0;
    }
  }

  /** A command with a required option and no plain arguments. */
  static final class Needs implements Command {
    @Option(names = "--out", paramLabel = "DIR", required = true, description = "where")
    String out;

    @Override
    public String name() {
      return "x";
    }

    @Override
    public String summary() {
      return "x";
    }

    @Override
    public int run(CliContext ctx) {
      return 0;
    }
  }

  private static Train parse(String... tokens) {
    List<String> line = new ArrayList<>(List.of("ae", "train"));
    line.addAll(List.of(tokens));
    return (Train) new CommandTree(List.of(new Train())).parse(line).command();
  }

  private static String error(String... tokens) {
    return assertThrows(UsageException.class, () -> parse(tokens)).getMessage();
  }

  private static String needsError(String... tokens) {
    List<String> line = new ArrayList<>(List.of("x"));
    line.addAll(List.of(tokens));
    return assertThrows(UsageException.class, () -> new CommandTree(List.of(new Needs())).parse(line)).getMessage();
  }

  @Test
  void listOptionTakesValuesUntilTheNextOption() {
    Train a = parse("--corpus", "a.txt", "b.jsonl", "dir/", "--steps", "5");
    assertEquals(List.of(Path.of("a.txt"), Path.of("b.jsonl"), Path.of("dir/")), a.corpus);
    assertEquals(5, a.steps);
  }

  /** "@FILE" is not an argument file (picocli's default): "@/" was an internal error (found by Jazzer). */
  @Test
  void anArgumentBeginningWithAtIsAnOrdinaryValue(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
    Path args = java.nio.file.Files.writeString(dir.resolve("more.txt"), "--steps 99\n");
    Train a = parse("--corpus", "@" + args, "@/");
    assertEquals(List.of(Path.of("@" + args), Path.of("@/")), a.corpus, "taken as they are, the file not read");
    assertEquals(1000, a.steps, "the default: the file's --steps 99 was not read");
    assertEquals("@" + args, parse("@" + args).note, "a positional value as it is");
  }

  @Test
  void repeatedListOptionAddsUp() {
    Train a = parse("--set", "lr=0.1", "--steps=3", "--set", "batch=8", "warmup=2", "--set=lr=0.2");
    assertEquals(List.of("lr=0.1", "batch=8", "warmup=2", "lr=0.2"), a.set);
    assertEquals(3, a.steps);
  }

  @Test
  void equalsSyntaxCanCarryAValueThatLooksLikeAnOption() {
    Train a = parse("--out=--weird", "--lr=-0.5");
    assertEquals("--weird", a.out);
    assertEquals(-0.5, a.lr);
  }

  @Test
  void flagsAreTrueOnlyWhenGiven() {
    assertTrue(parse("--resume").resume);
    assertFalse(parse().resume);
    assertTrue(error("--resume=yes").contains("--resume"), error("--resume=yes"));
  }

  @Test
  void absentOptionFallsBackToItsDefault() {
    Train a = parse();
    assertEquals(1000, a.steps);
    assertNull(a.lr);
    assertNull(a.corpus);
  }

  @Test
  void eachParseStartsFromTheDefaults() {
    Train t = new Train();
    CommandTree tree = new CommandTree(List.of(t));
    tree.parse(List.of("ae", "train", "--steps", "7", "--resume"));
    assertEquals(7, t.steps);
    tree.parse(List.of("ae", "train"));
    assertEquals(1000, t.steps);
    assertFalse(t.resume);
  }

  @Test
  void badNumberNamesTheOptionAndTheValue() {
    assertEquals("--steps expects an integer, got 'abc'", error("--steps", "abc"));
    assertEquals("--steps expects an integer, got '1.5'", error("--steps", "1.5"));
    assertEquals("--steps expects an integer, got '99999999999'", error("--steps", "99999999999"));
    assertEquals("--seed expects an integer, got 'x'", error("--seed", "x"));
    assertEquals("--lr expects a number, got 'fast'", error("--lr", "fast"));
    assertEquals("--lr expects a number, got 'NaN'", error("--lr", "NaN"));
    assertEquals("--steps must be at least 1, got 0",
        assertThrows(UsageException.class, () -> Ranges.check("steps", parse("--steps", "0").steps, 1, Integer.MAX_VALUE))
            .getMessage());
    assertEquals("--steps must be between 1 and 9, got 10",
        assertThrows(UsageException.class, () -> Ranges.check("steps", 10, 1, 9)).getMessage());
    assertNull(Ranges.check("steps", null, 1, 9), "an absent option is not checked");
  }

  @Test
  void pathsThatCannotNameAFileAreRefusedByTheParser() {
    assertEquals("--corpus expects a path, got ''", error("--corpus", ""));
    String undecoded = error("--corpus", "/no/such/corpus-\uFFFD\uFFFD.txt"); // argv bytes FF FE, as the JVM hands them over
    assertTrue(undecoded.startsWith("--corpus expects a path, got '/no/such/corpus-"), undecoded);
    assertTrue(undecoded.contains("not valid") && undecoded.contains("rename it"), undecoded);
  }

  @Test
  void underscoresInIntegersAreAllowed() {
    assertEquals(30000, parse("--steps", "30_000").steps);
    assertEquals(1_820_000_000L, parse("--seed", "1_820_000_000").seed);
  }

  @Test
  void unknownOptionIsNamedWithTheValidOnes() {
    String m = error("--stpes", "5");
    assertTrue(m.startsWith("unknown option --stpes for 'ae train' (did you mean --steps?)"), m);
    assertTrue(m.contains("valid options: --corpus, --steps, --lr, --out, --set, --seed, --resume"), m);
    assertTrue(m.contains("--json"), m);
    assertTrue(error("--stpes=5").startsWith("unknown option --stpes for 'ae train' (did you mean --steps?)"));
    String far = error("--zzzzzz");
    assertFalse(far.contains("did you mean"), far);
    assertTrue(error("-x").startsWith("unknown option '-x' (options start with --)"), error("-x"));
  }

  @Test
  void anUnknownOptionIsReportedBeforeAMissingRequiredOne() {
    assertTrue(needsError("--ot", "d").startsWith("unknown option --ot for 'x' (did you mean --out?)"), needsError("--ot", "d"));
  }

  @Test
  void missingValueAndRepeatedValueAreErrors() {
    assertEquals("--steps expects a value: --steps N", error("--steps"));
    assertEquals("--steps expects a value: --steps N", error("--steps", "--resume"));
    assertEquals("--corpus expects at least one value: --corpus FILE...", error("--corpus", "--steps", "3"));
    assertEquals("--steps given more than once", error("--steps", "1", "--steps", "2"));
  }

  @Test
  void positionalsAreCountedAndDoubleDashEndsOptions() {
    assertEquals("hello", parse("hello", "--resume").note);
    assertEquals("--resume", parse("--", "--resume").note);
    assertEquals("-3", parse("-3").note);
    assertTrue(error("a", "b").startsWith("too many arguments: 'b'"), error("a", "b"));
  }

  @Test
  void requiredOptionMustBeGiven() {
    assertEquals("missing required option --out DIR", needsError());
    assertEquals("unexpected argument 'stray' ('x' takes only --options)", needsError("--out", "d", "stray"));
  }

  @Test
  void usageListsOptionsWithDefaultsAndGlobals() {
    CommandTree tree = new CommandTree(List.of(new Train(), new Needs()));
    String u = CommandTree.usage(tree.find(List.of("ae", "train")));
    assertTrue(u.startsWith("usage: calm ae train [options] [NOTE]\n"), u);
    assertTrue(u.contains("--steps=N"), u);
    assertTrue(u.contains("Default: 1000"), u);
    assertTrue(u.contains("--corpus=FILE..."), u);
    assertTrue(u.contains("--verbose"), u);
    assertFalse(u.contains("* required"), "no option of 'ae train' is required:\n" + u);
    String needs = CommandTree.usage(tree.find(List.of("x")));
    assertTrue(needs.contains("* required"), needs);
  }

  @Test
  void nearestNameToleratesAThirdOfTheLettersEdited() {
    assertEquals("version", CommandTree.nearest("verison", List.of("convert", "version", "help")).orElseThrow());
    assertEquals("help", CommandTree.nearest("hlep", List.of("sample", "help")).orElseThrow());
    assertTrue(CommandTree.nearest("xyz", List.of("help", "demo")).isEmpty());
    assertEquals(1, CommandTree.editDistance("stpes", "steps"));
    assertEquals(3, CommandTree.editDistance("kitten", "sitting"));
  }
}
