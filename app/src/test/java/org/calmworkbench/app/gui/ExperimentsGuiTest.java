package org.calmworkbench.app.gui;

import static org.calmworkbench.app.gui.GuiWindow.edit;
import static org.calmworkbench.app.gui.GuiWindow.fx;
import static org.calmworkbench.app.gui.GuiWindow.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.collections.ListChangeListener;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.calmworkbench.app.gui.experiments.CellRow;
import org.calmworkbench.app.gui.experiments.ExperimentFiles;
import org.calmworkbench.app.gui.experiments.ExperimentsPage;
import org.calmworkbench.app.gui.experiments.ExperimentsViewModel;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.backend.project.Project;
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
 * The Experiments page in the real window (headless): a toy grid run from the page fills its cells
 * in, Stop ends a running grid, and an invalid grid shows the parser's message and starts nothing.
 */
@ExtendWith(ApplicationExtension.class)
class ExperimentsGuiTest {
  @TempDir static Path shared;
  static Project project;
  GuiWindow gui;

  @BeforeAll
  static void makeProject() throws Exception {
    project = TinyExperiment.create(shared.resolve("project"), 4);
  }

  @Start
  void start(Stage stage) {
    gui = GuiWindow.show(stage, shared, project);
  }

  @AfterEach
  void stopJobs() throws Exception {
    gui.close();
  }

  ExperimentsPage openPage(FxRobot robot) {
    ExperimentsPage page = gui.open(robot, ExperimentsPage.TITLE);
    Path toy = project.folder().resolve(ExperimentFiles.FOLDER).resolve(TinyExperiment.FILE).toAbsolutePath().normalize();
    assertEquals(toy, robot.lookup("#experiment-file").queryAs(ComboBox.class).getValue());
    assertEquals("2", robot.lookup("#patch-sizes").queryAs(TextField.class).getText());
    return page;
  }

  /** The Status column of the cells table, as shown. */
  static List<String> statuses(TableView<CellRow> table) throws Exception {
    return fx(() -> {
      TableColumn<CellRow, ?> status = table.getColumns().get(table.getColumns().size() - 1);
      List<String> out = new ArrayList<>();
      for (int i = 0; i < table.getItems().size(); i++) {
        out.add(String.valueOf(status.getCellData(i)));
      }
      return out;
    });
  }

  @Test
  void aToyGridRunsFromThePageAndItsCellsFillIn(FxRobot robot) throws Exception {
    ExperimentsPage page = openPage(robot);
    type(robot, "#patch-sizes", "2, 4");
    TableView<CellRow> table = page.cellsTable();
    assertEquals(List.of("pending", "pending", "pending"), statuses(table));
    List<String> seen = fx(() -> {
      List<String> log = new ArrayList<>(); // the Status column after each change of the table
      table.getItems().addListener((ListChangeListener<CellRow>) c -> log.add(
          String.join(" ", table.getItems().stream().map(r -> r.status().replaceAll(" \\d+%$", "")).toList())));
      return log;
    });

    robot.clickOn("#run");
    Job job = gui.jobsOf(ExperimentsViewModel.KIND).get(0);
    gui.waitUntil(() -> job.state() == JobState.RUNNING);
    assertTrue(robot.lookup("#patch-sizes").queryAs(TextField.class).isDisabled(), "the grid is locked while it runs");
    gui.waitUntil(() -> job.state().isFinal());
    assertEquals(JobState.DONE, job.state(), job.messageProperty().get());
    WaitForAsyncUtils.waitForFxEvents();

    assertEquals(List.of("ok", "ok", "ok"), statuses(table));
    List<String> history = fx(() -> List.copyOf(seen));
    assertTrue(history.contains("running pending pending"), history.toString());
    assertTrue(history.contains("ok running pending"), "cells fill in one by one: " + history);
    assertTrue(history.contains("ok ok running"), history.toString());
    assertEquals("100 %", robot.lookup("#experiment-percent").queryAs(Label.class).getText());
    assertTrue(robot.lookup("#experiment-status").queryAs(Label.class).getText().startsWith("3 of 3 cells done"));
    assertEquals("3 of 3 cells finished", robot.lookup("#cells-done").queryAs(Label.class).getText());
    assertFalse(robot.lookup("#patch-sizes").queryAs(TextField.class).isDisabled());

    fx(() -> {
      for (String chart : List.of(ExperimentsViewModel.CHART_TRAIN, ExperimentsViewModel.CHART_INFER)) {
        for (String series : List.of("K = 2", "K = 4", ExperimentsViewModel.AR_SERIES)) {
          assertEquals(1, page.chart(chart).pointCount(series), chart + " " + series);
        }
      }
      assertEquals(List.of("2", "4", "AR"), page.stepsChart().categories());
      assertEquals(25.0, page.stepsChart().value(ExperimentsViewModel.STEPS_SERIES, "4"));
      assertEquals(3, page.summaryTable().getItems().size(), "one seed: one summary row per cell");
      return null;
    });

    Path csv = shared.resolve("cells.csv");
    fx(() -> {
      page.exportCellsCsv(csv);
      return null;
    });
    List<String> lines = Files.readAllLines(csv);
    assertEquals("K,Head,Input,L,Seed,BrierLM,Train FLOPs,Infer FLOPs/tok,Steps/100 tok,Tok/s,Status", lines.get(0));
    CellRow k4 = fx(() -> table.getItems().get(1));
    assertEquals("4,energy,discrete,16,1," + Csv.field(k4.brierLm()) + ","
        + Csv.field(k4.trainFlops()) + "," + Csv.field(k4.inferFlopsPerToken()) + ",25,"
        + Csv.field(k4.tokensPerSecond()) + ",ok", lines.get(2), "full-precision numbers");
    assertEquals(4, lines.size());
    Path summary = shared.resolve("summary.csv");
    Path png = shared.resolve("brier-train.png");
    fx(() -> {
      page.exportSummaryCsv(summary);
      page.chart(ExperimentsViewModel.CHART_TRAIN).writePng(png, 800, 500);
      return null;
    });
    assertEquals(4, Files.readAllLines(summary).size(), "a header and one row per configuration");
    assertTrue(Files.size(png) > 1000);
  }

