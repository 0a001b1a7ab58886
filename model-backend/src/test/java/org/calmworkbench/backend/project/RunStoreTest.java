package org.calmworkbench.backend.project;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.train.TrainerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one scanner of a project's runs folder: which folders are checkpoints of which type, and their steps. */
class RunStoreTest {
  @TempDir Path project;

  private Path folder(String name, String config, String state, long modifiedSeconds) throws Exception {
    Path dir = Files.createDirectories(project.resolve(Project.RUNS).resolve(name));
    if (config != null) {
      Files.writeString(dir.resolve("config.json"), config);
    }
    Path weights = Files.writeString(dir.resolve("model.safetensors"), "x");
    Files.setLastModifiedTime(weights, FileTime.fromMillis(modifiedSeconds * 1000));
    if (state != null) {
      Files.writeString(dir.resolve("trainer_state.json"), state);
    }
    return dir;
  }

  private static String ours(String kind, long step) {
    return "{\"kind\":\"" + kind + "\",\"step\":" + step + ",\"tokens_seen\":10,\"elapsed_seconds\":1.5,\"train_config\":{}}";
  }

  @Test
  void checkpointsAreSortedByTypeNewestFirstWithTheirSteps() throws Exception {
    folder("ae-old", "{\"model_type\":\"calm_autoencoder\"}", ours("calm_autoencoder", 7), 100);
    folder("ae-new", "{\"model_type\":\"calm_autoencoder\"}", ours("calm_autoencoder", 9), 200);
    folder("ae-official", "{\"model_type\":\"autoencoder\"}", null, 50);
    folder("lm-flow", "{\"model_type\":\"calm_flow\"}", ours("calm_flow", 30), 300);
    folder("lm-legacy-diffusion", "{\"model_type\":\"calm_energy\",\"head\":\"diffusion\"}", ours("calm_energy", 4), 250);
    folder("ar", "{\"model_type\":\"calm_ar\"}", ours("calm_ar", 12), 400);

    assertEquals(List.of("ae-new", "ae-old", "ae-official"), names(RunStore.autoencoders(project)));
    assertEquals(List.of(9L, 7L, -1L), RunStore.autoencoders(project).stream().map(RunStore.Checkpoint::step).toList());
    assertEquals(List.of("lm-flow", "lm-legacy-diffusion"), names(RunStore.calm(project)));
    assertEquals(List.of("ar"), names(RunStore.ar(project)));

    RunStore.Listing all = RunStore.listing(project); // one pass, the same lists
    assertEquals(RunStore.autoencoders(project), all.autoencoders());
    assertEquals(RunStore.calm(project), all.calm());
    assertEquals(RunStore.ar(project), all.ar());
    assertEquals(RunStore.Listing.EMPTY, RunStore.listing(project.resolve("missing")));
  }

  @Test
  void incompleteForeignAndUnknownFoldersAreLeftOut() throws Exception {
    Path noWeights = Files.createDirectories(project.resolve(Project.RUNS).resolve("no-weights"));
    Files.writeString(noWeights.resolve("config.json"), "{\"model_type\":\"calm_autoencoder\"}");
    folder("no-config", null, null, 1);
    folder("unknown-type", "{\"model_type\":\"gpt2\"}", null, 1);
    folder("half-written", "{\"model_type\":", null, 1);
    folder("contradicting-head", "{\"model_type\":\"calm_flow\",\"head\":\"energy\"}", null, 1);

    assertTrue(RunStore.autoencoders(project).isEmpty());
    assertTrue(RunStore.calm(project).isEmpty());
    assertTrue(RunStore.checkpoints(project.resolve("missing"), t -> true).isEmpty(), "no runs folder: nothing");
  }

  @Test
  void aConfigWithoutModelTypeIsAnAutoencoder() throws Exception {
    Path dir = folder("first", "{\"latent_size\":128}", null, 1);
    assertEquals(dir, RunStore.autoencoder(dir).dir());
    assertTrue(RunStore.calm(project).isEmpty());
  }

  @Test
  void aHuggingFaceTrainerStateHasNoStepOfOurs() throws Exception {
    Path dir = folder("checkpoint-500", "{\"model_type\":\"energy\"}", "{\"global_step\":500,\"log_history\":[]}", 1);
    assertTrue(RunStore.step(dir).isEmpty());
    assertEquals(-1, RunStore.calm(project).get(0).step());
  }

