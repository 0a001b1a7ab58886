package org.calmworkbench.app.cli;

import com.google.gson.JsonArray;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import java.io.InputStream;
import java.io.PrintStream;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import org.calmworkbench.app.cli.commands.AeDecodeCommand;
import org.calmworkbench.app.cli.commands.AeEncodeCommand;
import org.calmworkbench.app.cli.commands.AeEvalCommand;
import org.calmworkbench.app.cli.commands.AeTrainCommand;
import org.calmworkbench.app.cli.commands.ArTrainCommand;
import org.calmworkbench.app.cli.commands.BenchAeCommand;
import org.calmworkbench.app.cli.commands.BenchCheckpointReadCommand;
import org.calmworkbench.app.cli.commands.BenchGuiCommand;
import org.calmworkbench.app.cli.commands.BenchLmCommand;
import org.calmworkbench.app.cli.commands.BenchMemoryCommand;
import org.calmworkbench.app.cli.commands.CompactCommand;
import org.calmworkbench.app.cli.commands.CompletionCommand;
import org.calmworkbench.app.cli.commands.ConvertCommand;
import org.calmworkbench.app.cli.commands.DemoCommand;
import org.calmworkbench.app.cli.commands.EvalCommand;
import org.calmworkbench.app.cli.commands.ExperimentRunCommand;
import org.calmworkbench.app.cli.commands.ExperimentWorkerCommand;
import org.calmworkbench.app.cli.commands.ExportTorchrunCommand;
import org.calmworkbench.app.cli.commands.GenerateCommand;
import org.calmworkbench.app.cli.commands.GuiCommand;
import org.calmworkbench.app.cli.commands.HelpCommand;
import org.calmworkbench.app.cli.commands.InspectForwardCommand;
import org.calmworkbench.app.cli.commands.LmLevelsCommand;
import org.calmworkbench.app.cli.commands.LmTrainCommand;
import org.calmworkbench.app.cli.commands.RunsListCommand;
import org.calmworkbench.app.cli.commands.SampleGenerateCommand;
import org.calmworkbench.app.cli.commands.SamplerCheckCommand;
import org.calmworkbench.app.cli.commands.TokenizerDecodeCommand;
import org.calmworkbench.app.cli.commands.TokenizerEncodeCommand;
import org.calmworkbench.app.cli.commands.TokenizerTrainCommand;
import org.calmworkbench.app.cli.commands.VersionCommand;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.StorageException;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.device.ComputeDevice;
import picocli.CommandLine;

/**
 * The {@code calm} command line: {@code calm <words...> [--options] [args]}.
 *
 * <p>Conventions (see docs/CLI.md):
 *
 * <ul>
 *   <li>Text for people on stdout; logs and progress on stderr.
 *   <li>{@code --json}: exactly one compact JSON object on one line of stdout, also on failure
 *       ({@code {"error": "...", "exit_code": 2}}), so a script can always parse stdout.
 *   <li>Exit codes: 0 ok; 2 for a {@link CalmException} or a bad command line, printed as one line
 *       {@code error: <message>}; 1 for a full disk, a read-only or vanished folder
 *       ({@code StorageException}, also one {@code error:} line) or anything else, printed as {@code internal error: ...} with a
 *       hint to rerun with {@code --verbose}, which adds the stack trace.
 * </ul>
 */
public final class CalmCli {
  private CalmCli() {}

  /** Every command, in the order {@code calm help} lists them. Add a command here. */
  public static List<Command> commands() {
    return List.of(
        new HelpCommand(),
        new VersionCommand(),
        new SampleGenerateCommand(),
        new TokenizerTrainCommand(),
        new TokenizerEncodeCommand(),
        new TokenizerDecodeCommand(),
        new AeTrainCommand(),
        new AeEvalCommand(),
        new AeEncodeCommand(),
        new AeDecodeCommand(),
        new InspectForwardCommand(),
        new LmTrainCommand(),
        new LmLevelsCommand(),
        new ArTrainCommand(),
        new EvalCommand(),
        new GenerateCommand(),
        new CompactCommand(),
        new ConvertCommand(),
        new SamplerCheckCommand(),
        new ExperimentRunCommand(),
        new ExperimentWorkerCommand(),
        new RunsListCommand(),
        new ExportTorchrunCommand(),
        new BenchAeCommand(),
        new BenchLmCommand(),
        new BenchGuiCommand(),
        new BenchMemoryCommand(),
        new BenchCheckpointReadCommand(),
        new DemoCommand(),
        new GuiCommand(),
        new CompletionCommand());
  }

  /** The default commands as a picocli tree; a new one per command line (it holds the parsed values). */
  public static CommandTree tree() {
    return new CommandTree(commands());
  }

