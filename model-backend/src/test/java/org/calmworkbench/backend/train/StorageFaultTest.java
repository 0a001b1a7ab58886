package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.FileSystemException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.calmworkbench.backend.StorageException;
import org.calmworkbench.backend.generate.TinyCalm;
import org.calmworkbench.backend.io.AtomicFiles;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.workflow.LmTraining;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A file system that refuses a save (issue 13, goal 3): a disk that fills up, a folder that turns
 * read-only, a run folder deleted or moved while training. The refusals are simulated at the write
 * layer ({@link CheckpointFiles#writeHook}: the failing save first leaves a torn file, as a full
 * disk does); the deleted and moved folders are real. Each run had a step-2 checkpoint and resumed
 * towards step 8; it must stop with one {@link StorageException} line naming the folder, leave the
 * step-2 checkpoint and its metrics byte for byte, no {@code .pending}, no temp file, and resume.
 */
class StorageFaultTest {
  /** One trainer: trains OUT to {@code steps}, fresh or resumed, reporting progress to {@code listener}. */
  interface Training {
    void run(Path out, int steps, boolean resume, TrainingLoop.Listener listener) throws Exception;
  }

  static final Training AUTOENCODER = (out, steps, resume, l) ->
      AutoencoderTrainer.run(AutoencoderTrainerTest.request(out, steps, resume), l, TrainControl.NONE);
  static final Training AR = (out, steps, resume, l) ->
      ArTrainer.run(ArTrainerTest.request(out, steps, 0, resume), l, TrainControl.NONE);
  static final Training CALM = (out, steps, resume, l) -> LmTraining.run(new LmTraining.Options(
      resume ? null : TinyCalm.root().resolve("ae"), List.of(TinyCalm.corpus()), out, "energy", InputMode.DISCRETE,
      "tiny", List.of("eval_positions=0"), steps, null, 1L, resume), l::onProgress, TrainControl.NONE);

  /** A save that fails on its second file after writing part of it: the disk filled up mid-save. */
  static CheckpointFiles.WriteHook failingSecondFile(String reason) {
    int[] files = {0};
    return file -> {
      if (++files[0] == 2) {
        Files.write(file, new byte[100]);
        throw new FileSystemException(file.toString(), null, reason);
      }
    };
  }

  @AfterEach
  void removeHook() {
    CheckpointFiles.writeHook = CheckpointFiles.WriteHook.NONE;
  }

  /** The bytes of every file in OUT but the lock, by name. */
  static java.util.Map<String, String> snapshot(Path dir) throws IOException {
    java.util.Map<String, String> files = new java.util.TreeMap<>();
    try (Stream<Path> s = Files.walk(dir)) {
      for (Path p : s.filter(Files::isRegularFile).toList()) {
        if (!p.getFileName().toString().equals(RunLock.FILE)) {
          files.put(dir.relativize(p).toString(), java.util.HexFormat.of().formatHex(
              java.security.MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(p))));
        }
      }
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
    return files;
  }

  static void assertRefusedSaveKeepsStepTwo(Path dir, Training t, String reason, String inWords) throws Exception {
    t.run(dir, 2, false, p -> {});
    java.util.Map<String, String> before = snapshot(dir);
    CheckpointFiles.writeHook = failingSecondFile(reason);
    StorageException e = assertThrows(StorageException.class, () -> t.run(dir, 8, true, p -> {}));
    CheckpointFiles.writeHook = CheckpointFiles.WriteHook.NONE;
    String m = e.getMessage();
    // the first save of step 8 is the autoencoder's best checkpoint (DIR/best), the others' the run's
    assertTrue(m.startsWith("cannot save the checkpoint of step 8 in " + dir + ": " + inWords + " (" + dir), m);
    assertTrue(m.contains(CheckpointFiles.PENDING + "/"), m);
    assertTrue(m.contains("the last good checkpoint in " + dir + " (step 2) is intact"), m);
    assertFalse(m.contains("\n"), m);
    assertEquals(1, e.exitCode());
    assertEquals(before, snapshot(dir), "every file (weights, optimizer, state, metrics.jsonl) as at step 2, none added");
    t.run(dir, 5, true, p -> {});
    assertEquals(5, TrainerState.read(dir.resolve(TrainingLoop.STATE)).step());
    assertEquals(5, MetricsLog.read(dir.resolve(TrainingLoop.METRICS)).size());
  }

  @Test
  void autoencoderOnAFullDiskKeepsTheLastCheckpoint(@TempDir Path dir) throws Exception {
    assertRefusedSaveKeepsStepTwo(dir, AUTOENCODER, "No space left on device", "no space left on device");
  }

  @Test
  void calmOnAFullDiskKeepsTheLastCheckpoint(@TempDir Path dir) throws Exception {
    assertRefusedSaveKeepsStepTwo(dir, CALM, "No space left on device", "no space left on device");
  }

  @Test
  void arBaselineOnAFullDiskKeepsTheLastCheckpoint(@TempDir Path dir) throws Exception {
    assertRefusedSaveKeepsStepTwo(dir, AR, "No space left on device", "no space left on device");
  }

  @Test
  void aFolderTurnedReadOnlyKeepsTheLastCheckpoint(@TempDir Path dir) throws Exception {
    assertRefusedSaveKeepsStepTwo(dir, AUTOENCODER, "Read-only file system", "read-only file system");
  }

  @Test
  void aRunFolderDeletedWhileTrainingStopsWithoutRecreatingIt(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("run");
    AUTOENCODER.run(dir, 2, false, p -> {});
    StorageException e = assertThrows(StorageException.class, () -> AUTOENCODER.run(dir, 8, true, p -> {
      if (p.step() >= 3 && Files.exists(dir)) { // progress is reported at most every 100 ms: not every step
        deleteQuietly(dir);
      }
    }));
    assertTrue(e.getMessage().startsWith(dir + " was deleted or moved while a run was writing it"), e.getMessage());
    assertEquals(1, e.exitCode());
    assertFalse(Files.exists(dir), "the final save did not recreate a checkpoint without its history");
  }

  @Test
  void aRunFolderMovedWhileTrainingResumesFromItsNewPlace(@TempDir Path tmp) throws Exception {
    Path dir = tmp.resolve("run");
    Path moved = tmp.resolve("moved");
    AR.run(dir, 2, false, p -> {});
    java.util.Map<String, String> before = snapshot(dir);
    assertThrows(StorageException.class, () -> AR.run(dir, 8, true, p -> {
      if (p.step() >= 3 && Files.exists(dir)) {
        try {
          Files.move(dir, moved);
        } catch (IOException x) {
          throw new IllegalStateException(x);
        }
      }
    }));
    assertFalse(Files.exists(dir));
    assertEquals(before, snapshot(moved));
    AR.run(moved, 5, true, p -> {});
    assertEquals(5, TrainerState.read(moved.resolve(TrainingLoop.STATE)).step());
  }

  @Test
  void anOutputFolderThatCannotBeCreatedIsNamed(@TempDir Path tmp) throws Exception {
    Path file = Files.writeString(tmp.resolve("a-file"), "x");
    Path dir = file.resolve("run");
    StorageException e = assertThrows(StorageException.class, () -> AUTOENCODER.run(dir, 2, false, p -> {}));
    assertTrue(e.getMessage().startsWith("cannot write to " + dir + ": "), e.getMessage());
    assertEquals(1, e.exitCode());
  }

  private static void deleteQuietly(Path dir) {
    try {
      AtomicFiles.deleteTree(dir);
    } catch (IOException x) {
      throw new IllegalStateException(x);
    }
  }
}
