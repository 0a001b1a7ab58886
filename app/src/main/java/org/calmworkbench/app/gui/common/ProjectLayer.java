package org.calmworkbench.app.gui.common;

import java.util.List;
import java.util.Set;
import java.util.function.Consumer;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.config.Setting;
import org.calmworkbench.backend.project.Project;
import org.calmworkbench.backend.project.StageSettings;

/**
 * A training page's settings up to the project, resolved by the backend's {@link StageSettings} as
 * the CLI's {@code --project} resolves them: built-in preset → project.json (seed,
 * validation_fraction, {@code presets.STAGE}). The page's sheet shows this layer ({@code SettingsForm#fill}) and its edits go on
 * top ({@link StageSettings#withCommandLine}), so a run started from the page and {@code calm ...
 * train --project} with the same edits as {@code --set} get the same settings and split.
 */
public final class ProjectLayer {
  private ProjectLayer() {}

  /**
   * The stage's layer for {@code project} (the built-in preset alone when null). A project.json the
   * CLI would refuse (an unknown key, a value out of range) is reported to {@code warn}, naming the
   * file and field, and its layer is left out, so the sheet shows what a run would use.
   */
  public static StageSettings of(Project project, String builtInPreset, String stage, List<Setting> settable,
      Set<String> choiceKeys, Consumer<String> warn) {
    StageSettings builtIn = StageSettings.builtIn(builtInPreset);
    try {
      return builtIn.withProject(project, stage, settable, choiceKeys);
    } catch (CalmException e) {
      warn.accept(e.getMessage() + "; the project's settings are not used until it is fixed");
      return builtIn;
    }
  }
}
