package org.calmworkbench.backend.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.calmworkbench.backend.CalmException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Two writers on one training folder (issue 13, goal 4): refused while one runs, taken over once it is killed. */
class RunLockTest {

  @Test
  void aSecondWriterInAnotherProcessIsRefusedNamingTheHolderAndTakesOverOnceItIsKilled(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("run");
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    Process holder = new ProcessBuilder(Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-cp", cp,
        RunLockHolder.class.getName(), out.toString()).redirectErrorStream(true).start();
    try {
      BufferedReader lines = new BufferedReader(new InputStreamReader(holder.getInputStream(), StandardCharsets.UTF_8));
      String first = lines.readLine();
      assertEquals("locked " + holder.pid(), first, "the holder process locked the folder");

      CalmException refused = assertThrows(CalmException.class, () -> RunLock.acquire(out, "test"));
      String m = refused.getMessage();
      assertTrue(m.contains("pid " + holder.pid()), m);
      assertTrue(m.contains(" on host "), m);
      assertTrue(m.contains(", started 20"), m);
      assertTrue(m.contains("RunLockHolder"), m);
      assertTrue(m.contains("another --out"), m);

      holder.destroyForcibly(); // SIGKILL: no cleanup; the lock file still names it
      assertTrue(holder.waitFor(30, TimeUnit.SECONDS));
      assertTrue(Files.readString(out.resolve(RunLock.FILE)).contains("\"pid\":" + holder.pid()));
      try (RunLock mine = RunLock.acquire(out, "test")) {
        assertEquals(holder.pid(), mine.tookOverFrom().pid(), "the stale lock is reported as taken over");
        assertEquals(ProcessHandle.current().pid(), mine.holder().pid());
      }
      assertEquals("", Files.readString(out.resolve(RunLock.FILE)), "released: the lock file names no one");
    } finally {
      holder.destroyForcibly();
    }
  }

  @Test
  void aSecondTrainingInThisJvmIsRefusedWhileTheFirstRunsAndTheFirstFinishes(@TempDir Path dir) throws Exception {
    CountDownLatch running = new CountDownLatch(1);
    CountDownLatch release = new CountDownLatch(1);
    TrainControl holdAfterFirstStep = new TrainControl() {
      int polls;

      @Override
      public boolean stopRequested() {
        return false;
      }

      @Override
      public void awaitIfPaused() throws InterruptedException {
        if (++polls == 2) { // one step done: the writer is mid-run
          running.countDown();
          release.await();
        }
      }
    };
    CompletableFuture<TrainingLoop.Result> first = CompletableFuture.supplyAsync(() -> {
      try {
        return AutoencoderTrainer.run(AutoencoderTrainerTest.request(dir, 5, false), p -> {}, holdAfterFirstStep);
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    try {
      assertTrue(running.await(120, TimeUnit.SECONDS), "the first writer started");
      CalmException e = assertThrows(CalmException.class,
          () -> AutoencoderTrainer.run(AutoencoderTrainerTest.request(dir, 5, true), p -> {}, TrainControl.NONE));
      assertTrue(e.getMessage().contains("another job in this workbench: pid " + ProcessHandle.current().pid()),
          e.getMessage());
    } finally {
      release.countDown();
    }
    assertEquals(5, first.get(120, TimeUnit.SECONDS).steps());
    assertEquals(5, TrainerState.read(dir.resolve(TrainingLoop.STATE)).step());
    assertEquals("", Files.readString(dir.resolve(RunLock.FILE)));
  }

  @Test
  void theSameThreadMayNestAcquisitions(@TempDir Path dir) throws Exception {
    try (RunLock outer = RunLock.acquire(dir, "outer")) {
      try (RunLock inner = RunLock.acquire(dir, "inner")) {
        assertSame(outer, inner);
        assertNull(inner.tookOverFrom());
      }
      assertTrue(Files.readString(dir.resolve(RunLock.FILE)).contains("\"command\":\"outer\""), "still held by the outer acquisition");
      java.util.concurrent.ExecutionException x = assertThrows(java.util.concurrent.ExecutionException.class,
          () -> CompletableFuture.supplyAsync(() -> {
            try {
              return RunLock.acquire(dir, "other");
            } catch (IOException io) {
              throw new RuntimeException(io);
            }
          }).get(30, TimeUnit.SECONDS));
      CalmException e = (CalmException) x.getCause();
      assertTrue(e.getMessage().contains("(outer)"), e.getMessage());
    }
    assertEquals("", Files.readString(dir.resolve(RunLock.FILE)));
    try (RunLock again = RunLock.acquire(dir, "again")) {
      assertNull(again.tookOverFrom(), "a released lock is not a stale one");
    }
  }

  @Test
  void aFailedSaveLeavesNoPendingFolderAndTheOldCheckpoint(@TempDir Path dir) throws Exception {
    CheckpointFiles.commit(dir, Map.of("model.safetensors", CheckpointFiles.bytes(new byte[] {1, 2, 3})));
    IOException e = assertThrows(IOException.class, () -> CheckpointFiles.commit(dir, Map.of(
        "a.bin", CheckpointFiles.bytes(new byte[1000]),
        "model.safetensors", target -> {
          Files.write(target, new byte[500]);
          throw new IOException("No space left on device");
        })));
    assertEquals("No space left on device", e.getMessage());
    assertFalse(Files.exists(dir.resolve(CheckpointFiles.PENDING)), "the partial save is removed at once");
    assertArrayEquals(new byte[] {1, 2, 3}, Files.readAllBytes(dir.resolve("model.safetensors")));
    assertFalse(Files.exists(dir.resolve("a.bin")));
  }

  @Test
  void aReaderLeavesALiveWritersSaveInProgressAlone(@TempDir Path dir) throws Exception {
    Path pending = dir.resolve(CheckpointFiles.PENDING);
    Files.createDirectories(pending);
    Files.write(pending.resolve("model.safetensors"), new byte[10]); // uncommitted, being written
    CountDownLatch locked = new CountDownLatch(1);
    CountDownLatch done = new CountDownLatch(1);
    CompletableFuture<Void> writer = CompletableFuture.runAsync(() -> {
      try (RunLock l = RunLock.acquire(dir, "writer")) {
        locked.countDown();
        done.await();
      } catch (Exception e) {
        throw new RuntimeException(e);
      }
    });
    assertTrue(locked.await(30, TimeUnit.SECONDS));
    CheckpointFiles.recoverUnlessWritten(dir);
    assertTrue(Files.exists(pending.resolve("model.safetensors")), "a writer's save in progress is not discarded");
    done.countDown();
    writer.get(30, TimeUnit.SECONDS);
    CheckpointFiles.recoverUnlessWritten(dir);
    assertFalse(Files.exists(pending), "with no writer, an uncommitted save is an interrupted one and is discarded");
    assertEquals(List.of(RunLock.FILE), List.of(dir.toFile().list()));
  }
}
