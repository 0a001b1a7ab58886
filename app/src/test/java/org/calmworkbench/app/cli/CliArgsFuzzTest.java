package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assertions.fail;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.stream.Stream;
import org.calmworkbench.backend.Cancellation;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import picocli.CommandLine;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.Model.PositionalParamSpec;

/**
 * CLI argument fuzzing (issue 13, goal 1): malformed command lines for every command of the real
 * tree ({@link CalmCli#tree()}, so a new command is covered without a change here). Each must end
 * with exit 2 and one line {@code error: ...} on stderr naming the option, argument or file at
 * fault: never exit 0, never a stack trace or an "internal error" (exit 1 is only for a file system
 * that refuses a write, docs/CLI.md).
 *
 * <ul>
 *   <li>Parse errors, generated from each command's options: an unknown option, a missing value,
 *       numbers that are no number or overflow, a path with a NUL byte, a flag given a value, a
 *       stray argument, an option name that is not valid UTF-8. These are checked to fail in the
 *       parser, so no command runs.
 *   <li>Files, generated from each command's path options: a file that does not exist, a
 *       directory where a file is expected, a file where a folder is expected, an empty string.
 *       Here the command runs (its other required options get plausible values); the heavy commands
 *       (gui, demo, bench) are left to the parse errors.
 *   <li>Numbers out of range (negative, zero where a count is meant), from a short table of
 *       otherwise valid command lines on the sample project's runs.
 * </ul>
 */
class CliArgsFuzzTest {
  static final Path SAMPLE = Path.of("..", "sample-projects", "grammar-english").toAbsolutePath().normalize();
  static final Path SAMPLE_AE = SAMPLE.resolve("runs/sample-autoencoder");
  static final Path SAMPLE_CALM = SAMPLE.resolve("runs/sample-calm");
  static final Path SAMPLE_AR = SAMPLE.resolve("runs/sample-ar");
  /** Commands that open a window or run a long benchmark with their defaults: parse errors only. */
  static final List<String> HEAVY = List.of("gui", "demo", "bench ");
  /**
   * Where 0 means something: no noise, no worst examples shown, no step limit (a time limit
   * instead) and no time limit.
   */
  static final List<String> ZERO_ALLOWED = List.of("--noise", "--worst", "--steps", "--time-limit");
  /** Longest a refused command line may take (a command that starts working has accepted it). */
  static final long TIMEOUT_SECONDS = 30;

  @TempDir
  static Path tmp;
  static ExecutorService executor;

  @BeforeAll
  static void start() {
    executor = Executors.newSingleThreadExecutor(r -> {
      Thread t = new Thread(r, "cli-fuzz");
      t.setDaemon(true);
      return t;
    });
  }

  /** Command lines tried, for the record in docs/RELIABILITY.md (printed at the end). */
  static final java.util.concurrent.atomic.AtomicInteger tried = new java.util.concurrent.atomic.AtomicInteger();

  @AfterAll
  static void stop() {
    executor.shutdownNow();
    System.out.println("CliArgsFuzzTest: " + tried.get() + " malformed command lines over " + CalmCli.commands().size()
        + " commands");
  }

  /** Every runnable command of the real tree, by name. */
  static Stream<String> commands() {
    return CalmCli.commands().stream().map(Command::name);
  }

  static CommandLine leaf(String name) {
    CommandTree tree = CalmCli.tree();
    CommandLine c = tree.find(List.of(name.split(" ")));
    assertTrue(c != null && c.getCommandSpec().userObject() instanceof Command, name);
    return c;
  }

  /** A malformed command line and what its error line must contain (one of {@code anyOf} when given). */
  record Case(List<String> args, String needle, List<String> anyOf) {
    Case(List<String> args, String needle) {
      this(args, needle, spellings(needle));
    }

    @Override
    public String toString() {
      return "calm " + String.join(" ", args.stream().map(a -> a.isEmpty() || a.contains(" ") ? "'" + a + "'" : a).toList());
    }
  }

  record Outcome(int code, String out, String err) {}

