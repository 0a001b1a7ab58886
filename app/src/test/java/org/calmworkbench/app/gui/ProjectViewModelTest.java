package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.app.gui.TestContexts.RecordingNotifier;
import org.calmworkbench.app.gui.common.AppSettings;
import org.calmworkbench.app.gui.project.ProjectViewModel;
import org.calmworkbench.backend.project.Project;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ProjectViewModelTest {
  @TempDir Path dir;

  @Test
  void openingAProjectListsItsCorpusCountsStatisticsAndRemembersIt() throws Exception {
    Path folder = dir.resolve("project");
    TinyProject.create(folder);
    RecordingNotifier n = new RecordingNotifier();
    WorkbenchContext ctx = TestContexts.sameThread(dir.resolve("config"), n);
    ProjectViewModel vm = new ProjectViewModel(ctx);
    assertTrue(vm.open(folder));
    assertEquals("tiny-test", vm.nameProperty().get());
    assertEquals(1, vm.corpora().size());
    assertTrue(vm.corpora().get(0).exists());
    List<String> labels = vm.stats().stream().map(ProjectViewModel.StatRow::label).toList();
    assertTrue(labels.containsAll(List.of("Tokens", "Distinct tokens", "Unigram entropy H", "log2 V")), labels.toString());
    String tokens = vm.stats().stream().filter(r -> r.label().equals("Tokens")).findFirst().orElseThrow().value();
    assertTrue(Long.parseLong(tokens.replace(",", "")) > 1000, tokens);
    assertTrue(vm.stats().stream().anyMatch(r -> r.label().startsWith("Latent capacity (L = 16)")), "tiny preset's L");
    assertEquals(List.of(), n.shown);
    AppSettings reread = AppSettings.load(dir.resolve("config").resolve(AppSettings.FILE_NAME));
    assertEquals(folder.toAbsolutePath().normalize(), reread.lastProject());
    assertEquals(List.of(folder.toAbsolutePath().normalize()), reread.recentProjects());
  }

  @Test
  void aFolderWithoutProjectJsonIsReportedAndNothingChanges() {
    RecordingNotifier n = new RecordingNotifier();
    WorkbenchContext ctx = TestContexts.sameThread(dir.resolve("config"), n);
    ProjectViewModel vm = new ProjectViewModel(ctx);
    assertFalse(vm.open(dir));
    assertEquals(1, n.shown.size());
    assertTrue(n.shown.get(0).contains("no project file at"), n.shown.toString());
    assertEquals(null, ctx.project());
  }

  @Test
  void aMissingCorpusFileIsReportedAndShownInPlaceOfTheStatistics() throws Exception {
    Path folder = dir.resolve("broken");
    Files.createDirectories(folder);
    Files.writeString(folder.resolve("project.json"), "{\"format\": 1, \"name\": \"b\", \"corpus\": [\"missing.jsonl\"]}");
    RecordingNotifier n = new RecordingNotifier();
    WorkbenchContext ctx = TestContexts.sameThread(dir.resolve("config"), n);
    ProjectViewModel vm = new ProjectViewModel(ctx);
    assertTrue(vm.open(folder), "the project opens so its paths can be fixed");
    assertFalse(vm.corpora().get(0).exists());
    assertTrue(vm.statsStatusProperty().get().startsWith("Could not count: "), vm.statsStatusProperty().get());
    assertTrue(n.shown.get(0).contains("missing.jsonl"), n.shown.toString());
  }

  @Test
  void creatingAProjectWritesProjectJsonWithRelativeCorpusPaths() throws Exception {
    Path folder = dir.resolve("new");
    Files.createDirectories(folder.resolve("data"));
    Files.writeString(folder.resolve("data/a.txt"), "The cat sat on the mat. The dog sat on the log.\n".repeat(50));
    WorkbenchContext ctx = TestContexts.sameThread(dir.resolve("config"), new RecordingNotifier());
    ProjectViewModel vm = new ProjectViewModel(ctx);
    assertTrue(vm.create(folder, "mine", List.of(folder.resolve("data/a.txt"))));
    Project p = Project.load(folder);
    assertEquals("mine", p.name());
    assertEquals(List.of("data/a.txt"), p.corpus());
    assertFalse(vm.create(folder, "again", List.of(folder.resolve("data/a.txt"))), "refuses to overwrite");
  }
}
