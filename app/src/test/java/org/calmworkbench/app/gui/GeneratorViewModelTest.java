package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import javafx.collections.ListChangeListener;
import org.calmworkbench.app.gui.TestContexts.RecordingNotifier;
import org.calmworkbench.app.gui.generator.GeneratorViewModel;
import org.calmworkbench.app.gui.generator.Segment;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.backend.generate.CalmGenerator;
import org.calmworkbench.backend.generate.CalmGenerator.Method;
import org.calmworkbench.backend.train.CalmCheckpoint;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The Generator page's view model without a screen: jobs run on the calling thread, on a tiny
 * trained CALM model and AR baseline ({@link TinyLanguageModels}).
 */
class GeneratorViewModelTest {
  @TempDir static Path shared;
  static org.calmworkbench.backend.project.Project project;
  @TempDir Path dir;
  RecordingNotifier notifier;
  WorkbenchContext ctx;
  GeneratorViewModel vm;

  static CalmCheckpoint loaded; // for running the same options straight through the backend

  @BeforeAll
  static void models() throws Exception {
    project = TinyLanguageModels.create(shared.resolve("project"));
    loaded = CalmCheckpoint.load(project.folder().resolve("runs").resolve(TinyLanguageModels.CALM));
  }

  @AfterAll
  static void close() {
    if (loaded != null) {
      loaded.close();
    }
  }

  @BeforeEach
  void open() {
    notifier = new RecordingNotifier();
    ctx = TestContexts.sameThread(dir.resolve("config"), notifier);
    ctx.setProject(project);
    vm = new GeneratorViewModel(ctx);
  }

  /** The same run straight through the backend, for comparison. */
  static CalmGenerator.Result direct(CalmGenerator.Options o) {
    return CalmGenerator.run(loaded, o, CalmGenerator.Listener.NONE, () -> false);
  }

  @Test
  void findsTheProjectsLanguageModels() {
    assertEquals(TinyLanguageModels.CALM, vm.calmCheckpointProperty().get().name());
    assertEquals(TinyLanguageModels.AR, vm.arCheckpointProperty().get().name());
    assertEquals(1, vm.calmCheckpoints().size(), "the autoencoder is not offered as a CALM model");
    assertEquals(1, vm.arCheckpoints().size());
  }

  @Test
  void chunksArriveAsAlternatelyShadedSegmentsWithTheBackendsTextAndFigures() {
    vm.maxTokensProperty().set("24");
    vm.seedProperty().set("3");
    vm.temperatureProperty().set(0.5);
    Job job = vm.generate();
    assertNotNull(job);
    assertEquals(JobState.DONE, job.state(), job.messageProperty().get());
    assertFalse(vm.runningProperty().get());

    CalmGenerator.Result expected = direct(vm.calmOptions());
    List<Segment> segments = vm.calm().segments();
    assertEquals(expected.steps(), segments.size());
    assertEquals(expected.text(), vm.calm().text(), "the segments concatenate to the backend's text");
    for (int i = 0; i < segments.size(); i++) {
      Segment s = segments.get(i);
      assertEquals(i, s.step());
      assertEquals(i % 2 == 1, s.shaded(), "shades alternate per step");
      assertEquals(expected.samplerCallsPerStep()[i], s.samplerCalls());
      assertTrue(s.samplerCalls() >= 2, "exact T=0.5 needs two identical draws per chunk");
      assertTrue(s.describe().contains("step " + (i + 1)) && s.describe().contains("sampler call"), s.describe());
    }
    assertEquals(4, vm.patchSizeProperty().get());
    assertEquals(expected.steps(), vm.calm().stepsProperty().get());
    assertEquals(expected.tokens(), vm.calm().tokensProperty().get());
    assertEquals(expected.samplerCalls(), vm.calm().samplerCallsProperty().get());
    assertEquals(segments.stream().mapToInt(Segment::tokens).sum(), vm.calm().tokensProperty().get());
    assertEquals(segments.stream().map(Segment::samplerCalls).toList(), vm.callsPerStep());
    assertTrue(vm.calm().tokensPerSecondProperty().get() > 0);
    assertTrue(vm.calm().stateProperty().get().startsWith("done"), vm.calm().stateProperty().get());
    assertTrue(vm.statusProperty().get().startsWith("CALM: done"), vm.statusProperty().get());
    assertEquals("", vm.stepRatioBinding().get(), "no AR run, no ratio");
  }

  @Test
  void batchSpendsNCallsPerStepAndGreedyIsDeterministic() {
    vm.methodProperty().set(Method.BATCH);
    vm.candidatesProperty().set("6");
    vm.maxTokensProperty().set("12");
    assertEquals(JobState.DONE, vm.generate().state());
    assertTrue(vm.callsPerStep().stream().allMatch(c -> c == 6), vm.callsPerStep().toString());

    vm.methodProperty().set(Method.GREEDY);
    vm.generate();
    String first = vm.calm().text();
    vm.seedProperty().set("1");
    vm.generate();
    assertEquals(direct(vm.calmOptions()).text(), vm.calm().text());
    assertFalse(first.isEmpty() && vm.calm().text().isEmpty());
  }