  // -- parse errors ---------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void malformedOptionsAreRefusedByTheParserWithOneLineNamingThem(String name) {
    CommandLine c = leaf(name);
    List<String> words = List.of(name.split(" "));
    List<Case> cases = new ArrayList<>();
    cases.add(line(words, "--no-such-option", "--no-such-option"));
    cases.add(line(words, "--no-such-option=1", "--no-such-option"));
    cases.add(line(words, "-q", "-q"));
    cases.add(line(words, "--\uFFFD\uD800", "--\uFFFD")); // bytes that are not UTF-8 arrive as U+FFFD or a lone surrogate
    for (OptionSpec o : ownOptions(c)) {
      String opt = o.longestName();
      if (o.arity().max() == 0) {
        cases.add(line(words, opt + "=maybe", opt));
        continue;
      }
      cases.add(line(words, opt, opt)); // the value missing at the end of the line
      Class<?> type = o.type();
      if (isInteger(type)) {
        for (String v : List.of("abc", "", "1.5", "1e3", "0x10", "99999999999999999999", "-99999999999999999999",
            "\uFFFD")) {
          cases.add(line(words, opt, v, opt));
        }
      } else if (isReal(type)) {
        for (String v : List.of("abc", "", "NaN", "Infinity", "-Infinity", "1e999", "--", "\uFFFD")) {
          cases.add(line(words, opt, v, opt));
        }
      } else if (type == Path.class || isPathList(o)) {
        cases.add(line(words, opt, "bad\u0000path", opt));
      }
    }
    int most = c.getCommandSpec().positionalParameters().stream().mapToInt(p -> p.arity().max()).sum();
    if (most < 10) { // a stray argument past the last one the command takes (its required ones given)
      List<String> args = withRequired(c, name, null, null);
      if (!args.contains("--")) {
        args.add("--");
      }
      args.add("stray");
      cases.add(new Case(args, "stray"));
    }
    List<String> failures = new ArrayList<>();
    CommandTree tree = CalmCli.tree(); // one for all cases: each parse starts from the defaults (CliArgsTest)
    for (Case k : cases) {
      try {
        tree.parse(k.args());
        failures.add(k + ": accepted by the parser");
        continue;
      } catch (UsageException expected) {
        // refused before any command runs; now the whole CLI path
      } catch (RuntimeException e) {
        failures.add(k + ": the parser threw " + e);
        continue;
      }
      check(k, run(k.args(), tree), failures, false);
    }
    assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " cases:\n" + String.join("\n", failures));
  }

  @Test
  void aMalformedLineWithJsonPrintsOneJsonErrorOnStdout() {
    Outcome o = run(List.of("generate", "--json", "--max-tokens", "lots"));
    assertEquals(2, o.code(), o.err());
    JsonObject j = JsonParser.parseString(o.out().strip()).getAsJsonObject();
    assertEquals(2, j.get("exit_code").getAsInt());
    assertTrue(j.get("error").getAsString().contains("--max-tokens"), o.out());
    assertEquals(1, o.out().strip().lines().count(), o.out());
  }

  // -- files --------------------------------------------------------------------------------------

  @ParameterizedTest(name = "{0}")
  @MethodSource("commands")
  void missingAndWrongKindsOfFilesAreRefusedWithOneLineNamingThem(String name) throws Exception {
    if (HEAVY.stream().anyMatch(name::startsWith)) {
      return;
    }
    CommandLine c = leaf(name);
    List<ArgSpec> paths = new ArrayList<>();
    for (OptionSpec o : ownOptions(c)) {
      if (o.type() == Path.class || isPathList(o)) {
        paths.add(o);
      }
    }
    for (PositionalParamSpec p : c.getCommandSpec().positionalParameters()) {
      if (p.type() == Path.class) {
        paths.add(p);
      }
    }
    Path dir = Files.createTempDirectory(tmp, name.replace(' ', '-'));
    Path emptyDir = Files.createDirectories(dir.resolve("an-empty-folder"));
    Path aFile = Files.writeString(dir.resolve("a-file.txt"), "not what was asked for\n");
    List<Case> cases = new ArrayList<>();
    for (ArgSpec p : paths) {
      boolean output = p instanceof OptionSpec o && o.longestName().equals("--out");
      List<String> hostile = new ArrayList<>();
      if (output) {
        hostile.add(aFile.toString()); // a file where the output folder goes
      } else {
        hostile.add(dir.resolve("does-not-exist").toString());
        hostile.add(wantsFolder(p) ? aFile.toString() : emptyDir.toString());
      }
      hostile.add("");
      for (String bad : hostile) {
        cases.add(new Case(withRequired(c, name, p, bad), bad.isEmpty() ? label(p) : bad));
      }
    }
    List<String> failures = new ArrayList<>();
    for (Case k : cases) {
      // The first fault found may be another argument's (a required one given a missing path): the
      // line must name one of the paths given, or an option.
      List<String> named = new ArrayList<>(k.args().stream().filter(a -> a.startsWith("/")).toList());
      named.add("--");
      check(new Case(k.args(), k.needle(), named), run(k.args()), failures, k.needle().equals(aFile.toString()));
    }
    assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " cases:\n" + String.join("\n", failures));
  }

  // -- numbers out of range -----------------------------------------------------------------------

  /** Otherwise valid, quick command lines on the sample runs; each numeric option but the seed gets bad values. */
  static Stream<List<String>> validLines() {
    Path tok = SAMPLE_AE.resolve("tokenizer.json");
    return Stream.of(
        List.of("generate", "--checkpoint", SAMPLE_CALM.toString(), "--prompt", "The", "--max-tokens", "2"),
        List.of("generate", "--checkpoint", SAMPLE_AR.toString(), "--prompt", "The", "--max-tokens", "2"),
        List.of("tokenizer", "encode", "--tokenizer", tok.toString(), "--text", "The cat"),
        List.of("sampler-check", "--probs", "0.5,0.5", "--temperature", "1", "--method", "exact", "--draws", "10"),
        List.of("ae", "decode", "--checkpoint", SAMPLE_AE.toString(), "--input", "LATENTS"),
        List.of("eval", "--checkpoint", SAMPLE_CALM.toString(), "--positions", "4", "--project", SAMPLE.toString()),
        List.of("lm", "levels", "--checkpoint", SAMPLE_CALM.toString(), "--windows", "2", "--samples", "2",
            "--project", SAMPLE.toString()),
        List.of("ae", "eval", "--checkpoint", SAMPLE_AE.toString(), "--max-patches", "8", "--project", SAMPLE.toString()),
        List.of("sample", "generate", "--out", "NEW", "--sentences", "5"),
        List.of("ae", "train", "--corpus", SAMPLE.resolve("corpus/train.jsonl").toString(), "--tokenizer", tok.toString(),
            "--preset", "tiny", "--out", "NEW", "--steps", "1", "--eval-every", "1000", "--time-limit", "60"),
        List.of("experiment", "run", SAMPLE.resolve("../experiments/inputs.json").normalize().toString(), "--out", "NEW",
            "--jobs", "1"));
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("validLines")
  void numbersOutOfRangeAreRefusedNamingTheOption(List<String> valid) throws Exception {
    Path dir = Files.createTempDirectory(tmp, "numbers");
    List<String> base = new ArrayList<>();
    for (String a : valid) {
      base.add(a.equals("LATENTS") ? latents(dir).toString() : a);
    }
    CommandLine c = CalmCli.tree().find(base);
    List<Case> cases = new ArrayList<>();
    for (OptionSpec o : ownOptions(c)) {
      String opt = o.longestName();
      if (opt.equals("--seed") || !(isInteger(o.type()) || isReal(o.type()) || opt.equals("--jobs"))) {
        continue;
      }
      List<String> values = new ArrayList<>(List.of("-1", "-2147483648"));
      if (!ZERO_ALLOWED.contains(opt)) {
        values.add("0");
      }
      for (String v : values) {
        List<String> args = replacing(base, opt, v);
        args.replaceAll(a -> a.equals("NEW") ? dir.resolve("new-" + cases.size()).toString() : a);
        cases.add(new Case(args, opt));
      }
    }
    assertTrue(!cases.isEmpty(), "no numeric option in " + base);
    List<String> failures = new ArrayList<>();
    for (Case k : cases) {
      check(k, run(k.args()), failures, false);
    }
    assertTrue(failures.isEmpty(), failures.size() + " of " + cases.size() + " cases:\n" + String.join("\n", failures));
  }

  // -- helpers --------------------------------------------------------------------------------------

  /**
   * Adds to {@code failures} what is wrong with an outcome: not exit 2 (or 1 for an output that
   * cannot be written, when {@code storageAllowed}), not exactly one {@code error:} line containing
   * the needle, a stack trace, an internal error.
   */
  static void check(Case k, Outcome o, List<String> failures, boolean storageAllowed) {
    tried.incrementAndGet();
    String err = o.err().strip();
    List<String> errorLines = err.lines().filter(l -> l.startsWith("error") || l.startsWith("internal error")).toList();
    String last = err.isEmpty() ? "" : err.substring(err.lastIndexOf('\n') + 1);
    String why = null;
    if (o.code() == 0) {
      why = "accepted (exit 0)";
    } else if (o.code() == -1) {
      why = "still running after " + TIMEOUT_SECONDS + " s: accepted";
    } else if (o.code() != 2 && !(o.code() == 1 && storageAllowed)) {
      why = "exit " + o.code();
    } else if (err.contains("\tat ") || err.contains("Exception") || err.contains("internal error")) {
      why = "a stack trace or an internal error";
    } else if (errorLines.size() != 1 || !last.startsWith("error: ")) {
      why = "not one 'error:' line at the end";
    } else if (k.anyOf().stream().noneMatch(last::contains)) {
      why = "the error does not name '" + k.needle() + "'";
    }
    if (why != null) {
      failures.add(k + ": " + why + ": " + (err.isEmpty() ? "(no stderr)" : err.replace("\n", " | ")));
    }
  }

  /** Runs a command line in this JVM; code -1 when it ran past the time limit (then it is cancelled). */
  static Outcome run(List<String> args) {
    return run(args, CalmCli.tree());
  }

  static Outcome run(List<String> args, CommandTree tree) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    Cancellation cancellation = new Cancellation();
    Future<Integer> f = executor.submit(() -> CalmCli.run(args.toArray(String[]::new),
        new PrintStream(out, true, StandardCharsets.UTF_8), new PrintStream(err, true, StandardCharsets.UTF_8),
        tree, cancellation, false, () -> {}));
    int code;
    try {
      code = f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    } catch (TimeoutException e) {
      cancellation.cancel("the fuzz test's time limit");
      try {
        f.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      } catch (Exception ignored) {
        // it ran too long either way
      }
      code = -1;
    } catch (InterruptedException | ExecutionException e) {
      throw new AssertionError(args + " threw out of CalmCli.run", e);
    }
    return new Outcome(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  /** An option as a message may name it: {@code --max-tokens}, {@code max-tokens}, {@code max tokens}. */
  static List<String> spellings(String needle) {
    if (!needle.startsWith("--") || needle.length() < 3) {
      return List.of(needle);
    }
    String bare = needle.substring(2);
    return List.of(needle, bare, bare.replace('-', ' '));
  }

  static Case line(List<String> words, String... tail) {
    List<String> args = new ArrayList<>(words);
    args.addAll(List.of(tail).subList(0, tail.length - 1));
    return new Case(args, tail[tail.length - 1]);
  }

  /** The options a command declares (the global ones are shared, covered once through every command). */
  static List<OptionSpec> ownOptions(CommandLine c) {
    List<String> global = List.of("--json", "--verbose", "--help", "--device");
    return c.getCommandSpec().options().stream().filter(o -> !global.contains(o.longestName())).toList();
  }

  static boolean isInteger(Class<?> t) {
    return t == Integer.class || t == int.class || t == Long.class || t == long.class;
  }

  static boolean isReal(Class<?> t) {
    return t == Double.class || t == double.class;
  }

  static boolean isPathList(OptionSpec o) {
    return o.isMultiValue() && o.auxiliaryTypes().length > 0 && o.auxiliaryTypes()[0] == Path.class;
  }

  /** A DIR argument (a run, a project): given a file, it must say so. Anything else is a file or either. */
  static boolean wantsFolder(ArgSpec p) {
    return p.paramLabel().equals("DIR");
  }

  static String label(ArgSpec p) {
    return p instanceof OptionSpec o ? o.longestName() : p.paramLabel();
  }

  /**
   * {@code name}'s words, {@code bad} for {@code target}, and a plausible value for each other
   * required option and argument (a path that does not exist for a path, so it fails on its own).
   */
  static List<String> withRequired(CommandLine c, String name, ArgSpec target, String bad) {
    List<String> args = new ArrayList<>(List.of(name.split(" ")));
    List<String> positional = new ArrayList<>();
    for (PositionalParamSpec p : c.getCommandSpec().positionalParameters()) {
      positional.add(p == target ? bad : p.type() == Path.class ? tmp.resolve("missing.json").toString() : "bash");
    }
    for (OptionSpec o : ownOptions(c)) {
      if (o == target) {
        args.addAll(List.of(o.longestName(), bad));
      } else if (o.required()) {
        args.add(o.longestName());
        args.add(o.type() == Path.class ? tmp.resolve("missing-" + o.longestName().substring(2)).toString()
            : plausible(o.longestName()));
      }
    }
    if (!positional.isEmpty()) {
      args.add("--");
      args.addAll(positional);
    }
    return args;
  }

  static String plausible(String option) {
    return switch (option) {
      case "--temperature" -> "1";
      case "--draws" -> "10";
      case "--method" -> "exact";
      case "--probs" -> "0.5,0.5";
      case "--ids" -> "1,2";
      case "--cells" -> "k1";
      default -> "The cat";
    };
  }

  static List<String> replacing(List<String> base, String option, String value) {
    List<String> args = new ArrayList<>(base);
    int i = args.indexOf(option);
    if (i >= 0) {
      args.set(i + 1, value);
    } else {
      args.add(option);
      args.add(value);
    }
    return args;
  }

  /** An input for 'ae decode': the latents of one patch of the sample autoencoder. */
  static Path latents(Path dir) throws Exception {
    Outcome o = run(List.of("ae", "encode", "--checkpoint", SAMPLE_AE.toString(), "--text", "The cat", "--json"));
    if (o.code() != 0) {
      fail("ae encode failed: " + o.err());
    }
    return Files.writeString(dir.resolve("latents.json"), o.out());
  }
}