  @Test
  void aBrokenStateOfOursNamesTheFileAndKeepsTheCheckpointOutOfThePicker() throws Exception {
    Path dir = folder("broken", "{\"model_type\":\"calm_autoencoder\"}", "{\"kind\":\"calm_autoencoder\"}", 1);
    CalmException e = assertThrows(CalmException.class, () -> RunStore.step(dir));
    assertTrue(e.getMessage().contains("trainer_state.json") && e.getMessage().contains("not a valid trainer state"),
        e.getMessage());
    assertNull(RunStore.autoencoder(dir));
  }

  @Test
  void runsAreReadWithStepsFromTheirStateElseTheirLastMetricsRow() throws Exception {
    Path withState = folder("ae-1", "{\"model_type\":\"calm_autoencoder\"}", ours("calm_autoencoder", 40), 1);
    Files.writeString(withState.resolve("metrics.jsonl"), "{\"step\":20,\"loss\":2.5}\n{\"step\":30,\"loss\":2.0}\n");
    Path noState = folder("lm-1", "{\"model_type\":\"calm_energy\"}", null, 1);
    Files.writeString(noState.resolve("metrics.jsonl"), "{\"step\":5,\"loss\":4.0,\"brier_lm\":3.5}\n{\"step\":6,\"loss\":3.0}\n");

    assertEquals(List.of(withState, noState), RunStore.runDirs(project));
    RunStore.Run ae = RunStore.read(withState);
    assertEquals(RunStore.AE, ae.type());
    assertEquals(40, ae.steps());
    assertEquals(2.0, ae.finalLoss());
    RunStore.Run lm = RunStore.read(noState);
    assertEquals(RunStore.CALM, lm.type());
    assertEquals(6, lm.steps());
    assertEquals(3.5, lm.brierLm(), "the last recorded BrierLM, not the last row's");
  }

  @Test
  void trainerStateReadsOurFileAndRefusesAMalformedOne() throws Exception {
    Path file = Files.writeString(project.resolve("trainer_state.json"), ours("calm_ar", 3));
    assertEquals(3, TrainerState.readIfOurs(file).orElseThrow().step());
    assertEquals(TrainerState.read(file), TrainerState.readIfOurs(file).orElseThrow());
    Files.writeString(file, "[1, 2]");
    CalmException e = assertThrows(CalmException.class, () -> TrainerState.readIfOurs(file));
    assertTrue(e.getMessage().startsWith(file + ": not a valid trainer state"), e.getMessage());
  }

  private static List<String> names(List<RunStore.Checkpoint> list) {
    return list.stream().map(RunStore.Checkpoint::name).toList();
  }

  @Test
  void aTrainerRunsCheckpointFoldersAreListedWithTheirRunAndStep() throws Exception {
    Path run = Files.createDirectories(project.resolve(Project.RUNS).resolve("wiki-calm"));
    for (long step : new long[] {200, 400}) {
      Path ck = Files.createDirectories(run.resolve("checkpoint-" + step));
      Files.writeString(ck.resolve("config.json"), "{\"model_type\":\"energy\"}");
      Path w = Files.writeString(ck.resolve("pytorch_model.bin"), "x");
      Files.setLastModifiedTime(w, FileTime.fromMillis(step * 1000));
      Files.writeString(ck.resolve("trainer_state.json"), "{\"global_step\":" + step + ",\"log_history\":[]}");
    }
    Files.createDirectories(run.resolve("checkpoint-600")); // still being written: no weights yet
    folder("ae-1", "{\"model_type\":\"calm_autoencoder\"}", ours("calm_autoencoder", 7), 100);

    List<RunStore.Checkpoint> calm = RunStore.calm(project);
    assertEquals(List.of("wiki-calm/checkpoint-400", "wiki-calm/checkpoint-200"),
        calm.stream().map(RunStore.Checkpoint::name).toList());
    assertEquals(List.of(400L, 200L), calm.stream().map(RunStore.Checkpoint::step).toList());
    assertEquals(List.of("ae-1"), RunStore.autoencoders(project).stream().map(RunStore.Checkpoint::name).toList());
  }
}
