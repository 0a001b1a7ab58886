package org.calmworkbench.app.gui;

import static org.calmworkbench.app.gui.GuiWindow.fx;
import static org.calmworkbench.app.gui.GuiWindow.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.Slider;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.calmworkbench.app.gui.aetrain.AeTrainingPage;
import org.calmworkbench.app.gui.aetrain.AeTrainingViewModel;
import org.calmworkbench.app.gui.inspector.InspectorPage;
import org.calmworkbench.app.gui.pages.PageSpec;
import org.calmworkbench.app.gui.pages.Pages;
import org.calmworkbench.app.gui.project.ProjectPage;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.app.gui.service.WorkbenchService;
import org.calmworkbench.backend.project.Project;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The real window, headless (Monocle): the same service thread, FX dispatcher and pages as the
 * app, on a small generated project with a tiny trained checkpoint. Waits are for conditions (with
 * a generous limit), never fixed sleeps.
 */
@ExtendWith(ApplicationExtension.class)
class GuiWorkbenchTest {
  @TempDir static Path shared;
  static Project project;

  GuiWindow gui;
  WorkbenchService service;
  WorkbenchContext ctx;
  MainWindow window;

  @BeforeAll
  static void makeProject() throws Exception {
    project = TinyProject.createWithCheckpoint(shared.resolve("project"));
  }

  @Start
  void start(Stage stage) {
    gui = GuiWindow.show(stage, shared, project);
    service = gui.service;
    ctx = gui.ctx;
    window = gui.window;
  }

  @AfterEach
  void stopJobs() throws Exception {
    gui.close();
  }

  // ---- helpers ------------------------------------------------------------------------------

  AeTrainingPage openTraining(FxRobot robot) {
    robot.clickOn(robot.lookup("#navigation").queryAs(ListView.class).lookupAll(".list-cell").stream()
        .filter(n -> Pages.AE_TRAINING.equals(((javafx.scene.control.ListCell<?>) n).getText())).findFirst().orElseThrow());
    return (AeTrainingPage) window.page(Pages.AE_TRAINING);
  }

  // ---- tests --------------------------------------------------------------------------------

  @Test
  void theMainWindowOpensWithEveryPageInTheNavigation(FxRobot robot) throws Exception {
    ListView<?> nav = robot.lookup("#navigation").queryAs(ListView.class);
    assertEquals(Pages.ALL, nav.getItems());
    assertEquals(9, nav.getItems().size());
    for (PageSpec spec : Pages.ALL) {
      fx(() -> {
        window.select(spec.title());
        return null;
      });
      assertEquals(spec, window.currentPage());
    }
    assertEquals(List.of("Project", "Autoencoder training", "Reconstruction inspector", "Latent explorer", "CALM training",
        "Generator", "Runs", "Experiments", "Sampler lab"),
        Pages.ALL.stream().map(PageSpec::title).toList());
    gui.waitUntil(() -> !((ProjectPage) window.page(Pages.PROJECT)).viewModel().stats().isEmpty());
  }

  @Test
  void invalidHyperparametersShowAValidationMessageAndDoNotStartAJob(FxRobot robot) throws Exception {
    AeTrainingPage page = openTraining(robot);
    type(robot, "#setting-lr", "5");
    Label message = robot.lookup("#validation-message").queryAs(Label.class);
    assertTrue(message.isVisible());
    assertTrue(message.getText().contains("lr = 5 is out of range"), message.getText());
    assertTrue(robot.lookup("#train").queryAs(Button.class).isDisabled());
    robot.push(KeyCode.CONTROL, KeyCode.ENTER); // the shortcut must not bypass validation
    WaitForAsyncUtils.waitForFxEvents();
    assertTrue(gui.jobsOf(AeTrainingViewModel.KIND).isEmpty());
    assertEquals("Not started: fix the settings first.", page.viewModel().statusProperty().get());
    type(robot, "#setting-lr", "0.003");
    assertFalse(message.isVisible());
    assertFalse(robot.lookup("#train").queryAs(Button.class).isDisabled());
  }