  @Test
  void anInvalidGridShowsAValidationMessageAndStartsNoJob(FxRobot robot) throws Exception {
    openPage(robot);
    type(robot, "#patch-sizes", "0");
    Label message = robot.lookup("#validation-message").queryAs(Label.class);
    assertTrue(message.isVisible() && message.getText().contains(TinyExperiment.FILE + ": grid.patch_sizes: 0 is out of range"),
        message.getText());
    assertTrue(robot.lookup("#run").queryAs(Button.class).isDisabled());
    robot.push(KeyCode.CONTROL, KeyCode.ENTER); // the shortcut must not bypass validation
    WaitForAsyncUtils.waitForFxEvents();
    assertTrue(gui.jobsOf(ExperimentsViewModel.KIND).isEmpty());
    assertTrue(robot.lookup("#cells-table").queryAs(TableView.class).getItems().isEmpty());
    type(robot, "#patch-sizes", "2");
    assertFalse(message.isVisible());
    assertFalse(robot.lookup("#run").queryAs(Button.class).isDisabled());
  }

  @Test
  void stopEndsARunningGridAndItsCellStaysPending(FxRobot robot) throws Exception {
    ExperimentsPage page = openPage(robot);
    edit(robot, "#budget-value", "1000000");
    robot.clickOn("#run");
    Job job = gui.jobsOf(ExperimentsViewModel.KIND).get(0);
    gui.waitUntil(() -> job.state() == JobState.RUNNING && job.messageProperty().get().contains("language model")
        && job.progressProperty().get() > 0);
    gui.waitUntil(() -> page.cellsTable().getItems().get(0).status().matches("running \\d+%"));
    assertTrue(robot.lookup("#experiment-eta").queryAs(Label.class).getText().contains("cell 1/2"));
    robot.clickOn("#stop");
    gui.waitUntil(() -> job.state().isFinal());
    assertEquals(JobState.CANCELLED, job.state());
    WaitForAsyncUtils.waitForFxEvents();
    assertEquals(List.of("pending", "pending"), statuses(page.cellsTable()));
    assertTrue(robot.lookup("#experiment-status").queryAs(Label.class).getText().startsWith("Stopped after 0 of 2 cells"),
        robot.lookup("#experiment-status").queryAs(Label.class).getText());
    assertFalse(robot.lookup("#run").queryAs(Button.class).isDisabled(), "it can run again (and resume)");
  }
}
