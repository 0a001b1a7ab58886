package org.calmworkbench.app.gui;

import static org.calmworkbench.app.gui.GuiWindow.fx;
import static org.calmworkbench.app.gui.GuiWindow.type;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.TableView;
import javafx.scene.text.TextFlow;
import javafx.stage.Stage;
import org.calmworkbench.app.gui.generator.GeneratorPage;
import org.calmworkbench.app.gui.generator.GeneratorViewModel;
import org.calmworkbench.app.gui.samplerlab.SamplerLabPage;
import org.calmworkbench.app.gui.samplerlab.SamplerLabViewModel;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.app.gui.service.WorkbenchService;
import org.calmworkbench.backend.generate.CalmGenerator.Method;
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
 * The Generator and Sampler lab pages in the real window, headless (Monocle), with the app's
 * service thread: text streams in from a tiny CALM model, Stop ends a long run, and the lab draws
 * its bars after Run. Waits are for conditions, never fixed sleeps.
 */
@ExtendWith(ApplicationExtension.class)
class GeneratorGuiTest {
  @TempDir static Path shared;
  static Project project;

  GuiWindow gui;
  WorkbenchService service;
  MainWindow window;

  @BeforeAll
  static void makeProject() throws Exception {
    project = TinyLanguageModels.create(shared.resolve("project"));
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

  GeneratorPage openGenerator() throws Exception {
    fx(() -> {
      window.select(GeneratorPage.TITLE);
      return null;
    });
    WaitForAsyncUtils.waitForFxEvents();
    return (GeneratorPage) window.page(GeneratorPage.TITLE);
  }

  @Test
  void generatedTextStreamsInWithOneShadePerStep(FxRobot robot) throws Exception {
    GeneratorPage page = openGenerator();
    GeneratorViewModel vm = page.viewModel();
    assertEquals(TinyLanguageModels.CALM, fx(() -> vm.calmCheckpointProperty().get().name()));
    fx(() -> {
      // The picker's button shows the folder name alone; the step and date are in its tooltip.
      javafx.scene.control.ComboBox<?> box = robot.lookup("#calm-checkpoint").queryAs(javafx.scene.control.ComboBox.class);
      javafx.scene.control.ListCell<?> cell = box.getButtonCell();
      assertEquals(TinyLanguageModels.CALM, cell.getText());
      assertEquals(vm.calmCheckpointProperty().get().toString(), cell.getTooltip().getText());
      return null;
    });
    type(robot, "#max-tokens", "32");
    robot.clickOn("#generate");
    Job job = gui.jobsOf(GeneratorViewModel.KIND).get(0);
    gui.waitUntil(() -> job.state().isFinal());
    assertEquals(JobState.DONE, job.state(), job.messageProperty().get());
    fx(() -> {
      TextFlow flow = page.calmOutput();
      List<Node> children = flow.getChildren();
      String prompt = children.stream().takeWhile(n -> n.getStyleClass().contains("prompt-piece"))
          .map(n -> ((Label) n).getText()).collect(java.util.stream.Collectors.joining());
      assertEquals(GeneratorViewModel.DEFAULT_PROMPT, prompt, "the prompt comes first");
      List<Label> pieces = children.stream().filter(n -> n.getStyleClass().contains("step-piece")).map(Label.class::cast)
          .toList();
      int steps = vm.calm().stepsProperty().get();
      assertTrue(steps >= 1);
      assertTrue(pieces.size() >= steps, pieces.size() + " pieces for " + steps + " steps");
      assertTrue(pieces.get(0).getStyleClass().contains("shade-a"));
      assertTrue(pieces.get(0).getTooltip().getText().startsWith("step 1: 4 tokens · 1 sampler call"),
          pieces.get(0).getTooltip().getText());
      if (steps >= 2) {
        assertTrue(pieces.stream().anyMatch(l -> l.getStyleClass().contains("shade-b")), "the second step is shaded apart");
      }
      assertEquals(steps, page.callsChart().categories().size(), "one bar per step");
      assertEquals(1.0, page.callsChart().value(GeneratorPage.CALLS_SERIES, "1"));
      String figures = ((Label) robot.lookup("#calm-figures").query()).getText();
      assertTrue(figures.contains("tokens/s") && figures.contains(steps + " steps"), figures);
      assertTrue(robot.lookup("#generate").queryAs(Button.class).isDisabled() == false);
      return null;
    });
  }

  @Test
  void theSamplesSpinnerShowsOneShadedContinuationPerSample(FxRobot robot) throws Exception {
    GeneratorPage page = openGenerator();
    GeneratorViewModel vm = page.viewModel();
    type(robot, "#max-tokens", "12");
    type(robot, "#seed", "5");
    fx(() -> {
      robot.lookup("#samples").queryAs(javafx.scene.control.Spinner.class).getValueFactory().setValue(3);
      return null;
    });
    assertEquals(3, fx(() -> vm.samplesProperty().get()), "the spinner sets S");
    robot.clickOn("#generate");
    Job job = gui.jobsOf(GeneratorViewModel.KIND).get(0);
    gui.waitUntil(() -> job.state().isFinal());
    assertEquals(JobState.DONE, job.state(), job.messageProperty().get());
    fx(() -> {
      assertEquals(3, page.calmOutputs());
      for (int s = 0; s < 3; s++) {
        String shown = page.calmOutput(s).getChildren().stream().filter(n -> n.getStyleClass().contains("step-piece"))
            .map(n -> ((Label) n).getText()).collect(java.util.stream.Collectors.joining());
        assertEquals(vm.calm().text(s).replace("\n", ""), shown.replace("∅", ""), "sample " + s + "'s flow");
      }
      List<String> headings = robot.from(page.calmOutput(0).getParent()).lookup(".sample-heading").queryAllAs(Label.class)
          .stream().map(Label::getText)
          .sorted().toList();
      assertEquals(List.of("sample 1 · seed 5", "sample 2 · seed 6", "sample 3 · seed 7"), headings);
      String figures = ((Label) robot.lookup("#calm-figures").query()).getText();
      assertTrue(figures.contains("tokens/s over 3 samples"), figures);
      return null;
    });
  }

  @Test
  void stopEndsALongRunAndTheNextOneStarts(FxRobot robot) throws Exception {
    GeneratorPage page = openGenerator();
    GeneratorViewModel vm = page.viewModel();
    fx(() -> {
      vm.methodProperty().set(Method.BATCH); // N draws per step: slow enough steps to press Stop during the run
      vm.candidatesProperty().set("2000");
      vm.maxTokensProperty().set(String.valueOf(GeneratorViewModel.MAX_TOKENS_LIMIT));
      return null;
    });
    robot.clickOn("#generate");
    Job job = gui.jobsOf(GeneratorViewModel.KIND).get(0);
    gui.waitUntil(() -> vm.calm().stepsProperty().get() >= 1);
    assertFalse(robot.lookup("#stop-generation").queryAs(Button.class).isDisabled());
    robot.clickOn("#stop-generation");
    gui.waitUntil(() -> job.state().isFinal());
    assertEquals(JobState.CANCELLED, job.state(), "a stopped run ends as cancelled");
    int steps = fx(() -> vm.calm().stepsProperty().get());
    assertTrue(steps < GeneratorViewModel.MAX_TOKENS_LIMIT / 4, "stopped after " + steps + " steps");
    assertEquals("stopped", fx(() -> vm.calm().stateProperty().get()));
    assertTrue(fx(() -> vm.statusProperty().get()).startsWith("CALM: stopped"), fx(() -> vm.statusProperty().get()));
    assertTrue(robot.lookup("#stop-generation").queryAs(Button.class).isDisabled());
    assertFalse(robot.lookup("#generate").queryAs(Button.class).isDisabled(), "ready for the next run");
  }

  @Test
  void theSamplerLabDrawsItsBarsAfterRun(FxRobot robot) throws Exception {
    fx(() -> {
      window.select(SamplerLabPage.TITLE);
      return null;
    });
    WaitForAsyncUtils.waitForFxEvents();
    SamplerLabPage page = (SamplerLabPage) window.page(SamplerLabPage.TITLE);
    assertEquals(List.of(SamplerLabPage.SERIES_P, SamplerLabPage.SERIES_TARGET), fx(() -> page.chart().seriesNames()),
        "before a run: p and the target");
    type(robot, "#lab-draws", "4000");
    robot.clickOn("#lab-run");
    gui.waitUntil(() -> page.viewModel().outcomeProperty().get() != null);
    fx(() -> {
      SamplerLabViewModel.Outcome o = page.viewModel().outcomeProperty().get();
      List<String> series = page.chart().seriesNames();
      assertEquals(4, series.size(), series.toString());
      assertEquals(List.of("A", "B", "C", "D", "E"), page.chart().categories());
      for (SamplerLabViewModel.MethodResult m : o.methods()) {
        for (int i = 0; i < 5; i++) {
          assertEquals(m.frequencies()[i], page.chart().value(m.name(), SamplerLabViewModel.categoryName(i)), 1e-12);
        }
      }
      assertEquals(o.target()[0], page.chart().value(SamplerLabPage.SERIES_TARGET, "A"), 1e-12);
      TableView<?> table = robot.lookup("#lab-table").queryAs(TableView.class);
      assertEquals(2, table.getItems().size());
      return null;
    });
    List<Job> jobs = gui.jobsOf(SamplerLabViewModel.KIND);
    assertTrue(jobs.isEmpty() || jobs.get(0).state() == JobState.DONE, "a quiet job that ended well");
  }
}
