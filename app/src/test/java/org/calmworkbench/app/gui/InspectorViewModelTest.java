package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import org.calmworkbench.app.gui.TestContexts.RecordingNotifier;
import org.calmworkbench.app.gui.inspector.InspectorViewModel;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class InspectorViewModelTest {
  @TempDir Path dir;

  @Test
  void noiseChangesTheDecodedTextAndChunksFollowK() throws Exception {
    WorkbenchContext ctx = TestContexts.sameThread(dir.resolve("config"), new RecordingNotifier());
    ctx.setProject(TinyProject.createWithCheckpoint(dir.resolve("project")));
    InspectorViewModel vm = new InspectorViewModel(ctx);
    assertEquals(TinyProject.CHECKPOINT, vm.checkpointProperty().get().name(), "the newest checkpoint is picked");
    String clean = vm.decodedTextProperty().get();
    assertFalse(clean.isEmpty());
    int k = vm.patchSizeProperty().get();
    assertEquals(4, k);
    assertTrue(vm.chunks().stream().allMatch(c -> c.input().size() == k && c.decoded().size() == k));
    assertEquals(16, vm.selectedChunkProperty().get().mean().length, "latent L of the tiny preset");

    vm.sigmaProperty().set(1.0);
    assertNotEquals(clean, vm.decodedTextProperty().get());
    assertTrue(vm.mismatchesProperty().get() > 0);
    assertTrue(vm.chunks().stream().anyMatch(c -> c.decoded().stream().anyMatch(InspectorViewModel.TokenView::mismatch)));

    vm.sigmaProperty().set(0.0);
    assertEquals(clean, vm.decodedTextProperty().get(), "same sigma, same seed: the same text again");
  }

  @Test
  void theAccuracyCurveHasOnePointPerSigmaAndFallsWithNoise() throws Exception {
    WorkbenchContext ctx = TestContexts.sameThread(dir.resolve("config"), new RecordingNotifier());
    ctx.setProject(TinyProject.createWithCheckpoint(dir.resolve("project")));
    InspectorViewModel vm = new InspectorViewModel(ctx);
    Job j = vm.measureCurve();
    assertEquals(JobState.DONE, j.state(), j.messageProperty().get());
    var tokens = vm.curvePoints().stream().filter(p -> p.series().equals(TinyProject.CHECKPOINT + " tokens")).toList();
    assertEquals(11, tokens.size());
    assertEquals(0.0, tokens.get(0).x());
    assertTrue(tokens.get(0).y() > tokens.get(10).y(), "accuracy at sigma 0 beats sigma 1: " + tokens);
    vm.measureCurve();
    assertEquals(22, vm.curvePoints().size(), "measuring again replaces the checkpoint's curves");
  }
}
