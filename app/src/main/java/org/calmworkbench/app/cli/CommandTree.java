package org.calmworkbench.app.cli;

import java.nio.file.InvalidPathException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import picocli.AutoComplete;
import picocli.CommandLine.InitializationException;
import picocli.CommandLine.MissingParameterException;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Model.OptionSpec;
import picocli.CommandLine.OverwrittenOptionException;
import picocli.CommandLine.ParameterException;
import picocli.CommandLine.ParseResult;
import picocli.CommandLine.TypeConversionException;
import picocli.CommandLine.UnmatchedArgumentException;
import picocli.CommandLine;

/**
 * The commands as a picocli tree: {@code calm} → {@code ae} → {@code train}. Parsing, usage text
 * and shell completion are picocli's; this class builds the tree from {@link Command}s, words
 * picocli's errors the way the CLI always has ({@code --steps expects an integer, got 'abc'}) and
 * adds the nearest command or option to a typo.
 */
public final class CommandTree {
  /** Usage text is not re-wrapped below this width: the descriptions are written for it. */
  private static final int USAGE_WIDTH = 120;

  private final List<Command> commands;
  private final CommandLine root;

  /** What a command line asked for: the command (its option fields filled in) and the global options. */
  public record Parsed(Command command, GlobalOptions global) {}

  /**
   * @throws IllegalArgumentException for a malformed name, two commands of one name, or an option
   *     declared twice or shadowing a global one
   */
  public CommandTree(List<Command> commands) {
    this.commands = List.copyOf(commands);
    root = new CommandLine(withGlobals(CommandSpec.create().name("calm")));
    try {
      for (Command c : commands) {
        add(c);
      }
    } catch (InitializationException e) {
      throw new IllegalArgumentException(e.getMessage(), e);
    }
    // Registered last: picocli hands converters to the subcommands that exist at this point.
    root.registerConverter(Integer.class, s -> (int) parseLong(s, Integer.MIN_VALUE, Integer.MAX_VALUE));
    root.registerConverter(Integer.TYPE, s -> (int) parseLong(s, Integer.MIN_VALUE, Integer.MAX_VALUE));
    root.registerConverter(Long.class, s -> parseLong(s, Long.MIN_VALUE, Long.MAX_VALUE));
    root.registerConverter(Long.TYPE, s -> parseLong(s, Long.MIN_VALUE, Long.MAX_VALUE));
    root.registerConverter(Double.class, CommandTree::parseDouble);
    root.registerConverter(Double.TYPE, CommandTree::parseDouble);
    root.registerConverter(Path.class, CommandTree::parsePath);
    // picocli reads "@FILE" as a file of more arguments: an argument beginning with @ (a file name, a
    // text) would make the CLI read another file, and "@/" was an internal error (found by Jazzer,
    // CliArgsCoverageFuzzTest). The workbench has no argument files: @ is an ordinary character.
    root.setExpandAtFiles(false);
  }

  private void add(Command c) {
    String name = c.name();
    if (!name.matches("[a-z0-9-]+( [a-z0-9-]+)*")) {
      throw new IllegalArgumentException("command name must be lower-case words separated by one space: '" + name + "'");
    }
    String[] words = name.split(" ");
    CommandLine parent = root;
    for (int i = 0; i < words.length - 1; i++) {
      CommandLine group = parent.getSubcommands().get(words[i]);
      if (group == null) {
        group = new CommandLine(withGlobals(CommandSpec.create().name(words[i])));
        parent.addSubcommand(words[i], group);
      } else if (group.getCommandSpec().userObject() instanceof Command) {
        throw new IllegalArgumentException("'" + name + "' would make the command '" + group.getCommandName() + "' a group");
      }
      parent = group;
    }
    CommandSpec spec = withGlobals(CommandSpec.forAnnotatedObjectLenient(c));
    String synopsis = "usage: calm " + name + (ownOptions(spec).isEmpty() ? "" : " [options]")
        + spec.positionalParameters().stream().map(p -> " " + p.paramLabel()).collect(Collectors.joining());
    spec.usageMessage()
        .width(USAGE_WIDTH)
        .synopsisHeading("")
        .customSynopsis(escape(synopsis))
        .descriptionHeading("%n")
        .description(escape(c.description().strip()).split("\n"))
        .parameterListHeading("%narguments:%n")
        .optionListHeading("%noptions:%n")
        .showDefaultValues(true)
        .sortOptions(false)
        .requiredOptionMarker('*')
        .footerHeading("%n")
        .footer(spec.options().stream().anyMatch(OptionSpec::required) ? "* required" : "");
    if (parent.getSubcommands().containsKey(words[words.length - 1])) {
      throw new IllegalArgumentException("two commands named '" + name + "'");
    }
    parent.addSubcommand(words[words.length - 1], new CommandLine(spec));
  }

