package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.app.gui.TestContexts.RecordingNotifier;
import org.calmworkbench.app.gui.latent.LatentExplorerViewModel;
import org.calmworkbench.app.gui.latent.LatentExplorerViewModel.ChunkView;
import org.calmworkbench.app.gui.latent.LatentExplorerViewModel.ColourBy;
import org.calmworkbench.app.gui.latent.LatentExplorerViewModel.Colouring;
import org.calmworkbench.app.gui.latent.LatentExplorerViewModel.StepView;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.backend.inspect.LatentMap;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The Latent explorer's view model without a screen: jobs and UI updates on the test thread. */
class LatentExplorerViewModelTest {
  @TempDir static Path dir;
  static WorkbenchContext ctx;
  static LatentExplorerViewModel vm;

  @BeforeAll
  static void map() throws Exception {
    ctx = TestContexts.sameThread(dir.resolve("config"), new RecordingNotifier());
    ctx.setProject(TinyProject.createWithCheckpoint(dir.resolve("project")));
    vm = new LatentExplorerViewModel(ctx);
    vm.chunkCountProperty().set(150);
    Job job = vm.buildMap();
    assertEquals(JobState.DONE, job.state(), job.messageProperty().get());
  }

  static LatentMap.Point point(int i) {
    return vm.chunks().get(i).point();
  }

  @Test
  void theMapHoldsHeldOutChunksOfKTokensAtTheirPcaCoordinates() {
    assertEquals(TinyProject.CHECKPOINT, vm.checkpointProperty().get().name());
    assertTrue(vm.chunks().size() > 20 && vm.chunks().size() <= 150, vm.chunks().size() + " chunks");
    for (ChunkView c : vm.chunks()) {
      assertEquals(4, c.point().ids().length, "K of the tiny preset");
      assertEquals(4, c.input().size());
      assertEquals(c.point().errors(), c.decoded().stream().filter(t -> t.mismatch()).count());
    }
    assertTrue(vm.chunks().stream().anyMatch(c -> c.point().position() > 0), "several chunks per document");
    assertTrue(vm.chunks().stream().mapToDouble(c -> c.point().x()).max().getAsDouble()
        > vm.chunks().stream().mapToDouble(c -> c.point().x()).min().getAsDouble(), "the points spread along PC1");
    assertTrue(vm.xLabelProperty().get().matches("PC1 \\(\\d+% of the variance\\)"), vm.xLabelProperty().get());
    assertTrue(vm.statusProperty().get().contains("held-out chunks"), vm.statusProperty().get());
  }

  @Test
  void everyColouringPutsEachPointInTheGroupOfItsProperty() {
    List<LatentMap.Point> points = vm.chunks().stream().map(ChunkView::point).toList();
    vm.colourByProperty().set(ColourBy.ERRORS);
    Colouring errors = vm.colouringProperty().get();
    assertEquals(ColourBy.ERRORS, errors.by());
    assertTrue(errors.ordered());
    assertEquals(5, errors.labels().size(), "0 to K=4 wrong");
    for (int i = 0; i < points.size(); i++) {
      assertEquals(points.get(i).errors(), errors.groups()[i]);
    }
    vm.colourByProperty().set(ColourBy.POSITION);
    Colouring position = vm.colouringProperty().get();
    for (int i = 0; i < points.size(); i++) {
      assertEquals(Math.min(points.get(i).position(), position.labels().size() - 1), position.groups()[i]);
    }
    vm.colourByProperty().set(ColourBy.FIRST_TOKEN);
    Colouring first = vm.colouringProperty().get();
    assertFalse(first.ordered());
    for (int i = 0; i < points.size(); i++) {
      for (int j = 0; j < points.size(); j++) {
        if (points.get(i).firstToken().equals(points.get(j).firstToken())) {
          assertEquals(first.groups()[i], first.groups()[j], "the same first token, the same colour");
        }
      }
    }
    // The most frequent first token has group 0.
    int g0 = (int) points.stream().filter(p -> first.groups()[p.index()] == 0).count();
    for (int g = 1; g < first.labels().size() - 1; g++) {
      int gg = g;
      assertTrue(g0 >= points.stream().filter(p -> first.groups()[p.index()] == gg).count());
    }
  }

