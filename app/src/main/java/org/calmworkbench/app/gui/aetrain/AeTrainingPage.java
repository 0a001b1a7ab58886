package org.calmworkbench.app.gui.aetrain;

import java.util.LinkedHashMap;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.beans.value.ObservableValue;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.SplitPane;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.common.Concepts;
import org.calmworkbench.app.gui.common.JobControls;
import org.calmworkbench.app.gui.common.Messages;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.pages.Page;
import org.calmworkbench.app.gui.settings.SettingsSheet;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.backend.train.AePresets;
import org.calmworkbench.visualizers.LiveLineChart;

/** The Autoencoder training page: a thin view over {@link AeTrainingViewModel}. */
public final class AeTrainingPage implements Page {
  public static final KeyCombination TRAIN_KEY = new KeyCodeCombination(KeyCode.ENTER, KeyCombination.SHORTCUT_DOWN);
  public static final KeyCombination STOP_KEY = new KeyCodeCombination(KeyCode.ESCAPE);
  public static final KeyCombination STOP_KEY_2 = new KeyCodeCombination(KeyCode.PERIOD, KeyCombination.SHORTCUT_DOWN);
  public static final KeyCombination PAUSE_KEY = new KeyCodeCombination(KeyCode.P, KeyCombination.SHORTCUT_DOWN);

  /**
   * The keys of every page that trains: Ctrl+Enter starts, Esc and Ctrl+. stop, Ctrl+P pauses the
   * job, or resumes it when {@code state} says it is paused.
   */
  public static Map<KeyCombination, Runnable> trainingKeys(Runnable start, Runnable stop, Runnable pause, Runnable resume,
      ObservableValue<JobState> state) {
    return Map.of(TRAIN_KEY, start, STOP_KEY, stop, STOP_KEY_2, stop, PAUSE_KEY, () -> {
      if (state.getValue() == JobState.PAUSED) {
        resume.run();
      } else {
        pause.run();
      }
    });
  }

  private final AeTrainingViewModel vm;
  private final Map<String, LiveLineChart> charts = new LinkedHashMap<>();
  private Node view;

  public AeTrainingPage(WorkbenchContext ctx) {
    this.vm = new AeTrainingViewModel(ctx);
  }

  public AeTrainingViewModel viewModel() {
    return vm;
  }

  /** The chart with id {@link AeTrainingViewModel#CHART_CE}, {@code CHART_KL} or {@code CHART_ACCURACY}. */
  public LiveLineChart chart(String id) {
    view();
    return charts.get(id);
  }

  @Override
  public Node view() {
    if (view == null) {
      view = build();
    }
    return view;
  }

  @Override
  public void onShow() {
    vm.refreshCheckpoints();
  }

  @Override
  public Map<KeyCombination, Runnable> shortcuts() {
    return trainingKeys(vm::train, vm::stop, vm::pause, vm::resume, vm.jobStateProperty());
  }