  private static CommandSpec withGlobals(CommandSpec spec) {
    return spec.addMixin(GlobalOptions.MIXIN, CommandSpec.forAnnotatedObject(new GlobalOptions()));
  }

  /** Commands in registration order. */
  public List<Command> commands() {
    return commands;
  }

  /** Commands whose name starts with {@code group + " "}: the subcommands of {@code "ae"}. */
  public List<Command> group(String group) {
    return commands.stream().filter(c -> c.name().startsWith(group + " ")).toList();
  }

  /** The picocli tree (root {@code calm}); for completion scripts and tests. */
  public CommandLine root() {
    return root;
  }

  /**
   * The command or group named by the longest run of leading words of {@code args} (stopping at the
   * first option), or null when the first word names nothing.
   */
  public CommandLine find(List<String> args) {
    CommandLine at = root;
    for (String a : args) {
      CommandLine next = a.startsWith("-") ? null : at.getSubcommands().get(a);
      if (next == null) {
        break;
      }
      at = next;
    }
    return at == root ? null : at;
  }

  /**
   * {@code args} with command words given as one argument split into words ({@code "ae train"} →
   * {@code ae}, {@code train}), as the hand-written parser took them; only while they name commands,
   * so a file name with a space stays whole.
   */
  public List<String> splitCommandWords(List<String> args) {
    List<String> out = new ArrayList<>();
    CommandLine at = root;
    int i = 0;
    for (; i < args.size(); i++) {
      String[] words = args.get(i).split(" ");
      CommandLine next = at;
      for (String w : words) {
        next = next == null || w.startsWith("-") ? null : next.getSubcommands().get(w);
      }
      if (next == null) {
        break;
      }
      out.addAll(List.of(words));
      at = next;
    }
    out.addAll(args.subList(i, args.size()));
    return out;
  }

  /** The {@code --help} text of a command or group found by {@link #find}. */
  public static String usage(CommandLine command) {
    return command.getUsageMessage(CommandLine.Help.Ansi.OFF);
  }

  /**
   * Parses a command line (without any leading global options) into its command's option fields.
   *
   * @throws UsageException for an unknown command or option, a missing or malformed value, or a
   *     group named without its subcommand
   */
  public Parsed parse(List<String> args) {
    ParseResult result;
    try {
      result = root.parseArgs(args.toArray(String[]::new));
    } catch (MissingParameterException e) {
      // picocli checks required options before it reports unknown ones; a typo is the better message
      throw translate(unknownOption(e.getCommandLine(), args).orElse(e));
    } catch (ParameterException e) {
      throw translate(e);
    }
    while (result.hasSubcommand()) {
      result = result.subcommand();
    }
    CommandSpec spec = result.commandSpec();
    if (!(spec.userObject() instanceof Command command)) {
      String group = words(spec);
      throw new UsageException(group.isEmpty() ? "no command given; run 'calm help' for the list"
          : "'" + group + "' needs a subcommand; one of: " + names(group(group)));
    }
    return new Parsed(command, (GlobalOptions) spec.mixins().get(GlobalOptions.MIXIN).userObject());
  }

  /** A bash completion script for {@code calm}; zsh can use it through {@code bashcompinit}. */
  public String bashCompletion() {
    return AutoComplete.bash("calm", root);
  }

  /** The first {@code --option} or {@code -x} in {@code args} that {@code command} does not declare. */
  private static java.util.Optional<ParameterException> unknownOption(CommandLine command, List<String> args) {
    Set<String> declared = command.getCommandSpec().optionsMap().keySet();
    for (String a : args) {
      if (a.equals("--")) {
        break;
      }
      String name = a.contains("=") ? a.substring(0, a.indexOf('=')) : a;
      if (a.startsWith("-") && a.length() > 1 && !isNumber(a) && !declared.contains(name)) {
        return java.util.Optional.of(new UnmatchedArgumentException(command, List.of(a)));
      }
    }
    return java.util.Optional.empty();
  }