  public static void main(String[] args) {
    PrintStream stdout = System.out;
    PrintStream stderr = System.err;
    boolean json = globalFlag(Arrays.asList(args), "json");
    if (json) {
      System.setOut(stderr); // stray prints from libraries must not corrupt the one JSON object
    }
    Cancellation cancellation = new Cancellation();
    int code;
    try (ShutdownGuard guard = new ShutdownGuard(cancellation, ShutdownGuard.DEFAULT_TIMEOUT, stderr).install()) {
      code = run(args, stdout, stderr, tree(), cancellation, System.console() != null, guard::commandPollsCancellation);
    }
    stdout.flush();
    stderr.flush();
    System.exit(code);
  }

  /** Runs one command line with the default commands; the entry point tests use. */
  public static int run(String[] args, PrintStream out, PrintStream err) {
    return run(args, out, err, tree(), new Cancellation(), false, () -> {});
  }

  /**
   * Runs one command line.
   *
   * @param terminal whether stderr is a terminal (progress redraws in place)
   * @param onCancellationPolled called when the command asks for the cancellation flag
   */
  public static int run(String[] args, PrintStream out, PrintStream err, CommandTree tree,
      Cancellation cancellation, boolean terminal, Runnable onCancellationPolled) {
    List<String> argv = List.of(args);
    boolean json = globalFlag(argv, "json");
    boolean verbose = globalFlag(argv, "verbose");
    String command = null;
    try {
      int start = 0; // --json and --verbose may also come before the command
      while (start < argv.size() && (argv.get(start).equals("--json") || argv.get(start).equals("--verbose"))) {
        start++;
      }
      List<String> rest = tree.splitCommandWords(argv.subList(start, argv.size()));
      if (rest.isEmpty() || rest.get(0).equals("--help") || rest.get(0).equals("-h")) {
        return printOverview(tree, out, json);
      }
      if (rest.get(0).startsWith("-")) {
        throw new UsageException("expected a command before '" + rest.get(0) + "'; run 'calm help' for the list");
      }
      CommandLine named = tree.find(rest);
      if (named != null && wantsHelp(rest)) { // --help wins over otherwise bad arguments
        printHelp(tree, named, out, json);
        return 0;
      }
      CommandTree.Parsed parsed = tree.parse(rest);
      command = parsed.command().name();
      // --device holds for this command line only; without it, -Dcalm.device (default auto)
      ComputeDevice.prefer(parsed.global().device != null ? ComputeDevice.Preference.parse(parsed.global().device)
          : ComputeDevice.defaultPreference());
      CliContext ctx = new CliContext(out, err, json, verbose, terminal, System::nanoTime, cancellation,
          onCancellationPolled, tree);
      int code = parsed.command().run(ctx);
      if (json) {
        printJson(out, ctx.result());
      }
      return code;
    } catch (UsageException e) {
      String named = e.command() != null ? e.command() : command;
      String hint = named == null ? "" : " (see 'calm " + named + " --help')";
      return fail(out, err, json, verbose, "error: " + e.getMessage() + hint, e.getMessage(), 2, e);
    } catch (CalmException e) {
      return fail(out, err, json, verbose, "error: " + e.getMessage(), e.getMessage(), e.exitCode(), e);
    } catch (java.nio.file.FileSystemException e) {
      // the file system refused (a read-only medium, a full disk, permissions), not a bug: one line, exit 1
      String msg = StorageException.during(command == null ? "calm" : command, e).getMessage();
      return fail(out, err, json, verbose, "error: " + msg, msg, StorageException.EXIT_CODE, e);
    } catch (OutOfMemoryError e) {
      String msg = "out of memory (" + e.getMessage() + "); give Java more with JAVA_OPTS=-Xmx8g, or use a smaller preset";
      return fail(out, err, json, verbose, "error: " + msg, msg, 1, e);
    } catch (Exception | StackOverflowError | AssertionError | InternalError e) {
      if (TokenIds.isMappedFileFault(e)) { // the file system's doing, not a bug
        String msg = TokenIds.MAPPED_FILE_FAULT;
        return fail(out, err, json, verbose, "error: " + msg, msg, StorageException.EXIT_CODE, e);
      }
      String msg = e.getClass().getName() + (e.getMessage() == null ? "" : ": " + e.getMessage());
      String line = "internal error: " + msg + (verbose ? "" : " (rerun with --verbose for the stack trace)");
      return fail(out, err, json, verbose, line, "internal error: " + msg, 1, e);
    }
  }

