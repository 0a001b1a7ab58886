package org.calmworkbench.backend.workflow;

import java.io.IOException;
import java.nio.file.Path;
import org.calmworkbench.backend.StorageException;
import org.calmworkbench.backend.train.RunLock;
import org.calmworkbench.backend.train.TrainingLoop;

/** What the ae, lm and ar training workflows do around their work: lock the folder, name file-system failures. */
final class RunFolder {
  private RunFolder() {}

  /** The work of one training workflow, run while it holds the folder's lock. */
  @FunctionalInterface
  interface Training {
    TrainingLoop.Result run() throws IOException, InterruptedException;
  }

  /**
   * Runs {@code training} holding {@code out}'s {@link RunLock} (saying so when it took over a
   * killed run's lock). A file-system failure that no save reported in its own words (writing the
   * split record, cutting metrics.jsonl back on resume) becomes one line naming the file.
   */
  static TrainingLoop.Result train(Path out, String command, AeTraining.Listener listener, Training training)
      throws IOException, InterruptedException {
    try (RunLock lock = RunLock.acquire(out, command)) { // one writer per folder (RunLock)
      if (lock.tookOverFrom() != null) {
        listener.onStage("took over the lock of a run that was killed: " + lock.tookOverFrom().describe(), 0);
      }
      return training.run();
    } catch (IOException e) {
      throw StorageException.during(command + " into " + out, e);
    }
  }
}
