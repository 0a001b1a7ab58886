package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.app.gui.latent.LatentExplorerViewModel.StepView;
import org.calmworkbench.app.gui.latent.LatentExplorerViewModel;
import org.calmworkbench.backend.inspect.LatentMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The Latent explorer's counts and summary lines, computed by its view model (no model, no screen). */
class LatentExplorerTextTest {
  static LatentMap.Cloud cloud(boolean[] correct, int outcomes) {
    List<LatentMap.Sample> samples = new ArrayList<>();
    for (boolean c : correct) {
      samples.add(new LatentMap.Sample(0, 0, new int[] {1}, c ? "the" : "a", c, c));
    }
    List<LatentMap.Outcome> out = new ArrayList<>();
    for (int i = 0; i < outcomes; i++) {
      out.add(new LatentMap.Outcome("decode " + i, outcomes - i, i == 0));
    }
    return new LatentMap.Cloud(0, 0.3, 7, samples, out);
  }

  @Test
  void theCloudSummaryCountsTheSamplesThatDecodeToTheChunk() {
    assertEquals("σ = 0.30: 2 of 3 noisy latents (67%) decode to the chunk",
        LatentExplorerViewModel.cloudSummary(cloud(new boolean[] {true, false, true}, 2)));
    assertEquals("σ = 0.30: 0 of 0 noisy latents (0%) decode to the chunk",
        LatentExplorerViewModel.cloudSummary(cloud(new boolean[] {}, 0)));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {"0|0|''", "3|3|''", "6|6|''", "7|6|… and 1 other decode", "10|6|… and 4 other decodes"})
  void atMostSixDecodesAreListedAndTheRestCounted(int outcomes, int shown, String others) {
    LatentMap.Cloud c = cloud(new boolean[] {true}, outcomes);
    assertEquals(shown, LatentExplorerViewModel.shownOutcomes(c).size());
    assertEquals(c.outcomes().subList(0, shown), LatentExplorerViewModel.shownOutcomes(c), "the most frequent first");
    assertEquals(others, LatentExplorerViewModel.otherOutcomes(c));
  }

  @Test
  void theStepsSummaryCountsTheStepsWhoseDecodeChanged() {
    assertEquals("2 changes of the decoded text along 3 steps (changed tokens in red, changed rows highlighted)",
        LatentExplorerViewModel.stepsSummary(steps(false, true, false, true)));
    assertEquals("1 change of the decoded text along 2 steps (changed tokens in red, changed rows highlighted)",
        LatentExplorerViewModel.stepsSummary(steps(false, false, true)));
  }

  private static List<StepView> steps(boolean... changed) {
    List<StepView> out = new ArrayList<>();
    for (int i = 0; i < changed.length; i++) {
      out.add(new StepView(i / (double) (changed.length - 1), "x", List.of(), changed[i], i == 0, i == changed.length - 1));
    }
    return out;
  }
}
