package org.calmworkbench.app.cli.commands;

import java.util.List;
import org.calmworkbench.app.cli.CalmCli;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.CommandTree;
import org.calmworkbench.app.cli.UsageException;
import picocli.CommandLine.Parameters;
import picocli.CommandLine;

/** {@code calm help [COMMAND...]}: the command list, a group's subcommands, or one command's usage. */
public final class HelpCommand implements Command {
  @Parameters(arity = "0..*", paramLabel = "[COMMAND...]", description = "a command or group, e.g. ae train")
  List<String> words;

  @Override
  public String name() {
    return "help";
  }

  @Override
  public String summary() {
    return "list the commands, or show one command's usage (calm help ae train)";
  }

  @Override
  public int run(CliContext ctx) {
    CommandTree tree = ctx.tree();
    if (words == null || words.isEmpty()) {
      ctx.out().print(CalmCli.overview(tree, CalmCli.version()));
      ctx.put("version", CalmCli.version());
      ctx.put("commands", CalmCli.commandList(tree.commands()));
      return 0;
    }
    String asked = String.join(" ", words);
    CommandLine named = tree.find(words);
    if (named != null && named.getCommandSpec().qualifiedName(" ").equals("calm " + asked)) {
      if (named.getCommandSpec().userObject() instanceof Command exact) {
        String usage = CommandTree.usage(named);
        ctx.out().print(usage);
        ctx.put("command", exact.name());
        ctx.put("usage", usage);
      } else {
        ctx.out().print(CalmCli.groupText(tree, asked));
        ctx.put("commands", CalmCli.commandList(tree.group(asked)));
      }
      return 0;
    }
    tree.parse(words); // throws the "unknown command" message with suggestions
    throw new UsageException("no command named '" + asked + "'; run 'calm help' for the list");
  }
}