  // -- picocli's errors in the CLI's words ---------------------------------------------------------

  private UsageException translate(ParameterException e) {
    CommandSpec where = e.getCommandLine().getCommandSpec();
    String command = where.userObject() instanceof Command c ? c.name() : null;
    String message;
    if (e instanceof UnmatchedArgumentException u) {
      message = unmatched(u, where, command);
    } else if (e instanceof OverwrittenOptionException o) {
      message = o.getOverwritten() instanceof OptionSpec opt ? opt.longestName() + " given more than once"
          : "too many arguments: '" + e.getValue() + "'";
    } else if (e instanceof MissingParameterException m) {
      message = missing(m, command);
    } else if (e.getCause() instanceof TypeConversionException t && e.getArgSpec() instanceof OptionSpec o) {
      message = o.longestName() + " " + t.getMessage();
    } else if (e.getCause() instanceof TypeConversionException t) {
      message = "argument " + t.getMessage();
    } else {
      String m = e.getMessage();
      message = m.isEmpty() ? m : Character.toLowerCase(m.charAt(0)) + m.substring(1);
    }
    return new UsageException(message, command);
  }

  private String unmatched(UnmatchedArgumentException u, CommandSpec where, String command) {
    String arg = u.getUnmatched().get(0);
    if (arg.startsWith("--") && arg.length() > 2) {
      String name = arg.contains("=") ? arg.substring(0, arg.indexOf('=')) : arg;
      String hint = nearest(name, where.optionsMap().keySet()).map(n -> " (did you mean " + n + "?)").orElse("");
      return "unknown option " + name + (command == null ? "" : " for '" + command + "'") + hint + "; "
          + validOptions(where, command);
    }
    if (arg.startsWith("-") && arg.length() > 1 && !isNumber(arg)) {
      return "unknown option '" + arg + "' (options start with --); " + validOptions(where, command);
    }
    if (command == null) {
      String group = words(where);
      if (group.isEmpty()) {
        String hint = nearest(arg, where.subcommands().keySet()).map(n -> " (did you mean '" + n + "'?)").orElse("");
        return "unknown command '" + arg + "'" + hint + "; run 'calm help' for the list";
      }
      return "unknown command '" + group + " " + arg + "'; one of: " + names(group(group));
    }
    return where.positionalParameters().isEmpty()
        ? "unexpected argument '" + arg + "' ('" + command + "' takes only --options)"
        : "too many arguments: '" + arg + "' (usage: calm " + command + " " + positionalSynopsis(where) + ")";
  }

  private static String missing(MissingParameterException m, String command) {
    ArgSpec first = m.getMissing().get(0);
    if (!(first instanceof OptionSpec o)) {
      return "missing argument: calm " + command + " " + positionalSynopsis(first.command());
    }
    if (m.getMessage().startsWith("Missing required option")) {
      return "missing required option " + synopsis(o);
    }
    return o.longestName() + (o.isMultiValue() ? " expects at least one value: " : " expects a value: ") + synopsis(o);
  }

  /** {@code --steps N}, {@code --corpus PATH...} or {@code --resume}. */
  private static String synopsis(OptionSpec o) {
    if (o.arity().max() == 0) {
      return o.longestName();
    }
    return o.longestName() + " " + o.paramLabel() + (o.isMultiValue() ? "..." : "");
  }

  private static String positionalSynopsis(CommandSpec spec) {
    return spec.positionalParameters().stream().map(p -> p.paramLabel()).collect(Collectors.joining(" "));
  }

  private static String validOptions(CommandSpec spec, String command) {
    List<OptionSpec> own = ownOptions(spec);
    String list = own.isEmpty() ? "'" + (command == null ? words(spec) : command) + "' has no options of its own"
        : "valid options: " + own.stream().map(OptionSpec::longestName).collect(Collectors.joining(", "));
    return list + " (and --json, --verbose, --device, --help)";
  }

