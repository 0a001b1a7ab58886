package org.calmworkbench.app.gui.common;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.calmworkbench.backend.model.ModelType;
import org.calmworkbench.backend.train.AutoencoderTrainer;
import org.calmworkbench.backend.train.CheckpointWeights;
import org.calmworkbench.backend.train.TrainerState;

/** The autoencoder checkpoints in a project's {@code runs/} folder, newest first. */
public final class Checkpoints {
  private Checkpoints() {}

  public static final String RUNS = org.calmworkbench.backend.project.Project.RUNS;

  /** One checkpoint folder; {@code step} is -1 when it has no trainer state (an imported model). */
  public record Info(Path dir, long step, FileTime modified) {
    public String name() {
      return dir.getFileName().toString();
    }

    @Override
    public String toString() {
      String when = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").format(modified.toInstant().atZone(ZoneId.systemDefault()));
      return name() + (step >= 0 ? "  (step " + step + ", " + when + ")" : "  (" + when + ")");
    }
  }

  /**
   * Makes a checkpoint picker show only the folder name in its closed button (with the full "name
   * (step, date)" in the button's tooltip and in the drop-down list), so a narrow settings column
   * does not cut the name itself to "lm-2026112…".
   */
  public static void showNamesInButton(javafx.scene.control.ComboBox<Info> box) {
    box.setButtonCell(new javafx.scene.control.ListCell<>() {
      @Override
      protected void updateItem(Info item, boolean empty) {
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
   * Autoencoder checkpoints under {@code project/runs/}: folders with a config.json of model_type
   * calm_autoencoder (or the official "autoencoder") and weights (model.safetensors or pytorch_model.bin).
   */
  public static List<Info> autoencoders(Path projectFolder) {
    Path runs = projectFolder.resolve(RUNS);
    List<Info> out = new ArrayList<>();
    if (!Files.isDirectory(runs)) {
      return out;
    }
    try (Stream<Path> dirs = Files.list(runs)) {
      for (Path d : dirs.filter(Files::isDirectory).toList()) {
        Info info = autoencoder(d);
        if (info != null) {
          out.add(info);
        }
      }
    } catch (IOException e) {
      return out; // an unreadable runs folder lists as empty; the training page still works
    }
    out.sort(Comparator.comparing(Info::modified).reversed());
    return out;
  }

  /**
   * What to select after the list was re-read: the checkpoint in the folder of {@code current} (its
   * newest step), else the newest checkpoint, else null.
   */
  public static Info reselect(List<Info> list, Info current) {
    Path selected = current == null ? null : current.dir();
    return list.stream().filter(c -> c.dir().equals(selected)).findFirst().orElse(list.isEmpty() ? null : list.get(0));
  }

  /** Why there is nothing to pick: no project open, or no checkpoint in its runs folder yet. */
  public static String noneMessage(Path projectFolder) {
    return projectFolder == null ? "Open a project first." : "No autoencoder checkpoint in " + projectFolder.resolve(RUNS)
        + " yet: train one on the Autoencoder training page.";
  }

  /** The checkpoint in {@code dir}, or null if it holds no complete autoencoder checkpoint. */
  public static Info autoencoder(Path dir) {
    Path config = dir.resolve(AutoencoderTrainer.CONFIG);
    // model.safetensors, or the official code's pytorch_model.bin (read by the same loader)
    Path model = CheckpointWeights.find(dir).orElse(null);
    if (!Files.isRegularFile(config) || model == null) {
      return null;
    }
    try {
      JsonObject c = JsonParser.parseString(Files.readString(config)).getAsJsonObject();
      if (c.has("model_type")
          && ModelType.fromKey(c.get("model_type").getAsString()).orElse(null) != ModelType.AUTOENCODER) {
        return null; // a language model, or not ours ("autoencoder", the official type, is accepted)
      }
      long step = -1;
      Path state = dir.resolve(AutoencoderTrainer.STATE);
      if (Files.isRegularFile(state)) {
        step = TrainerState.readIfOurs(state).map(TrainerState::step).orElse(-1L); // a Trainer checkpoint-N: no step here
      }
      return new Info(dir, step, Files.getLastModifiedTime(model));
    } catch (IOException | RuntimeException e) {
      return null; // half-written or foreign folder
    }
  }
}
