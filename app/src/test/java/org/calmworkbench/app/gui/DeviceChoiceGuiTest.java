package org.calmworkbench.app.gui;

import static org.calmworkbench.app.gui.GuiWindow.fx;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.stage.Stage;
import org.calmworkbench.app.gui.service.JobSpec;
import org.calmworkbench.app.gui.service.LogModel;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.project.Project;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.api.FxRobot;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * The status bar's device selector: choosing records the preference without touching the engine,
 * the next job resolves it, and then the bar shows the device used (on this CPU build, gpu falls
 * back to the CPU and says so in the log). It is disabled while a job runs.
 */
@ExtendWith(ApplicationExtension.class)
class DeviceChoiceGuiTest {
  @TempDir static Path shared;
  static Project project;
  GuiWindow gui;

  @BeforeAll
  static void makeProject() throws Exception {
    project = TinyProject.create(shared.resolve("project"));
  }

  @Start
  void start(Stage stage) {
    gui = GuiWindow.show(stage, shared, project);
  }

  @AfterEach
  void restore() throws Exception {
    gui.close();
    ComputeDevice.prefer(ComputeDevice.defaultPreference());
  }

  @Test
  @SuppressWarnings("unchecked")
  void choosingGpuAppliesFromTheNextJobAndShowsTheFallbackOnThisCpuBuild(FxRobot robot) throws Exception {
    ComboBox<ComputeDevice.Preference> choice = robot.lookup("#device-choice").queryAs(ComboBox.class);
    Label used = robot.lookup("#device-used").queryAs(Label.class);
    gui.waitUntil(() -> gui.service.unfinished().isEmpty());
    assertEquals(ComputeDevice.preference(), fx(choice::getValue));

    fx(() -> {
      choice.setValue(ComputeDevice.Preference.GPU);
      return null;
    });
    assertEquals(ComputeDevice.Preference.GPU, ComputeDevice.preference());
    assertEquals("device: at the next job", fx(used::getText));

    // A job that needs a model resolves the device on the service thread, as every training job does.
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    fx(() -> gui.service.submit(JobSpec.of("device check", "test"), ctx -> {
      running.countDown();
      release.await(30, TimeUnit.SECONDS);
      return ComputeDevice.current();
    }, r -> {}));
    assertTrue(running.await(30, TimeUnit.SECONDS));
    assertTrue(fx(choice::isDisabled), "no device change while a job runs");
    release.countDown();
    gui.waitUntil(() -> gui.service.unfinished().isEmpty() && !choice.isDisabled());

    assertEquals("device: cpu (fallback)", fx(used::getText));
    assertTrue(fx(() -> gui.service.log().entries().stream()
        .anyMatch(e -> e.level() == LogModel.Level.WARNING && e.text().startsWith("--device gpu:"))),
        "the fallback is in the log");
  }
}
