package org.calmworkbench.app.cli;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.calmworkbench.backend.CalmException;
import picocli.CommandLine;

/**
 * Coverage-guided fuzzing of the command-line parser with Jazzer (issue 13, goal 1, "the CLI
 * arguments"): a command line made of the real tree's words (every command word, every option name,
 * awkward values) and arbitrary strings goes through what {@link CalmCli#run} does before a command
 * runs: the command words split, the command found, the options parsed and converted (numbers, paths,
 * ranges). It must parse, or be refused by a {@code CalmException} ({@code UsageException}) with a
 * one-line message; anything else is a finding. Commands are not run (the CLI-argument mutation
 * test {@code CliArgsFuzzTest} runs them on missing files and out-of-range numbers).
 *
 * <p>Without {@code JAZZER_FUZZ} (every {@code mvn verify}) it runs its inputs directory,
 * {@code src/test/resources/org/calmworkbench/app/cli/CliArgsCoverageFuzzTestInputs/commandLines/},
 * as regression tests; {@code scripts/fuzz-coverage.sh SECONDS cliArgs} fuzzes it.
 */
class CliArgsCoverageFuzzTest {
  /** One tree for all inputs: each parse starts from the defaults ({@code CliArgsTest}). */
  private static final CommandTree TREE = CalmCli.tree();
  private static final List<String> WORDS = words(TREE);

  @FuzzTest
  void commandLines(FuzzedDataProvider data) {
    int n = data.consumeInt(0, 12);
    List<String> args = new ArrayList<>();
    for (int i = 0; i < n && data.remainingBytes() > 0; i++) {
      args.add(data.consumeBoolean() ? WORDS.get(data.consumeInt(0, WORDS.size() - 1)) : data.consumeString(32));
    }
    try {
      List<String> rest = TREE.splitCommandWords(args);
      TREE.find(rest);
      TREE.parse(rest);
    } catch (CalmException e) {
      String m = e.getMessage();
      if (m == null || m.isBlank() || m.contains("\n")) {
        throw new AssertionError("refused without a one-line message: " + args + " -> " + m, e);
      }
    }
  }

  /** Every command word and option name of the tree, and values that have broken parsers before. */
  private static List<String> words(CommandTree tree) {
    Set<String> out = new LinkedHashSet<>();
    collect(tree.root(), out);
    out.addAll(List.of("--json", "--verbose", "--help", "-h", "--", "-", "", " ", "0", "-1", "1.5", "1e3", "1e309",
        "NaN", "-Infinity", "0x10", "99999999999999999999", "abc", "a b", "/", "/nonexistent", ".", "..", "\0", "\uFFFD",
        "\uD800", "key=value", "lr=5", "--set", "="));
    return List.copyOf(out);
  }

  private static void collect(CommandLine c, Set<String> out) {
    out.add(c.getCommandName());
    for (CommandLine.Model.OptionSpec o : c.getCommandSpec().options()) {
      out.addAll(List.of(o.names()));
    }
    c.getSubcommands().values().forEach(s -> collect(s, out));
  }
}
