package org.calmworkbench.app.gui.common;

import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.RunStore;

/**
 * What the pages do with the checkpoints {@link RunStore} finds: pick one, keep the selection when the
 * list is re-read, say why there is none.
 */
public final class Checkpoints {
  private Checkpoints() {}

  /**
   * Makes a checkpoint picker show only the folder name in its closed button (with the full "name
   * (step, date)" in the button's tooltip and in the drop-down list), so a narrow settings column
   * does not cut the name itself to "lm-2026112…".
   */
  public static void showNamesInButton(javafx.scene.control.ComboBox<RunStore.Checkpoint> box) {
    box.setButtonCell(new javafx.scene.control.ListCell<>() {
      @Override
      protected void updateItem(RunStore.Checkpoint item, boolean empty) {
        super.updateItem(item, empty);
        if (empty || item == null) {
          setText(box.getPromptText());
          setTooltip(null);
        } else {
          setText(item.name());
          setTooltip(new javafx.scene.control.Tooltip(item.toString()));
        }
      }
    });
  }

  /**
   * What to select after the list was re-read: the checkpoint in the folder of {@code current} (its
   * newest step), else the newest checkpoint, else null.
   */
  public static RunStore.Checkpoint reselect(List<RunStore.Checkpoint> list, RunStore.Checkpoint current) {
    Path selected = current == null ? null : current.dir();
    return list.stream().filter(c -> c.dir().equals(selected)).findFirst().orElse(list.isEmpty() ? null : list.get(0));
  }

  /** Why there is nothing to pick: no project open, or no checkpoint in its runs folder yet. */
  public static String noneMessage(Path projectFolder) {
    return projectFolder == null ? "Open a project first." : "No autoencoder checkpoint in " + projectFolder.resolve(Project.RUNS)
        + " yet: train one on the Autoencoder training page.";
  }
}