  private Node build() {
    // ---- left: preset and settings ----
    Label title = new Label("Autoencoder training");
    title.getStyleClass().add("page-title");
    Label subtitle = new Label("The autoencoder learns to squeeze K tokens into one vector of L numbers and back.");
    subtitle.getStyleClass().add("page-subtitle");
    subtitle.setWrapText(true);
    subtitle.setMinHeight(Region.USE_PREF_SIZE);

    ComboBox<String> preset = new ComboBox<>(vm.presets());
    preset.setId("preset");
    preset.valueProperty().bindBidirectional(vm.presetProperty());
    preset.setTooltip(Concepts.tooltip(Concepts.PRESET));
    Label presetInfo = new Label();
    presetInfo.setWrapText(true);
    presetInfo.setMinHeight(Region.USE_PREF_SIZE);
    presetInfo.getStyleClass().add("page-subtitle");
    presetInfo.textProperty().bind(Bindings.createStringBinding(
        () -> AePresets.get(vm.presetProperty().get()).description(), vm.presetProperty()));
    Label presetLabel = Concepts.explain(new Label("Preset"), Concepts.PRESET);
    HBox presetRow = new HBox(8, presetLabel, preset);
    presetRow.setAlignment(Pos.CENTER_LEFT);

    VBox sheets = SettingsSheet.build(vm.fields());
    javafx.scene.control.ScrollPane sheetScroll = new javafx.scene.control.ScrollPane(sheets);
    sheetScroll.setFitToWidth(true);
    VBox.setVgrow(sheetScroll, Priority.ALWAYS);

    Label validation = Messages.whenNotEmpty("validation-message", "validation-message", vm.validationMessageProperty());

    Button save = new Button("Save as project defaults");
    save.setTooltip(Concepts.tooltip("Write the preset and every setting into project.json (presets.autoencoder), so the"
        + " project carries them and can be shared as one folder."));
    save.setOnAction(e -> vm.saveAsProjectDefaults());
    save.disableProperty().bind(vm.validProperty().not());

    VBox left = new VBox(8, title, subtitle, presetRow, presetInfo, sheetScroll, validation, save);
    left.setPadding(new Insets(12));
    left.setMinWidth(380);

    // ---- right: controls, progress, charts, checkpoints ----
    JobControls job = JobControls.training(vm, vm.canTrainBinding(), vm::train, "a run into PROJECT/runs/ae-<time>");
    job.bar().setPrefWidth(220);

    Label eta = Concepts.explain(new Label(), Concepts.ETA);
    eta.setId("train-eta");
    eta.textProperty().bind(vm.etaTextProperty());
    HBox controls = new HBox(8);
    controls.getChildren().addAll(job.buttons());
    controls.getChildren().addAll(job.bar(), job.percent());
    controls.setAlignment(Pos.CENTER_LEFT);
    eta.setWrapText(true);
    eta.setMinHeight(Region.USE_PREF_SIZE);

    Label status = new Label();
    status.setId("train-status");
    status.getStyleClass().add("status-message");
    status.setWrapText(true);
    status.setMinHeight(Region.USE_PREF_SIZE);
    status.textProperty().bind(vm.statusProperty());

    LiveLineChart ce = chart(AeTrainingViewModel.CHART_CE, "Reconstruction loss (CE)", "nats/token", Concepts.CE);
    LiveLineChart kl = chart(AeTrainingViewModel.CHART_KL, "KL of the latent", "nats/chunk", Concepts.KL);
    LiveLineChart acc = chart(AeTrainingViewModel.CHART_ACCURACY, "Token accuracy", "share correct",
        Concepts.TOKEN_ACCURACY + " " + Concepts.PATCH_ACCURACY);
    acc.setYRange(0, 1);
    acc.smoothingProperty().set(0.3);
    GridPane grid = new GridPane();
    grid.setHgap(6);
    grid.setVgap(6);
    grid.add(ce, 0, 0);
    grid.add(kl, 1, 0);
    grid.add(acc, 0, 1, 2, 1);
    for (LiveLineChart c : charts.values()) {
      GridPane.setHgrow(c, Priority.ALWAYS);
      GridPane.setVgrow(c, Priority.ALWAYS);
      c.setPrefSize(380, 230);
    }
    VBox.setVgrow(grid, Priority.ALWAYS);
    vm.points().addListener((ListChangeListener<MetricPoint>) c -> {
      while (c.next()) {
        if (c.wasRemoved() && vm.points().isEmpty()) {
          charts.values().forEach(LiveLineChart::clear);
        }
        if (c.wasAdded()) {
          for (MetricPoint p : c.getAddedSubList()) {
            charts.get(p.chart()).addPoint(p.series(), p.x(), p.y());
          }
        }
      }
    });

    ListView<RunStore.Checkpoint> checkpoints = new ListView<>(vm.checkpoints());
    checkpoints.setId("checkpoints");
    checkpoints.setPrefHeight(96);
    checkpoints.setPlaceholder(new Label("No autoencoder checkpoints in this project's runs/ folder yet."));
    Label ckTitle = new Label("Checkpoints in runs/");
    ckTitle.getStyleClass().add("section-title");
    Button refresh = new Button("Refresh");
    refresh.setOnAction(e -> vm.refreshCheckpoints());
    HBox ckHeader = new HBox(8, ckTitle, refresh);
    ckHeader.setAlignment(Pos.CENTER_LEFT);

    VBox right = new VBox(6, controls, eta, status, grid, ckHeader, checkpoints);
    right.setPadding(new Insets(12));

    SplitPane split = new SplitPane(left, right);
    split.setOrientation(Orientation.HORIZONTAL);
    split.setDividerPositions(0.36);
    SplitPane.setResizableWithParent(left, false);
    return new BorderPane(split);
  }

  private LiveLineChart chart(String id, String title, String yLabel, String help) {
    LiveLineChart c = new LiveLineChart(title, "step", yLabel);
    c.setId("chart-" + id);
    c.setHelp(help);
    charts.put(id, c);
    return c;
  }
}
