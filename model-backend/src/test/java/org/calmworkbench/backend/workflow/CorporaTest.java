package org.calmworkbench.backend.workflow;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Where a corpus's token cache goes. A project on a truly read-only medium (a read-only mount: root
 * ignores file modes, so a test cannot make one) is checked by {@code scripts/read-only-project.sh}.
 */
class CorporaTest {
  @TempDir Path tmp;

  @Test
  void aProjectsCorpusCachesInTheProject() throws Exception {
    Path project = Files.createDirectories(tmp.resolve("p"));
    Files.writeString(project.resolve("project.json"), "{}");
    Path corpus = Files.createDirectories(project.resolve("corpus"));
    assertEquals(project.resolve(".calm-cache"), Corpora.cacheRoot(corpus.resolve("a.txt")));
    assertEquals(Corpora.userCacheDir(), Corpora.cacheRoot(tmp.resolve("elsewhere/a.txt")));
  }

  @Test
  void aFolderNotYetMadeIsWritableWhenItsNearestExistingFolderIs() throws Exception {
    assertTrue(Corpora.writable(tmp.resolve("a/b/c")));
    Path file = Files.writeString(tmp.resolve("file"), "x");
    assertFalse(Corpora.writable(file.resolve("below")), "under a file nothing can be made");
  }
}
