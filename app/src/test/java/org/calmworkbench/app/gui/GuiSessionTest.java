package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
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
  Stage stage;
  final java.util.concurrent.atomic.AtomicInteger exits = new java.util.concurrent.atomic.AtomicInteger();

  @BeforeAll
  static void makeProject() throws Exception {
    project = TinyProject.create(shared.resolve("project"));
  }

  @Start
  void start(Stage stage) {
    this.stage = stage;
    gui = GuiWindow.show(stage, shared, project, exits::incrementAndGet);
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
      assertEquals(List.of("autoencoder", "CALM", "AR"), c.runs().stream().map(GuiSession.Run::kind).toList());
      for (GuiSession.Run run : c.runs()) {
        // a stopped run's job ends CANCELLED (it saved its checkpoint, which the cycle's generation then loaded)
        assertEquals(JobState.CANCELLED, run.state(), "cycle " + c.n() + ": " + run.kind() + " stopped cleanly");
        assertTrue(run.steps() >= 1, "cycle " + c.n() + ": " + run.kind() + " trained");
      }
      if (c.n() > 1) { // the previous cycle's autoencoder, CALM and AR checkpoints (the tiny project has no others)
        assertTrue(c.checkpointSwitches() >= 3, "cycle " + c.n() + ": " + c.checkpointSwitches() + " checkpoint switches");
      }
    }
    assertTrue(gui.service.unfinished().isEmpty());
    GuiSession.Cycle first = r.cycles().get(0);
    GuiSession.Cycle last = r.cycles().get(2);
    assertTrue(last.liveNdArrays() <= first.liveNdArrays(),
        "live NDArrays " + first.liveNdArrays() + " after cycle 1, " + last.liveNdArrays() + " after cycle 3");
    assertTrue(last.heapBytes() < first.heapBytes() + 64_000_000L,
        "heap " + first.heapBytes() + " bytes after cycle 1, " + last.heapBytes() + " after cycle 3");
    assertTrue(r.pulses() > 0, "the pulse timer ran");
    assertEquals(r.stalls(), r.gapCauses().values().stream().mapToInt(Integer::intValue).sum(), "every long gap has a cause");
  }

  /**
   * Closing the window (its close button) while an autoencoder trains: the window asks, "Stop, save
   * and quit" stops the job at a step boundary, it ends CANCELLED, the window closes and the exit
   * action runs once, and the checkpoint saved on the way out loads.
   */
  @Test
  void closingTheWindowDuringTrainingStopsTheJobAndSavesACheckpointThatLoads() throws Exception {
    closeDuring(GuiSession.JobKind.AUTOENCODER);
  }

  /** The same while a CALM model trains (on an autoencoder trained a few steps and stopped first). */
  @Test
  void closingTheWindowDuringCalmTrainingStopsTheJobAndSavesACheckpointThatLoads() throws Exception {
    closeDuring(GuiSession.JobKind.CALM);
  }

  /** The same while the AR baseline trains. */
  @Test
  void closingTheWindowDuringArTrainingStopsTheJobAndSavesACheckpointThatLoads() throws Exception {
    closeDuring(GuiSession.JobKind.AR);
  }

  private void closeDuring(GuiSession.JobKind kind) throws Exception {
    GuiSession.Closed c = GuiSession.closeDuringJob(stage, gui.window, gui.service, project.folder(), kind);
    System.out.println("GuiSessionTest: closed the window during " + kind + " training: " + c);
    assertEquals(kind, c.kind());
    assertEquals(JobState.CANCELLED, c.state(), kind + " job");
    assertTrue(c.windowHidden(), "the window closed");
    assertTrue(c.checkpointStep() >= 1, "a " + kind + " checkpoint after step 1: " + c.checkpointStep());
    assertEquals(c.checkpointStep(), c.loadedStep());
    gui.waitUntil(() -> gui.service.unfinished().isEmpty());
    gui.waitUntil(() -> exits.get() >= 1);
    assertEquals(1, exits.get(), "the exit action ran once the job had stopped");
    assertTrue(!GuiSession.dialogShowing(stage), "no question left open");
  }
}