  @Test
  void clickingAChunkDrawsItsNoiseCloudAndSigmaZeroDecodesEveryCopyLikeTheMean() {
    vm.select(0, false);
    assertSame(vm.chunks().get(0), vm.selectedProperty().get());
    vm.sigmaProperty().set(0);
    LatentMap.Cloud clean = vm.cloudProperty().get();
    assertNotNull(clean);
    assertEquals(0.0, clean.sigma());
    assertEquals(LatentExplorerViewModel.CLOUD_SAMPLES, clean.samples().size());
    assertTrue(clean.samples().stream().allMatch(s -> s.matchesMean() && s.correct() == point(0).correct()));
    assertEquals(point(0).correct() ? 1.0 : 0.0, clean.fractionCorrect());
    vm.sigmaProperty().set(1.0);
    LatentMap.Cloud noisy = vm.cloudProperty().get();
    assertEquals(1.0, noisy.sigma());
    assertEquals(0, noisy.point());
    assertTrue(noisy.samples().stream().anyMatch(s -> !s.matchesMean()), "sigma 1 changes some decodes");
    assertTrue(noisy.samples().stream().anyMatch(s -> s.x() != point(0).x()), "the cloud spreads on the map");
    vm.sigmaProperty().set(0.3);
  }

  @Test
  void shiftClickingASecondChunkDecodesAlongTheLineBetweenThem() {
    // The 150-step test autoencoder decodes few chunks exactly: compare with the decodes of the means.
    LatentMap.Point a = point(0);
    LatentMap.Point b = vm.chunks().stream().map(ChunkView::point).filter(p -> !p.decodedText().equals(a.decodedText()))
        .findFirst().orElseThrow();
    vm.stepsProperty().set(8);
    vm.select(a.index(), false);
    vm.select(b.index(), true);
    assertEquals(a.index(), vm.selectedProperty().get().point().index(), "shift-click keeps the first selection");
    assertEquals(b.index(), vm.targetProperty().get().point().index());
    List<StepView> steps = vm.stepViews();
    assertEquals(9, steps.size());
    assertEquals(a.decodedText(), steps.get(0).text(), "t = 0 decodes as the first chunk's mean");
    assertEquals(b.decodedText(), steps.get(8).text(), "t = 1 decodes as the second chunk's mean");
    assertTrue(steps.get(0).likeFrom() && steps.get(8).likeTo());
    assertTrue(steps.stream().anyMatch(StepView::changed), "the text changes somewhere along the line");
    for (int s = 1; s < steps.size(); s++) {
      boolean differs = !steps.get(s).text().equals(steps.get(s - 1).text());
      assertEquals(differs, steps.get(s).changed());
      if (!differs) {
        assertTrue(steps.get(s).tokens().stream().noneMatch(t -> t.mismatch()), "no token marked in an unchanged step");
      }
    }
    vm.stepsProperty().set(4);
    assertEquals(5, vm.stepViews().size(), "changing the steps decodes the line again");
    vm.select(b.index(), false);
    assertNull(vm.targetProperty().get(), "a plain click starts over from one chunk");
    assertTrue(vm.stepViews().isEmpty());
    assertNull(vm.interpolationProperty().get());
  }

  @Test
  void withoutAProjectNothingIsMappedAndTheStatusSaysWhy() throws Exception {
    WorkbenchContext empty = TestContexts.sameThread(dir.resolve("config2"), new RecordingNotifier());
    LatentExplorerViewModel none = new LatentExplorerViewModel(empty);
    assertNull(none.buildMap());
    assertEquals("Open a project first.", none.statusProperty().get());
    none.select(0, false);
    assertNull(none.selectedProperty().get());
  }
}
