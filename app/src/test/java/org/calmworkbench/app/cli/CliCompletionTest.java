package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.calmworkbench.backend.Cancellation;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine;

/** {@code calm completion bash|zsh} and the typo suggestions for the real commands. */
class CliCompletionTest {

  private record Result(int code, String out, String err) {}

  private static Result calm(String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = CalmCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), CalmCli.tree(), new Cancellation(), false, () -> {});
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  @Test
  void bashCompletionListsEveryCommandWordAndEveryOptionOfItsCommand() {
    Result r = calm("completion", "bash");
    assertEquals(0, r.code(), r.err());
    String script = r.out();
    assertTrue(script.contains("complete -F _complete_calm") || script.contains("-F _complete_calm"), "no complete line");
    for (Command c : CalmCli.commands()) {
      for (String word : c.name().split(" ")) {
        assertTrue(script.contains(word), "completion lacks the command word '" + word + "'");
      }
    }
    // every option of 'ae train' and 'lm train', read from the commands themselves, is offered
    CommandTree tree = CalmCli.tree();
    for (List<String> words : List.of(List.of("ae", "train"), List.of("lm", "train"), List.of("experiment", "run"))) {
      CommandLine command = tree.find(words);
      String function = "_picocli_calm_" + String.join("_", words);
      int start = script.indexOf("function " + function + "()");
      assertTrue(start >= 0, "no completion function for " + words);
      String body = script.substring(start, script.indexOf("\n}", start));
      for (OptionSpec o : command.getCommandSpec().options()) {
        assertTrue(body.contains(o.longestName()), words + " completion lacks " + o.longestName() + ":\n" + body);
      }
    }
    assertTrue(script.contains("--steps") && script.contains("--vocab-size") && script.contains("--head"), "known options");
  }

  @Test
  void zshCompletionIsTheBashScriptRunThroughBashcompinit() {
    Result zsh = calm("completion", "zsh");
    assertEquals(0, zsh.code(), zsh.err());
    assertTrue(zsh.out().contains("bashcompinit"), zsh.out());
    assertTrue(zsh.out().endsWith(calm("completion", "bash").out()), "the zsh script runs the bash one");
  }

  @Test
  void completionForAnotherShellOrNoShellIsBadInput() {
    Result fish = calm("completion", "fish");
    assertEquals(2, fish.code());
    assertTrue(fish.err().startsWith("error: completion is for bash or zsh, got 'fish'"), fish.err());
    Result none = calm("completion");
    assertEquals(2, none.code());
    assertTrue(none.err().startsWith("error: missing argument: calm completion bash|zsh"), none.err());
  }

  @Test
  void completionJsonCarriesTheScript() {
    Result r = calm("completion", "bash", "--json");
    JsonObject o = JsonParser.parseString(r.out()).getAsJsonObject();
    assertEquals("bash", o.get("shell").getAsString());
    assertTrue(o.get("script").getAsString().contains("_complete_calm"));
  }

  @Test
  void aMisspelledCommandOrOptionSuggestsTheRealOne() {
    Result command = calm("verison");
    assertEquals(2, command.code());
    assertEquals("error: unknown command 'verison' (did you mean 'version'?); run 'calm help' for the list\n", command.err());
    Result sub = calm("tokenizer", "encdoe");
    assertEquals(2, sub.code());
    assertTrue(sub.err().startsWith("error: unknown command 'tokenizer encdoe'; one of: tokenizer train, tokenizer encode"),
        sub.err());
    Result option = calm("ae", "train", "--vocab-szie", "300", "--corpus", "x.txt", "--out", "o");
    assertEquals(2, option.code());
    assertTrue(option.err().startsWith("error: unknown option --vocab-szie for 'ae train' (did you mean --vocab-size?)"),
        option.err());
    assertTrue(option.err().endsWith("(see 'calm ae train --help')\n"), option.err());
  }
}
