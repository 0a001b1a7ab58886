package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class CliArgsTest {

  /** A command shaped like "ae train": every kind of option, one optional positional. */
  static final Command TRAIN =
      new Command() {
        @Override
        public String name() {
          return "ae train";
        }

        @Override
        public String summary() {
          return "train";
        }

        @Override
        public List<Option> options() {
          return List.of(
              Option.list("corpus", "FILE", "corpus files"),
              Option.value("steps", "N", "steps").withDefault(1000),
              Option.value("lr", "X", "learning rate"),
              Option.value("out", "DIR", "run folder"),
              Option.list("set", "KEY=VALUE", "overrides"),
              Option.flag("resume", "continue"));
        }

        @Override
        public Positionals positionals() {
          return new Positionals("[NOTE]", 0, 1);
        }

        @Override
        public int run(Args args, CliContext ctx) {
          return 0;
        }
      };

  private static Args parse(String... tokens) {
    return Args.parse(TRAIN, List.of(tokens));
  }

  private static String error(String... tokens) {
    return assertThrows(UsageException.class, () -> parse(tokens)).getMessage();
  }

  @Test
  void listOptionTakesValuesUntilTheNextOption() {
    Args a = parse("--corpus", "a.txt", "b.jsonl", "dir/", "--steps", "5");
    assertEquals(List.of("a.txt", "b.jsonl", "dir/"), a.list("corpus"));
    assertEquals(List.of(Path.of("a.txt"), Path.of("b.jsonl"), Path.of("dir/")), a.paths("corpus"));
    assertEquals(5, a.integer("steps"));
  }

  @Test
  void repeatedListOptionAddsUp() {
    Args a = parse("--set", "lr=0.1", "--steps=3", "--set", "batch=8", "warmup=2", "--set=lr=0.2");
    assertEquals(Map.of("lr", "0.2", "batch", "8", "warmup", "2"), a.keyValues("set"));
    assertEquals(List.of("lr=0.1", "batch=8", "warmup=2", "lr=0.2"), a.list("set"));
  }

  @Test
  void keyValueWithoutEqualsIsAnError() {
    UsageException e = assertThrows(UsageException.class, () -> parse("--set", "lr").keyValues("set"));
    assertEquals("--set expects KEY=VALUE, got 'lr'", e.getMessage());
  }

  @Test
  void equalsSyntaxCanCarryAValueThatLooksLikeAnOption() {
    Args a = parse("--out=--weird", "--lr=-0.5");
    assertEquals("--weird", a.string("out"));
    assertEquals(-0.5, a.number("lr"));
  }

  @Test
  void flagsAreTrueWhenGivenAndCanBeSetExplicitly() {
    assertTrue(parse("--resume").flag("resume"));
    assertFalse(parse().flag("resume"));
    assertFalse(parse("--resume=false").flag("resume"));
    assertTrue(parse("--json").flag("json"));
    assertTrue(error("--resume=yes").contains("--resume is a flag"));
  }

  @Test
  void absentOptionFallsBackToItsDefault() {
    Args a = parse();
    assertEquals(1000, a.integer("steps"));
    assertFalse(a.has("steps"));
    assertTrue(a.optional("lr").isEmpty());
    assertEquals(List.of(), a.list("corpus"));
    assertEquals("missing option --lr X", assertThrows(UsageException.class, () -> a.number("lr")).getMessage());
  }

  @Test
  void badIntegerNamesTheOptionAndTheValue() {
    assertEquals("--steps expects an integer, got 'abc'",
        assertThrows(UsageException.class, () -> parse("--steps", "abc").integer("steps")).getMessage());
    assertEquals("--steps expects an integer, got '1.5'",
        assertThrows(UsageException.class, () -> parse("--steps", "1.5").integer("steps")).getMessage());
    assertEquals("--steps expects an integer, got '99999999999'",
        assertThrows(UsageException.class, () -> parse("--steps", "99999999999").integer("steps")).getMessage());
    assertEquals("--lr expects a number, got 'fast'",
        assertThrows(UsageException.class, () -> parse("--lr", "fast").number("lr")).getMessage());
    assertEquals("--steps must be at least 1, got 0",
        assertThrows(UsageException.class, () -> parse("--steps", "0").integer("steps", 1, Integer.MAX_VALUE))
            .getMessage());
  }

  @Test
  void underscoresInIntegersAreAllowed() {
    assertEquals(30000, parse("--steps", "30_000").integer("steps"));
  }

  @Test
  void unknownOptionIsNamedWithTheValidOnes() {
    String m = error("--stpes", "5");
    assertTrue(m.startsWith("unknown option --stpes for 'ae train' (did you mean --steps?)"), m);
    assertTrue(m.contains("valid options: --corpus, --steps, --lr, --out, --set, --resume"), m);
    assertTrue(m.contains("--json"), m);
    String far = error("--zzzzzz");
    assertFalse(far.contains("did you mean"), far);
    assertTrue(error("-x").startsWith("unknown option '-x' (options start with --)"));
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
    assertEquals(List.of("hello"), parse("hello", "--resume").positionals());
    assertEquals(List.of("--resume"), parse("--", "--resume").positionals());
    assertEquals(List.of("-3"), parse("-3").positionals());
    assertTrue(error("a", "b").startsWith("too many arguments: 'b'"));
  }

  @Test
  void requiredOptionMustBeGiven() {
    Command c = new Command() {
      @Override
      public String name() {
        return "x";
      }

      @Override
      public String summary() {
        return "x";
      }

      @Override
      public List<Option> options() {
        return List.of(Option.value("out", "DIR", "where").required());
      }

      @Override
      public int run(Args args, CliContext ctx) {
        return 0;
      }
    };
    assertEquals("missing required option --out DIR",
        assertThrows(UsageException.class, () -> Args.parse(c, List.of())).getMessage());
    assertEquals("unexpected argument 'stray' ('x' takes only --options)",
        assertThrows(UsageException.class, () -> Args.parse(c, List.of("--out", "d", "stray"))).getMessage());
  }

  @Test
  void askingForAnUndeclaredOptionIsAProgrammingError() {
    assertThrows(IllegalArgumentException.class, () -> parse().string("nope"));
    assertThrows(IllegalArgumentException.class, () -> parse().flag("steps"));
  }

  @Test
  void usageListsOptionsWithDefaultsAndGlobals() {
    String u = TRAIN.usage();
    assertTrue(u.startsWith("usage: calm ae train [options] [NOTE]\n"), u);
    assertTrue(u.contains("--steps N"), u);
    assertTrue(u.contains("(default: 1000)"), u);
    assertTrue(u.contains("--corpus FILE..."), u);
    assertTrue(u.contains("global options:"), u);
    assertTrue(u.contains("--verbose"), u);
  }
}
