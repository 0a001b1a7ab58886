package org.calmworkbench.app.gui;

import java.nio.file.Path;
import java.util.List;
import java.util.stream.Collectors;
import javafx.application.Application;
import javafx.application.Platform;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.ButtonBar;
import javafx.scene.control.ButtonType;
import javafx.stage.Stage;
import org.calmworkbench.app.gui.common.AppSettings;
import org.calmworkbench.app.gui.common.EventBus;
import org.calmworkbench.app.gui.pages.Pages;
import org.calmworkbench.app.gui.project.ProjectPage;
import org.calmworkbench.app.gui.service.FxUiExecutor;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.WorkbenchService;

/**
 * The JavaFX application. Start it through {@link WorkbenchLauncher} (or {@code ./calm gui}): the
 * class given to {@code java} must not extend Application when JavaFX is on the class path.
 *
 * <p>Parameter {@code --project=DIR}: the project to open; without it the last project, else the
 * bundled sample (see {@link StartupProject}).
 */
public final class WorkbenchApp extends Application {
  /** How long a JVM shutdown waits for a running step and checkpoint. */
  static final long SHUTDOWN_WAIT_SECONDS = 60;

  private WorkbenchService service;
  private AppSettings settings;

  @Override
  public void start(Stage stage) {
    settings = AppSettings.load(AppSettings.defaultFile());
    Opened opened = open(stage, settings, getParameters().getNamed().get("project"));
    service = opened.service();
    // On SIGTERM or logout: stop training at a step boundary (saving a checkpoint) before the JVM ends.
    Runtime.getRuntime().addShutdownHook(new Thread(() -> {
      try {
        service.stopAndAwait(SHUTDOWN_WAIT_SECONDS, java.util.concurrent.TimeUnit.SECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }, "calm-shutdown"));
  }

  /** What {@link #open} made: the job service, the window's context and the window. */
  public record Opened(WorkbenchService service, WorkbenchContext context, MainWindow window) {}

  /**
   * Everything {@link #start} does but the shutdown hook: starts the job service (the engine is not
   * loaded: the first job that needs it loads it), shows the main window on {@code stage} and
   * opens the start-up project ({@code given}, else the start-up rules of {@link StartupProject}).
   * FX thread. {@code calm bench gui} calls it to measure the real window.
   */
  public static Opened open(Stage stage, AppSettings settings, String given) {
    return open(stage, settings, given, Platform::exit);
  }

  /**
   * {@link #open(Stage, AppSettings, String)} with the action the window's close handler runs once
   * it has closed for good ({@code Platform.exit()} there; the GUI session closes the window more
   * than once).
   */
  public static Opened open(Stage stage, AppSettings settings, String given, Runnable exit) {
    FxNotifier notifier = new FxNotifier();
    WorkbenchService service = WorkbenchService.start(new FxUiExecutor(), notifier);
    service.errors().installAsDefaultHandler();
    WorkbenchContext ctx = new WorkbenchContext(service, new EventBus(), settings);
    MainWindow window = show(stage, ctx, notifier, exit);
    StartupProject.Resolution r;
    try {
      r = StartupProject.resolve(given, settings, Path.of("").toAbsolutePath(), System.getProperty("calm.home"));
    } catch (RuntimeException e) {
      service.errors().report("Open project", e);
      return new Opened(service, ctx, window);
    }
    service.log().info("start-up project: " + (r.folder() == null ? "none" : r.folder()) + " — " + r.how());
    if (r.folder() != null) {
      ((ProjectPage) window.page(Pages.PROJECT)).viewModel().open(r.folder());
    }
    return new Opened(service, ctx, window);
  }

  /**
   * Builds the main window on {@code stage}: scene, style, remembered size, close guard. Tests
   * call this with their own context.
   */
  public static MainWindow show(Stage stage, WorkbenchContext ctx, FxNotifier notifier) {
    return show(stage, ctx, notifier, Platform::exit);
  }

  /**
   * {@link #show(Stage, WorkbenchContext, FxNotifier)} with the action run once the window has
   * closed for good ({@code calm gui}: {@code Platform.exit()}; a test that keeps the toolkit: nothing).
   */
  public static MainWindow show(Stage stage, WorkbenchContext ctx, FxNotifier notifier, Runnable exit) {
    AppSettings s = ctx.settings();
    MainWindow window = new MainWindow(ctx, Pages.ALL);
    // The remembered size, but never larger than this screen (it may be a smaller one than last time).
    javafx.geometry.Rectangle2D screen = javafx.stage.Screen.getPrimary().getVisualBounds();
    Scene scene = new Scene(window.root(), Math.min(s.windowWidth(), screen.getWidth()),
        Math.min(s.windowHeight(), screen.getHeight()));
    MainWindow.style(scene);
    stage.setScene(scene);
    stage.setTitle("CALM Workbench");
    stage.setMinWidth(Math.min(900, screen.getWidth()));
    stage.setMinHeight(Math.min(600, screen.getHeight()));
    if (Double.isFinite(s.windowX()) && Double.isFinite(s.windowY()) && screen.contains(s.windowX(), s.windowY())) {
      stage.setX(s.windowX());
      stage.setY(s.windowY());
    }
    stage.setMaximized(s.maximized());
    notifier.setOwner(stage);
    CloseGuard guard = new CloseGuard(ctx.service(), jobs -> confirmStop(stage, jobs));
    stage.setOnCloseRequest(e -> {
      s.window(stage.getX(), stage.getY(), stage.getWidth(), stage.getHeight(), stage.isMaximized());
      s.save();
      if (!guard.requestClose(() -> {
        stage.hide();
        exit.run();
      })) {
        e.consume();
      }
    });
    stage.show();
    return window;
  }

  private static boolean confirmStop(Stage owner, List<Job> training) {
    Alert a = new Alert(Alert.AlertType.CONFIRMATION);
    a.initOwner(owner);
    a.setTitle("Training is running");
    a.setHeaderText("Stop " + training.stream().map(Job::name).collect(Collectors.joining(", ")) + " and quit?");
    a.setContentText("Stopping saves a checkpoint first, so the run can be resumed later"
        + " (./calm ae train, lm train or ar train with --resume --out RUN_FOLDER). The window closes when it is saved.");
    ButtonType stop = new ButtonType("Stop, save and quit", ButtonBar.ButtonData.OK_DONE);
    ButtonType keep = new ButtonType("Keep training", ButtonBar.ButtonData.CANCEL_CLOSE);
    a.getButtonTypes().setAll(stop, keep);
    return a.showAndWait().orElse(keep) == stop;
  }

  @Override
  public void stop() {
    if (settings != null) {
      settings.save();
    }
    if (service != null) {
      service.close();
    }
  }
}
