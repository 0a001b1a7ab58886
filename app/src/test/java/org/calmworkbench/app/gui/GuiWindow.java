package org.calmworkbench.app.gui;

import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.calmworkbench.app.gui.common.AppSettings;
import org.calmworkbench.app.gui.common.EventBus;
import org.calmworkbench.app.gui.pages.Page;
import org.calmworkbench.app.gui.pages.Pages;
import org.calmworkbench.app.gui.project.ProjectPage;
import org.calmworkbench.app.gui.service.FxUiExecutor;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.WorkbenchService;
import org.calmworkbench.backend.project.Project;
import org.testfx.api.FxRobot;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The real main window for the TestFX tests (headless, Monocle): the app's own service thread and
 * FX dispatcher, a project opened, and the helpers every window test uses. Waits are for
 * conditions (with a generous limit), never fixed sleeps.
 */
final class GuiWindow {
  final WorkbenchService service;
  final WorkbenchContext ctx;
  final MainWindow window;

  private GuiWindow(WorkbenchService service, WorkbenchContext ctx, MainWindow window) {
    this.service = service;
    this.ctx = ctx;
    this.window = window;
  }

  /** Shows the window on {@code stage} (from a {@code @Start} method) with {@code project} open; settings in {@code shared/config}. */
  static GuiWindow show(Stage stage, Path shared, Project project) {
    return show(stage, shared, project, () -> {});
  }

  /**
   * {@link #show(Stage, Path, Project)} with the action the window's close handler runs once it has
   * closed for good (the app's is {@code Platform.exit()}, which a test must not call: the toolkit
   * is shared by the JVM's tests).
   */
  static GuiWindow show(Stage stage, Path shared, Project project, Runnable exit) {
    WorkbenchService service = WorkbenchService.start(new FxUiExecutor(), new TestContexts.RecordingNotifier());
    WorkbenchContext ctx = new WorkbenchContext(service, new EventBus(),
        AppSettings.load(shared.resolve("config").resolve(AppSettings.FILE_NAME)));
    MainWindow window = WorkbenchApp.show(stage, ctx, new FxNotifier(), exit);
    ((ProjectPage) window.page(Pages.PROJECT)).viewModel().open(project.folder());
    return new GuiWindow(service, ctx, window);
  }

  /** Cancels every job, waits until the queue is idle and stops the service thread (an {@code @AfterEach}). */
  void close() throws Exception {
    fx(() -> {
      service.cancelAll();
      return null;
    });
    waitUntil(() -> service.unfinished().isEmpty());
    service.close();
  }

  /** Runs {@code c} on the FX thread and returns its value. */
  static <T> T fx(Callable<T> c) throws Exception {
    return WaitForAsyncUtils.asyncFx(c).get(30, TimeUnit.SECONDS);
  }

  /** Waits (at most 120 s) until {@code condition}, checked on the FX thread, holds; else fails with the jobs and the log. */
  void waitUntil(Callable<Boolean> condition) throws Exception {
    try {
      WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(condition).get());
    } catch (java.util.concurrent.TimeoutException e) {
      String state = fx(() -> "jobs: " + service.jobs() + "\nlog:\n" + service.log().entries().stream()
          .map(x -> x + (x.detail() == null ? "" : "\n" + x.detail())).collect(Collectors.joining("\n")));
      throw new AssertionError("condition not met within 120 s; " + state, e);
    }
  }

  /** Clicks the page's entry in the navigation, as a person would, and returns the page. */
  @SuppressWarnings("unchecked")
  <P extends Page> P open(FxRobot robot, String title) {
    robot.clickOn(robot.lookup("#navigation").queryAs(ListView.class).lookupAll(".list-cell").stream()
        .filter(n -> title.equals(((ListCell<?>) n).getText())).findFirst().orElseThrow());
    WaitForAsyncUtils.waitForFxEvents();
    return (P) window.page(title);
  }

  /** Types {@code text} into the text field {@code id} over what it held (click, Ctrl+A, type). */
  static void type(FxRobot robot, String id, String text) {
    TextField f = robot.lookup(id).queryAs(TextField.class);
    robot.clickOn(f);
    robot.push(KeyCode.CONTROL, KeyCode.A);
    robot.write(text);
    WaitForAsyncUtils.waitForFxEvents();
  }

  /** Sets a text field's text on the FX thread (for fields scrolled out of sight in a small window). */
  static void edit(FxRobot robot, String id, String text) throws Exception {
    TextField f = robot.lookup(id).queryAs(TextField.class);
    fx(() -> {
      f.setText(text);
      return null;
    });
  }

  /** The queue's jobs of {@code kind}, oldest first. */
  List<Job> jobsOf(String kind) throws Exception {
    return fx(() -> service.jobs().stream().filter(j -> j.spec().kind().equals(kind)).toList());
  }
}
