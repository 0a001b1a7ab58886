package org.calmworkbench.app.gui.common;

import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableBooleanValue;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ProgressBar;
import javafx.scene.layout.Region;
import org.calmworkbench.app.gui.service.JobCommands;
import org.calmworkbench.app.gui.service.JobState;

/**
 * The one Start / Pause / Resume / Stop row of the pages that run long jobs (Autoencoder training,
 * CALM training, Experiments), with its progress bar and percentage. Pause is enabled while the job
 * runs, Resume while it is paused, Stop while it is queued, running or paused; the page lays the
 * nodes out. Ids: the start button's own, {@code pause}, {@code resume}, {@code stop}, {@code
 * PREFIX-progress}, {@code PREFIX-percent}.
 */
public final class JobControls {
  private final Button start;
  private final Button pause = new Button("Pause");
  private final Button resume = new Button("Resume");
  private final Button stop = new Button("Stop");
  private final ProgressBar bar = new ProgressBar(0);
  private final Label percent = new Label();

  /**
   * @param startText the start button's text ("Train", "Run"), {@code startId} its id
   * @param canStart when the start button is enabled; {@code onStart} what it does
   * @param prefix the progress bar's and the percentage's id prefix
   */
  public JobControls(JobCommands job, String startText, String startId, ObservableBooleanValue canStart, Runnable onStart,
      String prefix) {
    start = new Button(startText);
    start.setId(startId);
    start.disableProperty().bind(Bindings.not(canStart));
    start.setOnAction(e -> onStart.run());
    pause.setId("pause");
    pause.disableProperty().bind(job.jobStateProperty().isNotEqualTo(JobState.RUNNING));
    pause.setOnAction(e -> job.pause());
    resume.setId("resume");
    resume.disableProperty().bind(job.jobStateProperty().isNotEqualTo(JobState.PAUSED));
    resume.setOnAction(e -> job.resume());
    stop.setId("stop");
    stop.disableProperty().bind(job.activeBinding().not());
    stop.setOnAction(e -> job.stop());
    for (Button b : buttons()) {
      b.setMinWidth(Region.USE_PREF_SIZE);
    }
    bar.setId(prefix + "-progress");
    bar.progressProperty().bind(Bindings.createDoubleBinding(
        () -> barValue(job.jobStateProperty().get(), job.progressProperty().get()),
        job.progressProperty(), job.jobStateProperty()));
    percent.setId(prefix + "-percent");
    percent.setMinWidth(Region.USE_PREF_SIZE);
    percent.textProperty().bind(Bindings.createStringBinding(
        () -> percentText(job.jobStateProperty().get(), job.progressProperty().get()),
        job.progressProperty(), job.jobStateProperty()));
  }

  /**
   * The row of a page that trains: Train (id {@code train}), Pause, Resume, Stop, with the training
   * pages' keys in the tooltips; {@code what} is what Train starts ("a CALM run into PROJECT/runs/lm-&lt;time&gt;").
   */
  public static JobControls training(JobCommands job, ObservableBooleanValue canTrain, Runnable train, String what) {
    return new JobControls(job, "Train", "train", canTrain, train, "train").tooltips(
        "Start " + what + " with these settings (Ctrl+Enter).",
        "Hold the run after the current step (Ctrl+P); nothing is lost.",
        "Continue a paused run (Ctrl+P).",
        "End the run now; a checkpoint is saved first (Esc or Ctrl+.).");
  }

  /** The buttons' tooltips, in the page's words (what starting, pausing and stopping mean there). */
  public JobControls tooltips(String start, String pause, String resume, String stop) {
    this.start.setTooltip(Concepts.tooltip(start));
    this.pause.setTooltip(Concepts.tooltip(pause));
    this.resume.setTooltip(Concepts.tooltip(resume));
    this.stop.setTooltip(Concepts.tooltip(stop));
    return this;
  }

  /** Start, Pause, Resume, Stop. */
  public List<Button> buttons() {
    return List.of(start, pause, resume, stop);
  }

  public ProgressBar bar() {
    return bar;
  }

  public Label percent() {
    return percent;
  }

  /** The bar: empty before the first job, else the fraction done (-1, unknown, shows as indeterminate). */
  public static double barValue(JobState state, double progress) {
    return state == null ? 0 : progress;
  }

  /** "46 %"; empty before the first job and while the fraction is unknown. */
  public static String percentText(JobState state, double progress) {
    return state == null || progress < 0 ? "" : String.format(Locale.ROOT, "%d %%", Math.round(progress * 100));
  }
}
