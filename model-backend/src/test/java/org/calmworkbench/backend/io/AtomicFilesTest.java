package org.calmworkbench.backend.io;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class AtomicFilesTest {

  @TempDir Path dir;

  private List<String> filesIn(Path folder) throws IOException {
    try (Stream<Path> s = Files.list(folder)) {
      return s.map(p -> p.getFileName().toString()).sorted().collect(Collectors.toList());
    }
  }

  @Test
  void writerThatFailsMidwayLeavesTheOldContentAndNoTempFile() throws IOException {
    Path target = dir.resolve("checkpoint.bin");
    AtomicFiles.writeString(target, "old content");

    IOException e = assertThrows(IOException.class, () -> AtomicFiles.write(target, out -> {
      out.write("new half-written content".getBytes(StandardCharsets.UTF_8));
      out.write(new byte[3 << 20]); // past the 1 MB buffer, so bytes really reach the temp file
      throw new IOException("disk full (simulated)");
    }));

    assertEquals("disk full (simulated)", e.getMessage());
    assertEquals("old content", Files.readString(target));
    assertEquals(List.of("checkpoint.bin"), filesIn(dir));
  }

  @Test
  void writerThatThrowsAnUncheckedExceptionAlsoLeavesNoTrace() throws IOException {
    Path target = dir.resolve("project.json");
    AtomicFiles.writeString(target, "{}");
    assertThrows(IllegalStateException.class, () -> AtomicFiles.write(target, out -> {
      out.write('x');
      throw new IllegalStateException("bug");
    }));
    assertEquals("{}", Files.readString(target));
    assertEquals(List.of("project.json"), filesIn(dir));
  }

  @Test
  void successfulWriteReplacesTheFileAndCreatesMissingFolders() throws IOException {
    Path target = dir.resolve("runs/ae/notes.txt");
    AtomicFiles.writeString(target, "first");
    AtomicFiles.writeString(target, "second");
    assertEquals("second", Files.readString(target));
    assertEquals(List.of("notes.txt"), filesIn(target.getParent()));
  }

  @Test
  void failedSafetensorsSaveKeepsThePreviousCheckpoint() throws IOException {
    Path target = dir.resolve("model.safetensors");
    Tensor good = new Tensor("w", new int[] {2}, new float[] {1f, 2f});
    Safetensors.write(target, Map.of("w", good), Map.of());
    byte[] before = Files.readAllBytes(target);

    // A tensor under the wrong key is refused before anything is written.
    Tensor misnamed = new Tensor("v", new int[] {1}, new float[] {3f});
    assertThrows(IllegalArgumentException.class,
        () -> Safetensors.write(target, Map.of("w", misnamed), Map.of()));

    assertEquals(new String(before, StandardCharsets.ISO_8859_1),
        new String(Files.readAllBytes(target), StandardCharsets.ISO_8859_1));
    assertEquals(List.of("model.safetensors"), filesIn(dir));
  }

  @Test
  void newFilesAreReadableByOthersAndReplacedFilesKeepTheirPermissions() throws IOException {
    org.junit.jupiter.api.Assumptions.assumeTrue(
        java.nio.file.FileSystems.getDefault().supportedFileAttributeViews().contains("posix"), "skipped: no POSIX permissions here");
    Path fresh = dir.resolve("fresh.json");
    AtomicFiles.writeString(fresh, "{}");
    assertEquals("rw-r--r--", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(fresh)));
    Path own = dir.resolve("own.json");
    Files.writeString(own, "old");
    Files.setPosixFilePermissions(own, java.nio.file.attribute.PosixFilePermissions.fromString("rw-rw----"));
    AtomicFiles.writeString(own, "new");
    assertEquals("rw-rw----", java.nio.file.attribute.PosixFilePermissions.toString(Files.getPosixFilePermissions(own)));
  }

  @Test
  void copyTreeLeavesOutSkippedSubtreesAndMakesCopiesWritable() throws IOException {
    Path from = dir.resolve("from");
    Files.createDirectories(from.resolve("runs/old"));
    Files.createDirectories(from.resolve("corpus"));
    Files.writeString(from.resolve("project.json"), "{}");
    Files.writeString(from.resolve("corpus/a.txt"), "text");
    Files.writeString(from.resolve("corpus/.lock"), ""); // a training folder's lock: never copied
    Files.writeString(from.resolve("runs/old/model.bin"), "weights");
    from.resolve("corpus/a.txt").toFile().setWritable(false, false);
    Path to = dir.resolve("to");
    AtomicFiles.copyTree(from, to, rel -> rel.equals(Path.of("runs")));
    try (Stream<Path> s = Files.walk(to)) {
      assertEquals(List.of("", "corpus", "corpus/a.txt", "project.json"),
          s.map(p -> to.relativize(p).toString()).sorted().collect(Collectors.toList()));
    }
    assertEquals("text", Files.readString(to.resolve("corpus/a.txt")));
    // the permission bit, not Files.isWritable: root (as in CI) may write any file
    assertTrue(Files.getPosixFilePermissions(to.resolve("corpus/a.txt"))
        .contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE), "the copy of a read-only file is its owner's to change");
    assertTrue(!Files.getPosixFilePermissions(from.resolve("corpus/a.txt"))
        .contains(java.nio.file.attribute.PosixFilePermission.OWNER_WRITE), "the original stays read-only");
  }
}
