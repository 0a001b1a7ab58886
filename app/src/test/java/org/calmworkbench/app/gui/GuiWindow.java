package org.calmworkbench.app.gui;

import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import javafx.stage.Stage;
import org.calmworkbench.app.gui.common.AppSettings;
import org.calmworkbench.app.gui.common.EventBus;
import org.calmworkbench.app.gui.pages.Pages;
import org.calmworkbench.app.gui.project.ProjectPage;
import org.calmworkbench.app.gui.service.FxUiExecutor;
import org.calmworkbench.app.gui.service.WorkbenchService;
import org.calmworkbench.backend.project.Project;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The real main window for GUI tests, headless (Monocle): the app's service thread, FX dispatcher
 * and pages, with a project open. Waits are for conditions (with a generous limit), never fixed
 * sleeps; a wait that runs out says which jobs were queued and what the log holds.
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

  /** Shows the workbench in {@code stage} (from a TestFX {@code @Start}) with {@code project} open. */
  static GuiWindow open(Stage stage, Path configDir, Project project) {
    WorkbenchService service = WorkbenchService.start(new FxUiExecutor(), new TestContexts.RecordingNotifier());
    WorkbenchContext ctx = new WorkbenchContext(service, new EventBus(), AppSettings.load(configDir.resolve(AppSettings.FILE_NAME)));
    MainWindow window = WorkbenchApp.show(stage, ctx, new FxNotifier());
    ((ProjectPage) window.page(Pages.PROJECT)).viewModel().open(project.folder());
    return new GuiWindow(service, ctx, window);
  }

  /** Cancels every job, waits for them to end, and stops the service (from an {@code @AfterEach}). */
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

  /** Waits up to 120 s for {@code condition}, checked on the FX thread. */
  void waitUntil(Callable<Boolean> condition) throws Exception {
    try {
      WaitForAsyncUtils.waitFor(120, TimeUnit.SECONDS, () -> WaitForAsyncUtils.asyncFx(condition).get());
    } catch (java.util.concurrent.TimeoutException e) {
      String state = fx(() -> "jobs: " + service.jobs() + "\nlog:\n" + service.log().entries().stream()
          .map(x -> x + (x.detail() == null ? "" : "\n" + x.detail())).collect(Collectors.joining("\n")));
      throw new AssertionError("condition not met within 120 s; " + state, e);
    }
  }
}
