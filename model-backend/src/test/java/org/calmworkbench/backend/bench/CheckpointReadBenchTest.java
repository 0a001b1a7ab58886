package org.calmworkbench.backend.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The checkpoint-read benchmark's layout and a small run of it (the 3.6 GB figure is a command, not a test). */
class CheckpointReadBenchTest {
  @Test
  void theDefaultLayoutIsACalmXlSizedBf16Checkpoint() {
    CheckpointReadBench.Options o = CheckpointReadBench.Options.forParams(1_820_000_000L, Path.of("x"), false, false);
    long params = CheckpointReadBench.layout(o).stream().mapToLong(CheckpointReadBench.Spec::numel).sum();
    assertEquals(1.82e9, params, 0.02e9, "within 20M parameters of CALM-XL");
    assertEquals(3.6e9, 2.0 * params, 0.05e9, "about 3.6 GB in bf16");
  }

  @Test
  void aSmallRunWritesReadsAndDeletesTheFile(@TempDir Path tmp) throws Exception {
    CheckpointReadBench.Options o = new CheckpointReadBench.Options(16, 24, 50, 2, tmp, false, true);
    CheckpointReadBench.Result r = CheckpointReadBench.run(o, s -> { });
    assertEquals(1 + 2 * 9 + 1, r.tensors());
    assertEquals(50 * 16 + 2 * (4 * 16 * 16 + 3 * 16 * 24 + 2 * 16) + 16, r.params());
    assertTrue(r.fileBytes() > 2 * r.params(), "bf16 data plus the pickle and zip records");
    assertTrue(Double.isFinite(r.checksum()) && r.checksum() != 0, "values were read: " + r.checksum());
    if (r.peakRssReadBytes() >= 0) { // Linux
      assertTrue(r.peakRssArraysBytes() >= r.peakRssReadBytes(), "VmHWM never decreases");
    }
    assertFalse(Files.exists(r.file()), "the synthetic checkpoint is deleted");
  }

  @Test
  void peakRssIsReadFromVmHwm() {
    String status = "Name:\tjava\nVmHWM:\t  2048 kB\nVmRSS:\t  1024 kB\n";
    assertEquals(2048 * 1024, ProcessMemory.parseStatusKb(status, "VmHWM", "status"));
    assertEquals(1024 * 1024, ProcessMemory.parseVmRss(status, "status"));
  }
}
