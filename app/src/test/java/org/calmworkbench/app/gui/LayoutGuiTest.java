package org.calmworkbench.app.gui;

import static org.calmworkbench.app.gui.GuiWindow.fx;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import javafx.scene.Node;
import javafx.scene.Parent;
import javafx.scene.control.Labeled;
import javafx.scene.text.Text;
import javafx.stage.Stage;
import org.calmworkbench.app.gui.pages.PageSpec;
import org.calmworkbench.app.gui.pages.Pages;
import org.calmworkbench.backend.io.AtomicFiles;
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
 * At 1280x800, the smallest window the workbench supports, no page cuts a label, button, check box
 * or column name short: every visible {@link Labeled} shows its whole text (JavaFX replaces the end
 * of a text that does not fit with "..."). Checked on the bundled sample project, so the Generator
 * and the training pages show their real contents. The status bar's live job summary is exempt: it
 * is the one text that gives way, with the whole of it in its tooltip.
 */
@ExtendWith(ApplicationExtension.class)
class LayoutGuiTest {
  static final Path SAMPLE = Path.of("..", "sample-projects", "grammar-english").toAbsolutePath().normalize();
  @TempDir static Path shared;
  static Project project;
  GuiWindow gui;

  @BeforeAll
  static void copySampleProject() throws Exception {
    Path copy = shared.resolve("grammar-english");
    AtomicFiles.copyTree(SAMPLE, copy, rel -> rel.startsWith(".calm-cache"));
    project = Project.load(copy);
  }

  @Start
  void start(Stage stage) {
    gui = GuiWindow.show(stage, shared, project);
    stage.setWidth(1280);
    stage.setHeight(800);
  }

  @AfterEach
  void close() throws Exception {
    gui.close();
  }

  @Test
  void noPageCutsAText(FxRobot robot) throws Exception {
    List<String> clipped = new ArrayList<>();
    for (PageSpec page : Pages.ALL) {
      gui.open(robot, page.title());
      WaitForAsyncUtils.waitForFxEvents();
      clipped.addAll(fx(() -> clippedTexts(page.title(), gui.window.root())));
    }
    assertTrue(clipped.isEmpty(), "cut short at 1280x800:\n" + String.join("\n", clipped));
  }

  /** Every visible Labeled under {@code node} whose shown text is shorter than its text. */
  private static List<String> clippedTexts(String page, Node node) {
    List<String> out = new ArrayList<>();
    if (!node.isVisible()) {
      return out;
    }
    // The status bar's job summary is the one text designed to give way (its tooltip holds it whole).
    if (node instanceof Labeled l && l.getText() != null && !l.getText().isBlank() && !"job-summary".equals(l.getId())) {
      for (Node child : l.getChildrenUnmodifiable()) {
        if (child instanceof Text shown && child.isVisible() && !shown.getText().equals(l.getText())
            && (shown.getText().endsWith("...") || shown.getText().endsWith("\u2026"))) {
          out.add(page + ": " + l.getClass().getSimpleName() + (l.getId() == null ? "" : " #" + l.getId()) + " \""
              + l.getText() + "\" shown as \"" + shown.getText() + "\"");
        }
      }
    }
    if (node instanceof Parent p) {
      for (Node child : p.getChildrenUnmodifiable()) {
        out.addAll(clippedTexts(page, child));
      }
    }
    return out;
  }
}