  @Test
  void aTinyTrainingJobRunsToCompletionFromTheUiAndItsChartsReceivePoints(FxRobot robot) throws Exception {
    AeTrainingPage page = openTraining(robot);
    assertEquals("tiny", robot.lookup("#preset").queryAs(ComboBox.class).getValue());
    type(robot, "#setting-steps", "20");
    robot.clickOn("#train");
    List<Job> jobs = gui.jobsOf(AeTrainingViewModel.KIND);
    assertEquals(1, jobs.size());
    Job job = jobs.get(0);
    gui.waitUntil(() -> job.state().isFinal());
    assertEquals(JobState.DONE, job.state(), job.messageProperty().get());
    fx(() -> {
      assertTrue(page.chart(AeTrainingViewModel.CHART_CE).pointCount(AeTrainingViewModel.SERIES_CE) > 0);
      assertTrue(page.chart(AeTrainingViewModel.CHART_KL).pointCount(AeTrainingViewModel.SERIES_KL) > 0);
      assertTrue(page.chart(AeTrainingViewModel.CHART_ACCURACY).pointCount(AeTrainingViewModel.SERIES_VALID_ACC) > 0);
      assertTrue(page.chart(AeTrainingViewModel.CHART_CE).toCsv().lines().count() > 1);
      return null;
    });
    WaitForAsyncUtils.waitForFxEvents();
    assertEquals("100 %", robot.lookup("#train-percent").queryAs(Label.class).getText());
    Path run = page.viewModel().runFolderProperty().get();
    assertTrue(Files.exists(run.resolve("model.safetensors")));
    ListView<?> checkpoints = robot.lookup("#checkpoints").queryAs(ListView.class);
    assertTrue(checkpoints.getItems().stream().anyMatch(i -> i.toString().startsWith(run.getFileName().toString())),
        checkpoints.getItems().toString());
    Path png = shared.resolve("ce.png");
    fx(() -> {
      page.chart(AeTrainingViewModel.CHART_CE).writePng(png, 800, 500);
      return null;
    });
    assertTrue(Files.size(png) > 1000);
  }

  @Test
  void stopCancelsARunningTrainingJobAfterSavingACheckpoint(FxRobot robot) throws Exception {
    AeTrainingPage page = openTraining(robot);
    type(robot, "#setting-steps", "1000000");
    robot.clickOn("#train");
    Job job = gui.jobsOf(AeTrainingViewModel.KIND).get(0);
    gui.waitUntil(() -> job.state() == JobState.RUNNING && job.progressProperty().get() > 0);
    robot.clickOn("#stop");
    gui.waitUntil(() -> job.state().isFinal());
    assertEquals(JobState.CANCELLED, job.state());
    assertTrue(Files.exists(page.viewModel().runFolderProperty().get().resolve("trainer_state.json")));
    assertTrue(page.viewModel().statusProperty().get().startsWith("Stopped at step"), page.viewModel().statusProperty().get());
  }

  @Test
  void theSigmaSliderChangesTheDecodedText(FxRobot robot) throws Exception {
    fx(() -> {
      window.select(Pages.INSPECTOR);
      return null;
    });
    WaitForAsyncUtils.waitForFxEvents(); // skins (the split pane's) are made on the next pulse
    InspectorPage page = (InspectorPage) window.page(Pages.INSPECTOR);
    // The fixture's trained checkpoint, not a run another test of this window started and stopped
    // after a few steps (the picker selects the newest, and such a run decodes one repeated token).
    fx(() -> {
      page.viewModel().checkpointProperty().set(page.viewModel().checkpoints().stream()
          .filter(i -> i.name().equals(TinyProject.CHECKPOINT)).findFirst().orElseThrow());
      return null;
    });
    Label decoded = robot.lookup("#decoded-text").queryAs(Label.class);
    gui.waitUntil(() -> !decoded.getText().isEmpty() && page.viewModel().statusProperty().get().contains("sigma 0.00")
        && page.viewModel().checkpointProperty().get().name().equals(TinyProject.CHECKPOINT));
    gui.waitUntil(() -> !page.viewModel().decodingProperty().get()); // the first pick's decode may end first
    WaitForAsyncUtils.waitForFxEvents();
    String clean = decoded.getText();
    javafx.scene.layout.FlowPane chunkPane = robot.lookup("#chunks").queryAs(javafx.scene.layout.FlowPane.class);
    assertTrue(chunkPane.getChildren().size() >= 2, "chunks shown: " + chunkPane.getChildren().size());
    // Clicking a chunk moves the highlight to it; the chunks are not built again.
    List<Node> before = List.copyOf(chunkPane.getChildren());
    robot.clickOn(before.get(1));
    gui.waitUntil(() -> before.get(1).getStyleClass().contains("selected"));
    assertFalse(before.get(0).getStyleClass().contains("selected"), "one chunk highlighted");
    assertEquals(before, List.copyOf(chunkPane.getChildren()), "the same chunk boxes");
    assertEquals(1, page.viewModel().selectedChunkProperty().get().index());
    Slider slider = robot.lookup("#sigma").queryAs(Slider.class);
    fx(() -> {
      slider.requestFocus(); // then End: the keyboard moves it to 1.0, as a person could
      return null;
    });
    robot.push(KeyCode.END);
    gui.waitUntil(() -> page.viewModel().statusProperty().get().contains("sigma 1.00"));
    assertEquals(1.0, slider.getValue());
    assertNotEquals(clean, decoded.getText());
    assertFalse(robot.lookup(".token.mismatch").queryAll().isEmpty(), "wrong tokens are highlighted");
    Node heat = robot.lookup("#latent-heatmap").query();
    assertEquals(16, ((org.calmworkbench.visualizers.HeatMapView) heat).data().length);
  }
}
