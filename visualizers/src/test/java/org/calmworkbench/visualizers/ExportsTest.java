package org.calmworkbench.visualizers;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ExportsTest {
  @TempDir Path dir;

  @Test
  void aWriteReplacesTheFileAndLeavesNoTemporaryFile() throws IOException {
    Path f = dir.resolve("table.csv");
    Exports.writeString(f, "old\n");
    Exports.writeString(f, "new\n");
    assertEquals("new\n", Files.readString(f));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(List.of(f), s.toList());
    }
  }

  @Test
  void aFailedWriteKeepsTheOldFile() throws IOException {
    Path f = dir.resolve("chart.png");
    Exports.writeString(f, "old");
    assertThrows(IOException.class, () -> Exports.write(f, out -> {
      out.write(1);
      throw new IOException("disk full");
    }));
    assertEquals("old", Files.readString(f));
    try (Stream<Path> s = Files.list(dir)) {
      assertEquals(1, s.count(), "the temporary file is removed");
    }
  }

  @Test
  void aChartTitleBecomesAFileNameStem() {
    assertEquals("accuracy-against-noise", Exports.stem("Accuracy against noise"));
    assertEquals("pc1-20", Exports.stem("  PC1: 20% "));
    assertEquals("chart", Exports.stem(""));
    assertEquals("chart", Exports.stem(null));
  }
}
