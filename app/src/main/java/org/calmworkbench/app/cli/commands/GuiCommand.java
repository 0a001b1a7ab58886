package org.calmworkbench.app.cli.commands;

import java.awt.GraphicsEnvironment;
import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.function.BooleanSupplier;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.CommandTree;
import org.calmworkbench.app.gui.StartupProject;
import org.calmworkbench.app.gui.WorkbenchLauncher;
import org.calmworkbench.app.gui.common.AppSettings;
import org.calmworkbench.backend.CalmException;
import picocli.CommandLine.Option;

/**
 * {@code calm gui}: opens the workbench window. Without a display it says so and points to the
 * headless commands (exit code 2) instead of failing deep inside JavaFX.
 */
public final class GuiCommand implements Command {
  @Option(names = "--project", paramLabel = "DIR", description = "project folder to open")
  String project;
  @Option(names = "--no-demo", description = "without a display, do not fall back to the headless demo")
  boolean noDemo;

  private final Map<String, String> env;
  private final String osName;
  private final BooleanSupplier headless;
  private final Command headlessFallback;

  public GuiCommand() {
    this(System.getenv(), System.getProperty("os.name", ""), GraphicsEnvironment::isHeadless, new DemoCommand());
  }

  /** For tests: a given environment, OS name and headless check; no fallback (exit 2 without a display). */
  public GuiCommand(Map<String, String> env, String osName, BooleanSupplier headless) {
    this(env, osName, headless, null);
  }

  /** @param headlessFallback run instead of the window when there is no display (null: refuse, exit 2) */
  public GuiCommand(Map<String, String> env, String osName, BooleanSupplier headless, Command headlessFallback) {
    this.env = env;
    this.osName = osName;
    this.headless = headless;
    this.headlessFallback = headlessFallback;
  }

  @Override
  public String name() {
    return "gui";
  }

  @Override
  public String summary() {
    return "open the workbench window (project, autoencoder training, reconstruction inspector)";
  }

  @Override
  public String description() {
    return summary() + """


        Without --project it opens the project used last, or on the first start the bundled sample
        sample-projects/grammar-english (looked up in the working folder, then in the install folder).
        Needs a display. Without one it says so and runs the headless demo on the same project instead
        (the same as './calm demo'); --no-demo makes it stop there with exit code 2.""";
  }


  /** Why no window can open here, or null if a display is available. */
  public static String noDisplayReason(Map<String, String> env, String osName, boolean headless) {
    String os = osName.toLowerCase(Locale.ROOT);
    boolean x11Style = !os.contains("win") && !os.contains("mac");
    if (x11Style && blank(env.get("DISPLAY")) && blank(env.get("WAYLAND_DISPLAY"))) {
      return "no display found (neither DISPLAY nor WAYLAND_DISPLAY is set)";
    }
    if (headless) {
      return "no display found (Java runs headless: java.awt.headless is set or no graphics environment is available)";
    }
    return null;
  }

  private static boolean blank(String s) {
    return s == null || s.isBlank();
  }

  @Override
  public int run(CliContext ctx) throws Exception {
    String reason = noDisplayReason(env, osName, headless.getAsBoolean());
    if (reason != null && headlessFallback != null && !noDemo) {
      ctx.err().println("note: " + reason + ", so the workbench window cannot open.");
      ctx.err().println("Running the headless demo instead (the same as './calm demo'; './calm help' lists every command;"
          + " on a remote machine use ssh -X or xvfb-run for the window).");
      ctx.err().println();
      ctx.err().flush();
      List<String> demoArgs = new java.util.ArrayList<>(List.of(headlessFallback.name().split(" ")));
      if (project != null) {
        demoArgs.addAll(List.of("--project", project));
      }
      return new CommandTree(List.of(headlessFallback)).parse(demoArgs).command().run(ctx);
    }
    if (reason != null) {
      throw new CalmException(reason + ", so the workbench window cannot open. Everything it does is also available"
          + " headless: './calm demo' trains an autoencoder and a small CALM on the sample project, printed as text;"
          + " './calm help' lists every command. On a remote machine: ssh -X, or run the window under xvfb-run.");
    }
    AppSettings settings = AppSettings.load(AppSettings.defaultFile());
    StartupProject.Resolution r = StartupProject.resolve(project, settings,
        Path.of("").toAbsolutePath(), System.getProperty("calm.home"));
    ctx.out().println("opening the CALM Workbench window");
    ctx.out().println(r.folder() == null ? "project: " + r.how() : "project: " + r.folder() + " (" + r.how() + ")");
    ctx.out().flush();
    ctx.put("project", r.folder());
    ctx.put("project_resolved_by", r.how());
    WorkbenchLauncher.launch(r.folder());
    return 0;
  }
}
