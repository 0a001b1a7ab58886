package org.calmworkbench.app.gui;

import static org.calmworkbench.app.gui.GuiWindow.fx;
import static org.calmworkbench.app.gui.GuiWindow.type;
import static org.calmworkbench.app.gui.GuiWindow.edit;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.calmworkbench.app.gui.lmtrain.LmTrainingPage;
import org.calmworkbench.app.gui.lmtrain.LmTrainingViewModel;
import org.calmworkbench.app.gui.runs.RunsPage;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.app.gui.service.WorkbenchService;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.csv.Csv;
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
 * The CALM training and Runs pages in the real window, headless (Monocle), in the style of
 * {@link GuiWorkbenchTest}: the app's service thread and FX dispatcher, a small generated project
 * with a tiny trained autoencoder, waits for conditions rather than fixed sleeps.
 */
@ExtendWith(ApplicationExtension.class)
class GuiLmAndRunsTest {
  @TempDir static Path shared;
  static Project project;

  GuiWindow gui;
  WorkbenchService service;
  MainWindow window;

  @BeforeAll
  static void makeProject() throws Exception {
    project = TinyProject.createWithCheckpoint(shared.resolve("project"));
  }

  @Start
  void start(Stage stage) {
    gui = GuiWindow.show(stage, shared, project);
    service = gui.service;
    window = gui.window;
  }

  @AfterEach
  void stopJobs() throws Exception {
    gui.close();
  }

  LmTrainingPage openCalm(FxRobot robot) throws Exception {
    gui.open(robot, LmTrainingPage.TITLE);
    LmTrainingPage page = (LmTrainingPage) window.page(LmTrainingPage.TITLE);
    fx(() -> {
      page.viewModel().presetProperty().set("tiny");
      return null;
    });
    assertEquals("tiny", robot.lookup("#lm-preset").queryAs(ComboBox.class).getValue());
    assertEquals(TinyProject.CHECKPOINT, ((org.calmworkbench.backend.project.RunStore.Checkpoint)
        robot.lookup("#autoencoder").queryAs(ComboBox.class).getValue()).name());
    for (String[] kv : new String[][] {{"eval_every", "2"}, {"batch_size", "4"}, {"context_chunks", "4"},
        {"target_samples", "4"}, {"eval_positions", "16"}}) {
      edit(robot, "#setting-" + kv[0], kv[1]);
    }
    return page;
  }

