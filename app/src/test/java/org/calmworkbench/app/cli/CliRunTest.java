package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.google.gson.Gson;
import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.Strictness;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonToken;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.io.StringReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.device.EngineThreads;
import org.junit.jupiter.api.Test;
import picocli.CommandLine.Option;

class CliRunTest {

  /** What one run printed and returned. */
  record Result(int code, String out, String err) {
    /** stdout as exactly one JSON object on one line; fails on anything else. */
    JsonObject json() throws IOException {
      assertTrue(out.endsWith("\n"), "stdout must end with a newline: " + out);
      assertEquals(1, out.lines().count(), "stdout must be one line: " + out);
      JsonReader r = new JsonReader(new StringReader(out));
      r.setStrictness(Strictness.STRICT);
      assertEquals(JsonToken.BEGIN_OBJECT, r.peek());
      TypeAdapter<JsonElement> adapter = new Gson().getAdapter(JsonElement.class);
      JsonObject o = adapter.read(r).getAsJsonObject();
      assertEquals(JsonToken.END_DOCUMENT, r.peek(), "text after the JSON object");
      return o;
    }
  }

  /** A command with one option, --steps (default 3), whose behaviour is a lambda. */
  static final class Lambda implements Command {
    @Option(names = "--steps", paramLabel = "N", description = "steps")
    int steps = 3;
    private final String name;
    private final Body body;

    Lambda(String name, Body body) {
      this.name = name;
      this.body = body;
    }

    @Override
    public String name() {
      return name;
    }

    @Override
    public String summary() {
      return "does " + name;
    }

    @Override
    public int run(CliContext ctx) throws Exception {
      return body.run(this, ctx);
    }
  }

  static Command command(String name, Body body) {
    return new Lambda(name, body);
  }

  interface Body {
    int run(Lambda command, CliContext ctx) throws Exception;
  }

  static final CommandTree REGISTRY =
      new CommandTree(
          List.of(
              command("ok", (a, ctx) -> {
                int steps = a.steps;
                ctx.out().println("human text");
                ctx.log("a log line");
                ctx.put("steps", steps);
                ctx.put("loss", Double.NaN);
                ctx.put("file", Path.of("runs", "x"));
                ctx.put("list", List.of(1.5, Double.POSITIVE_INFINITY));
                return 0;
              }),
              command("calm-error", (a, ctx) -> {
                ctx.out().println("partial output");
                throw new CalmException("corpus.txt: line 3 is not valid UTF-8");
              }),
              command("boom", (a, ctx) -> {
                throw new IllegalStateException("boom");
              }),
              command("ae train", (a, ctx) -> 0),
              command("ae eval", (a, ctx) -> 0)));

