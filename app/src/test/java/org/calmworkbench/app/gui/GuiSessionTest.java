package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import javafx.stage.Stage;
import org.calmworkbench.app.gui.bench.GuiSession;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.backend.project.Project;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.io.TempDir;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;

/**
 * A short long-session run (issue 13, goal 5): three cycles of open, train, pause, resume, stop
 * and every page through the real window (headless, Monocle). The 100-cycle run with its figures
 * is scripts/gui-session.sh; this one checks that the cycles work and that nothing grows with
 * them that must not: native tensors, and the heap beyond noise.
 */
@ExtendWith(ApplicationExtension.class)
class GuiSessionTest {
  static {
    // When this class is the first to start the toolkit on a busy machine (load 20 on 2 cores), the
    // first window took longer than the pom's 20 s; read once, by TestFX's first use in the JVM.
    System.setProperty("testfx.setup.timeout", "180000");
  }

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
  void stopJobs() throws Exception {
    gui.close();
  }

  @Test
  void cyclesOfTrainingAndPagesStopCleanlyAndLeakNoTensors() throws Exception {
    GuiSession.Result r = GuiSession.cycles(gui.window, gui.service, project.folder(), 3, System.out::println);
    assertEquals(3, r.cycles().size());
    for (GuiSession.Cycle c : r.cycles()) {
      // a stopped run's job ends CANCELLED (it saved its checkpoint; the 3-cycle script run: "cancelled after 2 steps")
      assertEquals(JobState.CANCELLED, c.jobState(), "cycle " + c.n() + " stopped cleanly");
      assertTrue(c.trainedSteps() >= 1, "cycle " + c.n() + " trained");
    }
    assertTrue(gui.service.unfinished().isEmpty());
    GuiSession.Cycle first = r.cycles().get(0);
    GuiSession.Cycle last = r.cycles().get(2);
    assertTrue(last.liveNdArrays() <= first.liveNdArrays(),
        "live NDArrays " + first.liveNdArrays() + " after cycle 1, " + last.liveNdArrays() + " after cycle 3");
    assertTrue(last.heapBytes() < first.heapBytes() + 64_000_000L,
        "heap " + first.heapBytes() + " bytes after cycle 1, " + last.heapBytes() + " after cycle 3");
    assertTrue(r.pulses() > 0, "the pulse timer ran");
  }
}