  @Test
  void severalSamplesRunAsOneBatchAndEachContinuationIsShown() throws Exception {
    vm.maxTokensProperty().set("12");
    vm.seedProperty().set("7");
    vm.temperatureProperty().set(0.5);
    vm.methodProperty().set(Method.BATCH);
    vm.candidatesProperty().set("6");
    vm.samplesProperty().set(3);
    vm.compareWithArProperty().set(true);
    Job job = vm.generate();
    assertEquals(JobState.DONE, job.state(), job.messageProperty().get());
    assertEquals(JobState.DONE, vm.jobs().get(1).state(), vm.jobs().get(1).messageProperty().get());

    // The request carried S = 3: the texts are those of the backend's S-sample path, and sample s is seed + s alone.
    List<CalmGenerator.Result> expected = CalmGenerator.runSamples(loaded, vm.calmOptions(), 3, (row, e) -> {},
        () -> false, true);
    assertEquals(3, vm.calm().samplesProperty().get());
    assertEquals(expected.stream().map(CalmGenerator.Result::text).toList(), vm.calm().texts());
    assertEquals(direct(vm.calmOptions().withSeed(9)).text(), vm.calm().text(2));
    assertEquals(7, vm.runSeedProperty().get());
    int tokens = expected.stream().mapToInt(CalmGenerator.Result::tokens).sum();
    assertEquals(tokens, vm.calm().tokensProperty().get(), "tokens of all samples");
    assertEquals(expected.stream().mapToInt(CalmGenerator.Result::steps).max().orElseThrow(),
        vm.calm().stepsProperty().get());
    for (int s = 0; s < 3; s++) {
      int sample = s;
      assertEquals(expected.get(s).steps(), vm.calm().segments().stream().filter(g -> g.sample() == sample).count());
    }
    for (int step = 0; step < vm.callsPerStep().size(); step++) {
      int live = 0;
      for (CalmGenerator.Result r : expected) {
        live += r.steps() > step ? 1 : 0;
      }
      assertEquals(6 * live, vm.callsPerStep().get(step), "step " + step + ": N = 6 calls of each sample drawing");
    }
    // Tokens/s over all samples: the rate times the run's time is the tokens of all three, not of one
    // (the last segment's time is the run's up to its final bookkeeping).
    double elapsed = vm.calm().segments().get(vm.calm().segments().size() - 1).elapsedSeconds();
    double ratio = vm.calm().tokensPerSecondProperty().get() * elapsed / tokens;
    assertTrue(ratio > 0.5 && ratio < 2, "rate x time / all tokens = " + ratio);
    String line = vm.calm().figuresLine(true);
    assertTrue(line.startsWith(org.calmworkbench.app.gui.generator.RunFigures.rate(vm.calm().tokensPerSecondProperty()
        .get()) + " tokens/s over 3 samples · ") && line.contains(tokens + " tokens in all"), line);
    assertTrue(vm.statusProperty().get().contains(tokens + " tokens over 3 samples"), vm.statusProperty().get());

    // The AR baseline runs the same S samples.
    assertEquals(3, vm.ar().texts().size());
    Path arDir = project.folder().resolve("runs").resolve(TinyLanguageModels.AR);
    org.calmworkbench.backend.generate.ArGenerator.Options ao = org.calmworkbench.backend.generate.ArGenerator.Options
        .of(vm.calmOptions().prompt()).withMaxTokens(12).withTemperature(0.5).withSeed(8);
    assertEquals(org.calmworkbench.backend.generate.ArGenerator.run(arDir, ao, e -> {}).text(), vm.ar().text(1));
    assertTrue(vm.stepRatioBinding().get().contains(tokens + " tokens in " + vm.calm().sampleStepsProperty().get()
        + " steps of 3 samples"), vm.stepRatioBinding().get());

    vm.samplesProperty().set(17);
    assertTrue(vm.validationMessageProperty().get().contains("samples must be between 1 and 16, got 17"),
        vm.validationMessageProperty().get());
    assertFalse(vm.canGenerateBinding().get());
  }