  @Test
  void aTinyCalmRunCompletesFromTheUiAndItsChartsReceivePoints(FxRobot robot) throws Exception {
    LmTrainingPage page = openCalm(robot);
    edit(robot, "#setting-steps", "4");
    type(robot, "#setting-num_attention_heads", "3"); // 64 does not split into 3 heads
    Label message = robot.lookup("#validation-message").queryAs(Label.class);
    assertTrue(message.isVisible() && message.getText().contains("must split into num_attention_heads heads"),
        message.getText());
    assertTrue(robot.lookup("#train").queryAs(Button.class).isDisabled());
    robot.push(KeyCode.CONTROL, KeyCode.ENTER); // the shortcut must not bypass validation
    WaitForAsyncUtils.waitForFxEvents();
    assertTrue(gui.jobsOf(LmTrainingViewModel.KIND).isEmpty());
    type(robot, "#setting-num_attention_heads", "4");
    assertFalse(message.isVisible());
    assertFalse(robot.lookup("#train").queryAs(Button.class).isDisabled());
    robot.clickOn("#train");
    Job job = gui.jobsOf(LmTrainingViewModel.KIND).get(0);
    gui.waitUntil(() -> job.state().isFinal());
    assertEquals(JobState.DONE, job.state(), job.messageProperty().get());
    WaitForAsyncUtils.waitForFxEvents();
    fx(() -> {
      assertTrue(page.chart(LmTrainingViewModel.CHART_LOSS).pointCount(LmTrainingViewModel.SERIES_LOSS) > 0);
      assertEquals(2, page.chart(LmTrainingViewModel.CHART_BRIER).pointCount(LmTrainingViewModel.SERIES_BRIER_LM));
      assertEquals(2, page.chart(LmTrainingViewModel.CHART_BRIER_N).pointCount(LmTrainingViewModel.brierSeries(4)));
      return null;
    });
    assertEquals("100 %", robot.lookup("#train-percent").queryAs(Label.class).getText());
    // The FLOPs axis redraws the same points at x = step x FLOPs per step.
    double lastStepX = fx(() -> page.chart(LmTrainingViewModel.CHART_BRIER).chart().getXYPlot().getDataset().getXValue(0, 1));
    assertEquals(4.0, lastStepX);
    fx(() -> {
      page.viewModel().xAxisProperty().set(org.calmworkbench.app.gui.lmtrain.LmPoint.XAxis.FLOPS);
      return null;
    });
    double lastFlopsX = fx(() -> page.chart(LmTrainingViewModel.CHART_BRIER).chart().getXYPlot().getDataset().getXValue(0, 1));
    assertTrue(lastFlopsX > 1e6, "x = " + lastFlopsX);

    // The Runs page lists the new run beside the autoencoder, and exports the table.
    gui.open(robot, RunsPage.TITLE);
    RunsPage runs = (RunsPage) window.page(RunsPage.TITLE);
    TableView<?> table = robot.lookup("#runs-table").queryAs(TableView.class);
    String name = page.viewModel().runFolderProperty().get().getFileName().toString();
    gui.waitUntil(() -> table.getItems().stream().anyMatch(r -> ((RunStore.Run) r).name().equals(name)));
    RunStore.Run calm = fx(() -> runs.viewModel().runs().stream().filter(r -> r.name().equals(name)).findFirst().orElseThrow());
    assertEquals(RunStore.CALM, calm.type());
    assertEquals(4, calm.steps());
    assertTrue(Double.isFinite(calm.brierLm()));
    fx(() -> {
      table.getSelectionModel().selectAll();
      return null;
    });
    fx(() -> {
      runs.viewModel().metricProperty().set("loss");
      return null;
    });
    assertTrue(fx(() -> runs.chart().pointCount("CALM " + name) == 4));
    assertTrue(fx(() -> runs.chart().pointCount("AE " + TinyProject.CHECKPOINT) > 0));
    Path csv = shared.resolve("runs.csv");
    fx(() -> {
      runs.exportTableCsv(csv);
      return null;
    });
    List<String> lines = Files.readAllLines(csv);
    assertEquals("Type,Name,Steps,Final loss,BrierLM,Date,Trained by,Checkpoints,Folder", lines.get(0));
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("CALM," + name + ",4," + Csv.field(calm.finalLoss()) + ","
        + Csv.field(calm.brierLm()) + ",")),
        lines.toString());
    assertTrue(lines.stream().anyMatch(l -> l.startsWith("AE," + TinyProject.CHECKPOINT + ",300,")), lines.toString());
    Path png = shared.resolve("runs.png");
    fx(() -> {
      runs.chart().writePng(png, 800, 500);
      return null;
    });
    assertTrue(Files.size(png) > 1000);
  }

  @Test
  void stopCancelsARunningCalmJobAfterSavingACheckpoint(FxRobot robot) throws Exception {
    LmTrainingPage page = openCalm(robot);
    edit(robot, "#setting-steps", "1000000");
    robot.clickOn("#train");
    Job job = gui.jobsOf(LmTrainingViewModel.KIND).get(0);
    gui.waitUntil(() -> job.state() == JobState.RUNNING && job.progressProperty().get() > 0);
    robot.clickOn("#stop");
    gui.waitUntil(() -> job.state().isFinal());
    assertEquals(JobState.CANCELLED, job.state());
    assertTrue(Files.exists(page.viewModel().runFolderProperty().get().resolve("trainer_state.json")));
    gui.waitUntil(() -> page.viewModel().statusProperty().get().startsWith("CALM stopped at step"));
    assertFalse(robot.lookup("#train").queryAs(Button.class).isDisabled(), "a new run can start");
  }
}
