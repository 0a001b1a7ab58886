package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.calmworkbench.backend.train.TrainerState;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.condition.DisabledOnOs;
import org.junit.jupiter.api.condition.OS;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM during `calm ae train` (a real child JVM) saves a checkpoint that --resume continues. */
class CliSignalTest {

  @Test
  @DisabledOnOs(value = OS.WINDOWS, disabledReason = "Process.destroy() is not SIGTERM on Windows")
  void sigtermDuringTrainingSavesACheckpointThatResumes(@TempDir Path tmp) throws Exception {
    Path corpus = tmp.resolve("corpus.txt");
    Files.writeString(corpus, CliAutoencoderTest.sentences(400));
    Path out = tmp.resolve("ae");
    String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
    List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Dai.djl.offline=true", "-cp", cp, CalmCli.class.getName(),
        "ae", "train", "--corpus", corpus.toString(), "--out", out.toString(), "--preset", "tiny",
        "--vocab-size", "300", "--steps", "1000000"));
    Path logFile = tmp.resolve("child.log");
    Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(logFile.toFile()).start();
    // The first progress line ("... loss ...") appears once training has taken a step.
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
    while (!Files.readString(logFile).contains("loss") && p.isAlive() && System.nanoTime() < deadline) {
      Thread.sleep(100);
    }
    assertTrue(p.isAlive(), "the child ended before it was signalled:\n" + Files.readString(logFile));
    p.destroy(); // SIGTERM
    assertTrue(p.waitFor(60, TimeUnit.SECONDS), "the child must exit after SIGTERM; log:\n" + Files.readString(logFile));
    assertTrue(Files.exists(out.resolve("trainer_state.json")), "no checkpoint after SIGTERM; log:\n" + Files.readString(logFile));
    long saved = TrainerState.read(out.resolve("trainer_state.json")).step();
    assertTrue(saved >= 1, "saved step " + saved);

    CliAutoencoderTest.Run resumed = CliAutoencoderTest.calm("ae", "train", "--corpus", corpus.toString(), "--out",
        out.toString(), "--resume", "--steps", Long.toString(saved + 3), "--json");
    assertEquals(0, resumed.code(), resumed.err());
    assertEquals(saved + 3, resumed.json().get("steps").getAsLong());
  }
}
