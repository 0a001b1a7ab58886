package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import javafx.geometry.Point2D;
import javafx.scene.control.Label;
import javafx.scene.input.KeyCode;
import javafx.stage.Stage;
import org.calmworkbench.app.gui.latent.LatentExplorerPage;
import org.calmworkbench.app.gui.latent.LatentExplorerViewModel;
import org.calmworkbench.backend.inspect.LatentMap;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.visualizers.ScatterView;
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
 * The Latent explorer in the real window, headless (Monocle), with the app's service thread and
 * the tiny trained checkpoint: the map draws itself when the page opens, a click on a dot selects
 * its chunk and draws its noise cloud, a shift-click on a second dot draws the interpolation.
 */
@ExtendWith(ApplicationExtension.class)
class LatentExplorerGuiTest {
  @TempDir static Path shared;
  static Project project;

  GuiWindow gui;
  MainWindow window;

  @BeforeAll
  static void makeProject() throws Exception {
    project = TinyProject.createWithCheckpoint(shared.resolve("project"));
  }

  @Start
  void start(Stage stage) {
    gui = GuiWindow.show(stage, shared, project);
    window = gui.window;
  }

  @AfterEach
  void stopJobs() throws Exception {
    gui.close();
  }

  /** The dot of the map farthest from {@code from} (screen coordinates), so no other dot covers it. */
  static int farthest(ScatterView scatter, Point2D from) {
    int best = 0;
    double bestD = -1;
    for (int i = 0; i < scatter.pointCount(LatentExplorerPage.LAYER_CHUNKS); i++) {
      double d = scatter.screenPoint(LatentExplorerPage.LAYER_CHUNKS, i).distance(from);
      if (d > bestD) {
        bestD = d;
        best = i;
      }
    }
    return best;
  }

  @Test
  void clickAndShiftClickOnTheMapShowACloudAndAnInterpolation(FxRobot robot) throws Exception {
    GuiWindow.fx(() -> {
      window.select(LatentExplorerPage.TITLE);
      return null;
    });
    LatentExplorerPage page = (LatentExplorerPage) window.page(LatentExplorerPage.TITLE);
    LatentExplorerViewModel vm = page.viewModel();
    ScatterView scatter = page.scatter();
    gui.waitUntil(() -> !vm.chunks().isEmpty() && !vm.mappingProperty().get());
    gui.waitUntil(() -> scatter.pointCount(LatentExplorerPage.LAYER_CHUNKS) == vm.chunks().size()
        && scatter.screenPoint(LatentExplorerPage.LAYER_CHUNKS, 0) != null);
    assertTrue(GuiWindow.fx(() -> vm.statusProperty().get()).contains("held-out chunks"));

    // A click on a dot selects its chunk and draws its noise cloud.
    Point2D center = GuiWindow.fx(() -> scatter.localToScreen(scatter.getWidth() / 2, scatter.getHeight() / 2));
    int a = GuiWindow.fx(() -> farthest(scatter, center));
    Point2D pa = GuiWindow.fx(() -> scatter.screenPoint(LatentExplorerPage.LAYER_CHUNKS, a));
    robot.clickOn(pa);
    gui.waitUntil(() -> vm.selectedProperty().get() != null && vm.cloudProperty().get() != null);
    LatentMap.Point selected = GuiWindow.fx(() -> vm.selectedProperty().get().point());
    assertTrue(GuiWindow.fx(() -> scatter.screenPoint(LatentExplorerPage.LAYER_CHUNKS, selected.index()).distance(pa)) < 10,
        "the clicked dot is selected: clicked " + a + " at " + pa + ", selected " + selected.index() + " at "
            + GuiWindow.fx(() -> scatter.screenPoint(LatentExplorerPage.LAYER_CHUNKS, selected.index())));
    assertEquals("\"" + selected.text() + "\"", robot.lookup("#latent-selected-text").queryAs(Label.class).getText());
    GuiWindow.fx(() -> {
      assertEquals(LatentExplorerViewModel.CLOUD_SAMPLES, scatter.pointCount(LatentExplorerPage.LAYER_CLOUD_RIGHT)
          + scatter.pointCount(LatentExplorerPage.LAYER_CLOUD_WRONG));
      assertEquals(1, scatter.pointCount(LatentExplorerPage.LAYER_SELECTED));
      return null;
    });
    assertTrue(robot.lookup("#latent-cloud-summary").queryAs(Label.class).getText().contains("decode to the chunk"));

    // A shift-click on the dot farthest from it interpolates between the two.
    int b = GuiWindow.fx(() -> farthest(scatter, pa));
    Point2D pb = GuiWindow.fx(() -> scatter.screenPoint(LatentExplorerPage.LAYER_CHUNKS, b));
    robot.press(KeyCode.SHIFT).clickOn(pb).release(KeyCode.SHIFT);
    int steps = GuiWindow.fx(() -> vm.stepsProperty().get());
    gui.waitUntil(() -> vm.targetProperty().get() != null && vm.stepViews().size() == steps + 1);
    GuiWindow.fx(() -> {
      assertEquals(selected.index(), vm.selectedProperty().get().point().index(), "shift-click keeps the first chunk");
      assertEquals(steps + 1, page.stepRows().size());
      assertEquals(steps + 1, scatter.pointCount(LatentExplorerPage.LAYER_LINE));
      assertEquals(1, scatter.pointCount(LatentExplorerPage.LAYER_TARGET));
      assertEquals(vm.stepViews().stream().filter(LatentExplorerViewModel.StepView::changed).count(),
          page.stepRows().stream().filter(n -> n.getStyleClass().contains("changed")).count(), "changed rows are marked");
      return null;
    });

    // Colour by reconstruction errors: the legend follows; the chart exports as PNG.
    GuiWindow.fx(() -> {
      vm.colourByProperty().set(LatentExplorerViewModel.ColourBy.ERRORS);
      return null;
    });
    WaitForAsyncUtils.waitForFxEvents();
    String firstKey = GuiWindow.fx(() -> scatter.chart().getXYPlot().getFixedLegendItems().get(0).getLabel());
    assertTrue(firstKey.endsWith("wrong"), firstKey);
    Path png = shared.resolve("latent.png");
    GuiWindow.fx(() -> {
      scatter.writePng(png, 900, 700);
      return null;
    });
    assertTrue(Files.size(png) > 1000);
    assertNotNull(robot.lookup("#latent-map").query());
  }
}