  @Test
  void stopEndsTheRunAfterTheStepThatWasShowingAndSkipsTheArRun() {
    vm.maxTokensProperty().set("64");
    vm.compareWithArProperty().set(true);
    // A seed whose full run goes past the first step (the tiny model may end a text early).
    int seed = -1;
    for (int s = 0; s < 20 && seed < 0; s++) {
      vm.seedProperty().set(String.valueOf(s));
      if (direct(vm.calmOptions()).steps() >= 3) {
        seed = s;
      }
    }
    assertTrue(seed >= 0, "no seed in 0..19 generates 3 chunks");
    vm.seedProperty().set(String.valueOf(seed));
    vm.calm().segments().addListener((ListChangeListener<Segment>) c -> {
      while (c.next()) {
        if (c.wasAdded()) {
          vm.stop(); // as the Stop button would, while the first chunk is on screen
        }
      }
    });
    Job job = vm.generate();
    assertEquals(1, vm.calm().stepsProperty().get());
    assertEquals("stopped", vm.calm().stateProperty().get());
    assertTrue(vm.statusProperty().get().startsWith("CALM: stopped after 1 steps"), vm.statusProperty().get());
    assertTrue(job.state().isFinal());
    assertEquals(0, vm.ar().stepsProperty().get(), "the AR run is skipped once stopped");
    assertEquals("not run (stopped)", vm.ar().stateProperty().get());
    assertFalse(vm.runningProperty().get());
    assertTrue(vm.canGenerateBinding().get(), "ready for the next run");
  }

  @Test
  void theArBaselineRunsOnTheSamePromptOneTokenPerStep() {
    vm.maxTokensProperty().set("12");
    vm.compareWithArProperty().set(true);
    vm.generate();
    List<Job> jobs = vm.jobs();
    assertEquals(2, jobs.size());
    assertEquals(JobState.DONE, jobs.get(1).state(), jobs.get(1).messageProperty().get());
    List<Segment> ar = vm.ar().segments();
    assertFalse(ar.isEmpty());
    assertEquals(ar.size(), vm.ar().stepsProperty().get());
    for (Segment s : ar) {
      assertTrue(s.tokens() <= 1);
      assertTrue(s.probability() > 0 && s.probability() <= 1, "AR knows its token's probability");
      assertTrue(s.describe().contains("p = "), s.describe());
    }
    assertTrue(vm.ar().tokensProperty().get() <= 12);
    String ratio = vm.stepRatioBinding().get();
    assertTrue(ratio.contains("fewer steps") && ratio.contains("AR: " + vm.ar().tokensProperty().get() + " tokens in "
        + vm.ar().stepsProperty().get() + " steps"), ratio);
    assertTrue(vm.statusProperty().get().contains("AR:"), vm.statusProperty().get());
  }

  @Test
  void aPromptLongerThanTheContextFailsWithAMessageAndTheNextRunWorks() {
    vm.promptProperty().set("the cat sees a red ball. ".repeat(2000)); // over the 4096-token default limit
    Job job = vm.generate();
    assertEquals(JobState.FAILED, job.state());
    assertTrue(vm.statusProperty().get().contains("shorten the prompt"), vm.statusProperty().get());
    assertTrue(vm.calm().stateProperty().get().startsWith("failed"));
    assertFalse(vm.runningProperty().get());
    assertTrue(notifier.shown.stream().anyMatch(s -> s.contains("shorten the prompt")), notifier.shown.toString());
    vm.promptProperty().set("the cat");
    vm.maxTokensProperty().set("4");
    assertEquals(JobState.DONE, vm.generate().state());
    assertEquals(1, vm.calm().stepsProperty().get());
  }

  @Test
  void badFieldsBlockGenerateWithAMessage() {
    vm.maxTokensProperty().set("lots");
    assertFalse(vm.validProperty().get());
    assertTrue(vm.validationMessageProperty().get().contains("max tokens must be a whole number, got 'lots'"));
    assertNull(vm.generate());
    assertEquals("Not started: fix the settings first.", vm.statusProperty().get());
    vm.maxTokensProperty().set("16");
    assertTrue(vm.validProperty().get());

    vm.candidatesProperty().set("0");
    assertTrue(vm.validProperty().get(), "exact does not use N");
    vm.methodProperty().set(Method.BATCH);
    assertTrue(vm.validationMessageProperty().get().contains("N (candidates) must be between 1"));
    vm.candidatesProperty().set("8");

    vm.temperatureProperty().set(0);
    assertTrue(vm.validationMessageProperty().get().contains("temperature must be in (0, 1]"));
    assertFalse(vm.canGenerateBinding().get());
    vm.temperatureProperty().set(1);
    vm.seedProperty().set("x");
    assertTrue(vm.validationMessageProperty().get().contains("seed must be a whole number"));
    vm.seedProperty().set("5");
    assertTrue(vm.canGenerateBinding().get());
  }

  @Test
  void withoutAProjectItSaysWhatToDo() {
    WorkbenchContext empty = TestContexts.sameThread(dir.resolve("config2"), new RecordingNotifier());
    GeneratorViewModel none = new GeneratorViewModel(empty);
    assertNull(none.generate());
    assertTrue(none.statusProperty().get().startsWith("Open a project first"));
    assertFalse(none.canGenerateBinding().get());
  }
}
