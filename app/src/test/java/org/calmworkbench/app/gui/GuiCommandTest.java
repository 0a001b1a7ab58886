package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.calmworkbench.app.cli.CalmCli;
import org.calmworkbench.app.cli.CommandTree;
import org.calmworkbench.app.cli.commands.GuiCommand;
import org.calmworkbench.app.gui.common.AppSettings;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.Cancellation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code calm gui} without a display, and how the first project is found. */
class GuiCommandTest {
  @TempDir Path dir;

  @Test
  void withoutADisplayItSaysSoPointsToTheHeadlessCommandsAndExitsWith2() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    CommandTree registry = new CommandTree(List.of(new GuiCommand(Map.of(), "Linux", () -> false)));
    int code = CalmCli.run(new String[] {"gui"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), registry, new Cancellation(), false, () -> {});
    String e = err.toString(StandardCharsets.UTF_8);
    assertEquals(2, code);
    assertTrue(e.startsWith("error: no display found (neither DISPLAY nor WAYLAND_DISPLAY is set)"), e);
    assertTrue(e.contains("./calm demo") && e.contains("./calm help"), e);
  }

  @Test
  void withoutADisplayTheDefaultRunsTheHeadlessFallbackOnTheGivenProject() {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    ByteArrayOutputStream err = new ByteArrayOutputStream();
    List<String> seen = new java.util.ArrayList<>();
    org.calmworkbench.app.cli.Command demo = new org.calmworkbench.app.cli.Command() {
      @picocli.CommandLine.Option(names = "--project", paramLabel = "DIR", description = "project")
      String project = "sample";

      @Override
      public String name() {
        return "demo";
      }

      @Override
      public String summary() {
        return "fake demo";
      }

      @Override
      public int run(org.calmworkbench.app.cli.CliContext ctx) {
        seen.add(project);
        return 0;
      }
    };
    CommandTree registry = new CommandTree(List.of(new GuiCommand(Map.of(), "Linux", () -> false, demo)));
    int code = CalmCli.run(new String[] {"gui", "--project", "my-project"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), registry, new Cancellation(), false, () -> {});
    assertEquals(0, code);
    assertEquals(List.of("my-project"), seen);
    String e = err.toString(StandardCharsets.UTF_8);
    assertTrue(e.contains("no display found") && e.contains("headless demo"), e);

    code = CalmCli.run(new String[] {"gui", "--no-demo"}, new PrintStream(out, true, StandardCharsets.UTF_8),
        new PrintStream(err, true, StandardCharsets.UTF_8), registry, new Cancellation(), false, () -> {});
    assertEquals(2, code, "--no-demo refuses without a display");
    assertEquals(1, seen.size());
  }

  @Test
  void displayDetection() {
    assertNull(GuiCommand.noDisplayReason(Map.of("DISPLAY", ":0"), "Linux", false));
    assertNull(GuiCommand.noDisplayReason(Map.of("WAYLAND_DISPLAY", "wayland-0"), "Linux", false));
    assertTrue(GuiCommand.noDisplayReason(Map.of("DISPLAY", ":0"), "Linux", true).contains("headless"));
    assertNull(GuiCommand.noDisplayReason(Map.of(), "Windows 11", false), "Windows has no DISPLAY variable");
  }

  @Test
  void startupProjectIsGivenThenLastThenTheSampleInTheWorkingFolderThenInCalmHome() throws Exception {
    AppSettings settings = AppSettings.load(dir.resolve("config/workbench.json"));
    Path wd = dir.resolve("wd");
    Path home = dir.resolve("home");
    Files.createDirectories(wd);
    TinyProject.create(home.resolve(StartupProject.SAMPLE));

    StartupProject.Resolution r = StartupProject.resolve(null, settings, wd, home.toString());
    assertEquals(home.resolve(StartupProject.SAMPLE).toAbsolutePath().normalize(), r.folder());
    assertTrue(r.how().contains("calm.home"), r.how());

    TinyProject.create(wd.resolve(StartupProject.SAMPLE));
    r = StartupProject.resolve(null, settings, wd, home.toString());
    assertEquals(wd.resolve(StartupProject.SAMPLE).toAbsolutePath().normalize(), r.folder());
    assertTrue(r.how().contains("working folder"), r.how());

    Path last = dir.resolve("last");
    TinyProject.create(last);
    settings.projectOpened(last);
    r = StartupProject.resolve(null, settings, wd, home.toString());
    assertEquals(last.toAbsolutePath().normalize(), r.folder());
    assertTrue(r.how().contains("last project"), r.how());

    r = StartupProject.resolve(home.resolve(StartupProject.SAMPLE).toString(), settings, wd, null);
    assertEquals("given with --project", r.how());
    assertThrows(CalmException.class, () -> StartupProject.resolve(dir.resolve("nothing").toString(), settings, wd, null));

    assertNull(StartupProject.resolve(null, AppSettings.load(dir.resolve("other.json")), dir.resolve("empty"), null).folder());
  }

  @Test
  void theInstalledAppOpensAPersonalCopyOfTheBundledSampleAndNeverWritesIntoItsInstallFolder() throws Exception {
    Path home = dir.resolve("opt/calm-workbench");
    Path bundled = home.resolve(StartupProject.SAMPLE);
    TinyProject.create(bundled);
    Files.createDirectories(bundled.resolve(".calm-cache"));
    Files.writeString(bundled.resolve(".calm-cache/ids.bin"), "cache");
    Path projects = dir.resolve("user/CALM Workbench");
    String wasInstalled = System.getProperty(StartupProject.INSTALLED);
    System.setProperty(StartupProject.INSTALLED, "true");
    System.setProperty(StartupProject.PROJECTS_DIR, projects.toString());
    try {
      AppSettings settings = AppSettings.load(dir.resolve("config/workbench.json"));
      // a clone's sample in the working folder (started from a terminal there) is not the installed app's
      TinyProject.create(dir.resolve("wd").resolve(StartupProject.SAMPLE));
      StartupProject.Resolution r = StartupProject.resolve(null, settings, dir.resolve("wd"), home.toString());
      Path copy = projects.resolve("grammar-english");
      assertEquals(copy, r.folder());
      assertTrue(r.how().contains("your copy"), r.how());
      assertEquals(Files.readString(bundled.resolve("project.json")), Files.readString(copy.resolve("project.json")));
      assertTrue(Files.isWritable(copy.resolve("project.json")));
      assertTrue(Files.notExists(copy.resolve(".calm-cache")), "token caches are not copied");
      try (var left = Files.list(projects)) {
        assertEquals(List.of(copy), left.toList(), "no temporary folder is left beside the copy");
      }

      // the copy is the person's: a second start uses it as it is, edits included
      Files.writeString(copy.resolve("notes.txt"), "mine");
      assertEquals(copy, StartupProject.resolve(null, settings, dir.resolve("wd"), home.toString()).folder());
      assertEquals("mine", Files.readString(copy.resolve("notes.txt")));
      // --project naming the bundled folder also gets the copy; a folder outside the install is used in place
      assertEquals(copy, StartupProject.resolve(bundled.toString(), settings, dir.resolve("wd"), home.toString()).folder());
      Path own = dir.resolve("own");
      TinyProject.create(own);
      assertEquals(own.toAbsolutePath().normalize(), StartupProject.resolve(own.toString(), settings, dir, home.toString()).folder());

      // something else in the way is an error that says what to do, never an overwrite
      Files.writeString(projects.resolve("other"), "x");
      Path other = home.resolve("sample-projects/other");
      TinyProject.create(other);
      CalmException e = assertThrows(CalmException.class, () -> StartupProject.writable(other, home.toString()));
      assertTrue(e.getMessage().contains("move it away"), e.getMessage());
    } finally {
      System.clearProperty(StartupProject.PROJECTS_DIR);
      if (wasInstalled == null) {
        System.clearProperty(StartupProject.INSTALLED);
      } else {
        System.setProperty(StartupProject.INSTALLED, wasInstalled);
      }
    }
  }

  @Test
  void settingsSurviveARestartAndADamagedFileMeansDefaults() throws Exception {
    Path file = dir.resolve("workbench.json");
    AppSettings s = AppSettings.load(file);
    s.window(10, 20, 1000, 700, false);
    s.projectOpened(dir);
    assertNull(s.save());
    AppSettings again = AppSettings.load(file);
    assertEquals(1000, again.windowWidth());
    assertEquals(10, again.windowX());
    assertEquals(List.of(dir.toAbsolutePath().normalize()), again.recentProjects());
    Files.writeString(file, "{ not json");
    assertEquals(1280, AppSettings.load(file).windowWidth());
  }
}