  /** The options a command declares itself, in declaration order (without the global ones). */
  private static List<OptionSpec> ownOptions(CommandSpec spec) {
    Set<String> global = Set.copyOf(CommandSpec.forAnnotatedObject(new GlobalOptions()).optionsMap().keySet());
    List<OptionSpec> own = new ArrayList<>();
    for (OptionSpec o : spec.options()) {
      if (!global.contains(o.longestName())) {
        own.add(o);
      }
    }
    return own;
  }

  /** The words naming a command or group: {@code "ae"} for {@code calm ae}, empty for the root. */
  private static String words(CommandSpec spec) {
    String q = spec.qualifiedName(" ");
    return q.equals("calm") ? "" : q.substring("calm ".length());
  }

  /**
   * The candidate nearest to a typo, if it is near enough to be what was meant: at most a third of
   * the word's letters edited (at least one). picocli's own suggestions rank by shared letter pairs,
   * which misses swapped letters ('verison'); the edit distance catches them.
   */
  static java.util.Optional<String> nearest(String typo, java.util.Collection<String> candidates) {
    String best = null;
    int bestDistance = Integer.MAX_VALUE;
    for (String c : candidates) {
      int d = editDistance(typo, c);
      if (d < bestDistance) {
        bestDistance = d;
        best = c;
      }
    }
    int allowed = Math.max(1, typo.replaceFirst("^-+", "").length() / 3);
    return best != null && bestDistance <= allowed ? java.util.Optional.of(best) : java.util.Optional.empty();
  }

  /** Edits (insert, delete, substitute, swap two neighbours) from {@code a} to {@code b}: "stpes" is 1 from "steps". */
  static int editDistance(String a, String b) {
    int[][] d = new int[a.length() + 1][b.length() + 1];
    for (int i = 0; i <= a.length(); i++) {
      d[i][0] = i;
    }
    for (int j = 0; j <= b.length(); j++) {
      d[0][j] = j;
    }
    for (int i = 1; i <= a.length(); i++) {
      for (int j = 1; j <= b.length(); j++) {
        int cost = a.charAt(i - 1) == b.charAt(j - 1) ? 0 : 1;
        d[i][j] = Math.min(d[i - 1][j - 1] + cost, Math.min(d[i - 1][j], d[i][j - 1]) + 1);
        if (i > 1 && j > 1 && a.charAt(i - 1) == b.charAt(j - 2) && a.charAt(i - 2) == b.charAt(j - 1)) {
          d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
        }
      }
    }
    return d[a.length()][b.length()];
  }

  private static String names(List<Command> commands) {
    return commands.stream().map(Command::name).collect(Collectors.joining(", "));
  }

  private static String escape(String text) {
    return text.replace("%", "%%");
  }

  // -- converters: the value's problem, picocli adds the option ----------------------------------

  private static long parseLong(String s, long min, long max) {
    try {
      long v = Long.parseLong(s.strip().replace("_", ""));
      if (v >= min && v <= max) {
        return v;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new TypeConversionException("expects an integer, got '" + s + "'");
  }

  private static double parseDouble(String s) {
    try {
      double d = Double.parseDouble(s.strip());
      if (Double.isFinite(d)) {
        return d;
      }
    } catch (NumberFormatException ignored) {
      // reported below
    }
    throw new TypeConversionException("expects a number, got '" + s + "'");
  }

  private static Path parsePath(String s) {
    if (s.isEmpty()) { // Path.of("") is the working folder: never what an empty argument meant
      throw new TypeConversionException("expects a path, got ''");
    }
    try {
      Path p = Path.of(s);
      if (s.indexOf('\uFFFD') >= 0 && !java.nio.file.Files.exists(p)) {
        // Bytes of the name that the JVM could not decode became U+FFFD before main: that file cannot be named from here
        throw new TypeConversionException("expects a path, got '" + s + "': it holds bytes that are not valid "
            + System.getProperty("sun.jnu.encoding", "UTF-8") + " text, so the file cannot be found by that name;"
            + " rename it");
      }
      return p;
    } catch (InvalidPathException e) {
      throw new TypeConversionException("expects a path, got '" + s + "': " + e.getReason());
    }
  }

  private static boolean isNumber(String t) {
    try {
      Double.parseDouble(t);
      return true;
    } catch (NumberFormatException e) {
      return false;
    }
  }
}