  private static Result run(CommandTree registry, String... args) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    int code = CalmCli.run(args, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), registry, new Cancellation(), false, () -> {});
    return new Result(code, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
  }

  private static Result run(String... args) {
    return run(REGISTRY, args);
  }

  @Test
  void calmExceptionIsOneErrorLineAndExitCodeTwo() {
    Result r = run("calm-error");
    assertEquals(2, r.code());
    assertEquals("error: corpus.txt: line 3 is not valid UTF-8\n", r.err());
    assertEquals("partial output\n", r.out());
  }

  @Test
  void verboseAddsTheStackTrace() {
    Result r = run("calm-error", "--verbose");
    assertEquals(2, r.code());
    assertTrue(r.err().startsWith("error: corpus.txt: line 3 is not valid UTF-8\n"), r.err());
    assertTrue(r.err().contains("\tat "), r.err());
  }

  @Test
  void jsonErrorIsAlsoOneJsonObjectOnStdout() throws IOException {
    Result r = run("calm-error", "--json");
    assertEquals(2, r.code());
    JsonObject o = r.json();
    assertEquals("corpus.txt: line 3 is not valid UTF-8", o.get("error").getAsString());
    assertEquals(2, o.get("exit_code").getAsInt());
    assertEquals("error: corpus.txt: line 3 is not valid UTF-8\n", r.err());
  }

  @Test
  void unexpectedExceptionIsAnInternalErrorWithExitCodeOne() throws IOException {
    Result r = run("boom");
    assertEquals(1, r.code());
    assertEquals("internal error: java.lang.IllegalStateException: boom (rerun with --verbose for the stack trace)\n",
        r.err());
    Result json = run("boom", "--json");
    assertEquals("internal error: java.lang.IllegalStateException: boom", json.json().get("error").getAsString());
    assertEquals(1, json.json().get("exit_code").getAsInt());
  }

  @Test
  void argumentErrorIsExitCodeTwoWithAPointerToHelp() throws IOException {
    Result r = run("ok", "--steps", "abc");
    assertEquals(2, r.code());
    assertEquals("error: --steps expects an integer, got 'abc' (see 'calm ok --help')\n", r.err());
    assertEquals("", r.out());
    Result json = run("--json", "ok", "--stepz", "1");
    assertEquals(2, json.code());
    assertTrue(json.json().get("error").getAsString().startsWith("unknown option --stepz for 'ok' (did you mean --steps?)"));
  }

  @Test
  void jsonModePrintsOnlyTheResultObjectOnStdout() throws IOException {
    Result r = run("ok", "--json", "--steps", "7");
    assertEquals(0, r.code());
    JsonObject o = r.json();
    assertEquals(7, o.get("steps").getAsInt());
    assertTrue(o.get("loss").isJsonNull(), "NaN must become null: " + o);
    assertEquals(Path.of("runs", "x").toString(), o.get("file").getAsString());
    assertEquals(1.5, o.getAsJsonArray("list").get(0).getAsDouble());
    assertTrue(o.getAsJsonArray("list").get(1).isJsonNull());
    assertFalse(r.out().contains("human text"));
    assertEquals("a log line\n", r.err());
  }

  @Test
  void textModePrintsTheHumanText() {
    Result r = run("ok");
    assertEquals(0, r.code());
    assertEquals("human text\n", r.out());
  }

  @Test
  void helpListsEveryDefaultCommand() throws IOException {
    Result r = run(CalmCli.tree(), "help");
    assertEquals(0, r.code());
    for (Command c : CalmCli.commands()) {
      assertTrue(r.out().contains("  " + c.name() + " "), "help lacks " + c.name() + ":\n" + r.out());
      assertTrue(r.out().contains(c.summary()), r.out());
    }
    assertEquals(r.out(), run(CalmCli.tree()).out(), "'calm' alone prints the same overview");
    JsonObject json = run(CalmCli.tree(), "help", "--json").json();
    assertEquals(CalmCli.commands().size(), json.getAsJsonArray("commands").size());
  }

  @Test
  void commandHelpPrintsItsUsage() {
    Result viaFlag = run(CalmCli.tree(), "sample", "generate", "--help");
    Result viaHelp = run(CalmCli.tree(), "help", "sample", "generate");
    assertEquals(0, viaFlag.code());
    assertTrue(viaFlag.out().startsWith("usage: calm sample generate [options]"), viaFlag.out());
    assertTrue(viaFlag.out().contains("--sentences=N"), viaFlag.out());
    assertEquals(viaFlag.out(), viaHelp.out());
    // --help wins over otherwise bad arguments.
    assertEquals(0, run(CalmCli.tree(), "sample", "generate", "--bogus", "-h").code());
  }

  @Test
  void groupWithoutSubcommandListsTheSubcommands() {
    Result r = run("ae");
    assertEquals(2, r.code());
    assertEquals("error: 'ae' needs a subcommand; one of: ae train, ae eval\n", r.err());
    Result typo = run("ae", "tran");
    assertEquals("error: unknown command 'ae tran'; one of: ae train, ae eval\n", typo.err());
    Result help = run("ae", "--help");
    assertEquals(0, help.code());
    assertTrue(help.out().contains("ae train") && help.out().contains("ae eval"), help.out());
  }

  @Test
  void unknownCommandSuggestsTheNearestOne() {
    Result r = run("bom");
    assertEquals(2, r.code());
    assertEquals("error: unknown command 'bom' (did you mean 'boom'?); run 'calm help' for the list\n", r.err());
  }

  @Test
  void versionReportsJavaAndDjl() throws IOException {
    JsonObject o = run(CalmCli.tree(), "version", "--json").json();
    assertEquals(System.getProperty("java.version"), o.get("java").getAsString());
    assertEquals("0.33.0", o.get("djl").getAsString());
    assertTrue(o.has("version"));
    // the engine's threads, as the loaded engine has them (issue 15: every benchmark and version print them)
    EngineThreads t = EngineThreads.current();
    assertEquals(t.intraOp(), o.get("intra_op_threads").getAsInt());
    assertEquals(t.interOp(), o.get("inter_op_threads").getAsInt());
    assertEquals(t.source(), o.get("threads_source").getAsString());
  }

  @Test
  void versionNamesTheDeviceTheChoiceGave() throws IOException {
    JsonObject o = run(CalmCli.tree(), "version", "--device", "cpu", "--json").json();
    assertEquals("cpu", o.get("device").getAsString());
    assertEquals("cpu", o.get("device_preference").getAsString());
    // this build has the CPU native library: auto and gpu resolve to the CPU too, gpu with a notice
    JsonObject auto = run(CalmCli.tree(), "version", "--json").json();
    assertEquals("auto", auto.get("device_preference").getAsString());
    assertEquals(ComputeDevice.current().name(), auto.get("device").getAsString());
  }

  @Test
  void theInstalledLauncherOpensTheWindowWithoutArgumentsAndIsTheCliWithThem() {
    assertEquals(List.of("gui"), List.of(InstalledLauncher.commandLine(new String[0])));
    assertEquals(List.of("version", "--json"), List.of(InstalledLauncher.commandLine(new String[] {"version", "--json"})));
  }

  @Test
  void aDeviceOtherThanAutoCpuOrGpuIsBadInput() {
    Result r = run(CalmCli.tree(), "version", "--device", "tpu");
    assertEquals(2, r.code());
    assertEquals("error: device must be auto, cpu or gpu, got 'tpu'\n", r.err());
  }

  @Test
  void askingForTheCancellationTellsTheShutdownGuard() {
    AtomicInteger polled = new AtomicInteger();
    CommandTree registry = new CommandTree(List.of(
        command("train", (a, ctx) -> ctx.cancellation().isCancelled() ? 1 : 0),
        command("quick", (a, ctx) -> 0)));
    Cancellation cancellation = new Cancellation();
    PrintStream sink = new PrintStream(new ByteArrayOutputStream());
    assertEquals(0, CalmCli.run(new String[] {"quick"}, sink, sink, registry, cancellation, false, polled::incrementAndGet));
    assertEquals(0, polled.get());
    assertEquals(0, CalmCli.run(new String[] {"train"}, sink, sink, registry, cancellation, false, polled::incrementAndGet));
    assertEquals(1, polled.get());
    cancellation.cancel("test");
    assertEquals(1, CalmCli.run(new String[] {"train"}, sink, sink, registry, cancellation, false, polled::incrementAndGet));
  }

  @Test
  void registryRejectsDuplicateNamesAndShadowedGlobals() {
    assertThrows(IllegalArgumentException.class,
        () -> new CommandTree(List.of(command("a b", (x, c) -> 0), command("a b", (x, c) -> 0))));
    assertThrows(IllegalArgumentException.class, () -> new CommandTree(List.of(new Shadow())));
    assertThrows(IllegalArgumentException.class, () -> new CommandTree(List.of(command("Bad Name", (x, c) -> 0))));
  }

  /** Declares --json, which every command already has. */
  static final class Shadow implements Command {
    @Option(names = "--json", description = "mine")
    boolean json;

    @Override
    public String name() {
      return "s";
    }

    @Override
    public String summary() {
      return "s";
    }

    @Override
    public int run(CliContext ctx) {
      return 0;
    }
  }
}