  /** The version from the jar's Maven metadata, or {@code "dev"} when run from class folders (tests, IDE). */
  public static String version() {
    try (InputStream in = CalmCli.class.getResourceAsStream("/META-INF/maven/org.calmworkbench/app/pom.properties")) {
      if (in != null) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("version", "dev");
      }
    } catch (java.io.IOException ignored) {
      // fall through
    }
    return "dev";
  }

  // ---------------------------------------------------------------------------------------------

  /** A command's usage, or for a group ({@code calm ae --help}) the list of its subcommands. */
  private static void printHelp(CommandTree tree, CommandLine named, PrintStream out, boolean json) {
    if (named.getCommandSpec().userObject() instanceof Command c) {
      String usage = CommandTree.usage(named);
      if (json) {
        JsonObject o = new JsonObject();
        o.addProperty("command", c.name());
        o.addProperty("usage", usage);
        printJson(out, o);
      } else {
        out.print(usage);
      }
      return;
    }
    String group = named.getCommandSpec().qualifiedName(" ").substring("calm ".length());
    if (json) {
      JsonObject o = new JsonObject();
      o.add("commands", commandList(tree.group(group)));
      printJson(out, o);
    } else {
      out.print(groupText(tree, group));
    }
  }

  /** What {@code calm help ae} and {@code calm ae --help} print: the group's subcommands. */
  public static String groupText(CommandTree tree, String group) {
    StringBuilder b = new StringBuilder("'" + group + "' commands:\n");
    for (Command c : tree.group(group)) {
      b.append("  ").append(pad(c.name(), 20)).append("  ").append(c.summary()).append('\n');
    }
    return b.toString();
  }

  private static int printOverview(CommandTree tree, PrintStream out, boolean json) {
    if (json) {
      JsonObject o = new JsonObject();
      o.addProperty("version", version());
      o.add("commands", commandList(tree.commands()));
      printJson(out, o);
    } else {
      out.print(overview(tree, version()));
    }
    return 0;
  }

  /** The text of {@code calm help}: every command with its summary. */
  public static String overview(CommandTree tree, String version) {
    StringBuilder b = new StringBuilder();
    b.append("CALM Workbench ").append(version).append(" - Continuous Autoregressive Language Models\n\n");
    b.append("usage: calm <command> [options]\n\ncommands:\n");
    int width = tree.commands().stream().mapToInt(c -> c.name().length()).max().orElse(0);
    for (Command c : tree.commands()) {
      b.append("  ").append(pad(c.name(), width)).append("  ").append(c.summary()).append('\n');
    }
    b.append("\nRun 'calm <command> --help' for its options. Every command accepts --json (one JSON object\n")
        .append("on stdout, for scripts), --verbose (stack traces) and --device auto|cpu|gpu. Exit codes: 0 ok,\n")
        .append("1 internal error, 2 bad input (the message says what to fix).\n");
    return b.toString();
  }

  private static String pad(String s, int width) {
    return s + " ".repeat(Math.max(0, width - s.length()));
  }

  /** {@code [{"name": ..., "summary": ...}, ...]}, shared by help and group help. */
  public static JsonArray commandList(List<Command> commands) {
    JsonArray a = new JsonArray();
    for (Command c : commands) {
      JsonObject o = new JsonObject();
      o.addProperty("name", c.name());
      o.addProperty("summary", c.summary());
      a.add(o);
    }
    return a;
  }

  private static int fail(PrintStream out, PrintStream err, boolean json, boolean verbose, String line,
      String message, int code, Throwable e) {
    err.println(line);
    if (verbose) {
      e.printStackTrace(err);
    }
    err.flush();
    if (json) {
      JsonObject o = new JsonObject();
      o.addProperty("error", message);
      o.addProperty("exit_code", code);
      printJson(out, o);
    }
    return code;
  }

  private static void printJson(PrintStream out, JsonObject o) {
    out.println(CliContext.GSON.toJson(finite(o)));
    out.flush();
  }

  /** A copy with NaN and infinities replaced by null, which Gson would otherwise refuse to write. */
  static JsonElement finite(JsonElement e) {
    if (e.isJsonPrimitive() && e.getAsJsonPrimitive().isNumber()) {
      double d = e.getAsDouble();
      return Double.isFinite(d) ? e : JsonNull.INSTANCE;
    }
    if (e.isJsonArray()) {
      JsonArray a = new JsonArray();
      e.getAsJsonArray().forEach(x -> a.add(finite(x)));
      return a;
    }
    if (e.isJsonObject()) {
      JsonObject o = new JsonObject();
      for (Map.Entry<String, JsonElement> m : e.getAsJsonObject().entrySet()) {
        o.add(m.getKey(), finite(m.getValue()));
      }
      return o;
    }
    return e;
  }

  /** Whether a global flag appears before any {@code --} terminator. */
  static boolean globalFlag(List<String> argv, String name) {
    for (String a : argv) {
      if (a.equals("--")) {
        return false;
      }
      if (a.equals("--" + name) || a.equals("--" + name + "=true")) {
        return true;
      }
    }
    return false;
  }

  private static boolean wantsHelp(List<String> tokens) {
    return globalFlag(tokens, "help") || tokens.contains("-h") && !tokens.subList(0, tokens.indexOf("-h")).contains("--");
  }
}
