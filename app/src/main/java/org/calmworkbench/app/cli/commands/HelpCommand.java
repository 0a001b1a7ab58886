package org.calmworkbench.app.cli.commands;

import com.google.gson.JsonArray;
import java.util.List;
import org.calmworkbench.app.cli.Args;
import org.calmworkbench.app.cli.CalmCli;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.CommandRegistry;
import org.calmworkbench.app.cli.Positionals;
import org.calmworkbench.app.cli.Usage;
import org.calmworkbench.app.cli.UsageException;

/** {@code calm help [COMMAND...]}: the command list, a group's subcommands, or one command's usage. */
public final class HelpCommand implements Command {
  @Override
  public String name() {
    return "help";
  }

  @Override
  public String summary() {
    return "list the commands, or show one command's usage (calm help ae train)";
  }

  @Override
  public Positionals positionals() {
    return new Positionals("[COMMAND...]", 0, Integer.MAX_VALUE);
  }

  @Override
  public int run(Args args, CliContext ctx) {
    CommandRegistry registry = ctx.registry();
    List<String> words = args.positionals();
    if (words.isEmpty()) {
      ctx.out().print(Usage.overview(registry, CalmCli.version()));
      ctx.put("version", CalmCli.version());
      ctx.put("commands", CalmCli.commandList(registry.commands()));
      return 0;
    }
    String asked = String.join(" ", words);
    List<Command> group = registry.group(asked);
    Command exact = registry.commands().stream().filter(c -> c.name().equals(asked)).findFirst().orElse(null);
    if (exact != null) {
      ctx.out().print(exact.usage());
      ctx.put("command", exact.name());
      ctx.put("usage", exact.usage());
      return 0;
    }
    if (!group.isEmpty()) {
      JsonArray list = CalmCli.commandList(group);
      ctx.out().println("'" + asked + "' commands:");
      for (Command c : group) {
        ctx.out().println("  " + c.name() + "  " + c.summary());
      }
      ctx.put("commands", list);
      return 0;
    }
    registry.resolve(words); // throws the "unknown command" message with suggestions
    throw new UsageException("no command named '" + asked + "'; run 'calm help' for the list");
  }
}
