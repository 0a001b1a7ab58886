package org.calmworkbench.app.gui.lmtrain;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.CheckBox;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Separator;
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
import org.calmworkbench.app.gui.aetrain.AeTrainingPage;
import org.calmworkbench.app.gui.settings.SettingsSheet;
import org.calmworkbench.app.gui.common.Concepts;
import org.calmworkbench.app.gui.common.JobControls;
import org.calmworkbench.app.gui.common.Messages;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.common.TrainingFlops;
import org.calmworkbench.app.gui.pages.Page;
import org.calmworkbench.backend.model.InputMode;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.backend.train.LmPresets;
import org.calmworkbench.visualizers.LiveLineChart;

/** The CALM training page: a thin view over {@link LmTrainingViewModel}. */
public final class LmTrainingPage implements Page {
  public static final String TITLE = "CALM training";
  /** Ctrl+Shift+Enter: train the AR baseline (Ctrl+Enter trains CALM, as on the autoencoder page). */
  public static final KeyCombination BASELINE_KEY =
      new KeyCodeCombination(KeyCode.ENTER, KeyCombination.SHORTCUT_DOWN, KeyCombination.SHIFT_DOWN);

  static final String ENERGY_LOSS =
      "Energy loss: minus the energy score of the head's N samples x against M samples y of the frozen"
          + " autoencoder's posterior for the true next chunk: 2/(NM) sum |x_i - y_m|^beta - 1/(N(N-1))"
          + " sum_{i != j} |x_i - x_j|^beta. The first term pulls samples to the target, the second keeps them"
          + " diverse. Lower is better; it can go below zero. Held-out: the same loss on text the model never"
          + " trained on. Two reference lines, measured on held-out chunks when the run starts: the marginal"
          + " level is what a model that ignores the context scores (it draws any chunk of the corpus); the"
          + " oracle level is what the exact posterior of the true next chunk scores, the floor. A held-out"
          + " loss that stays at the marginal line means the model predicts 'some chunk', not the next one;"
          + " learning shows as the loss moving from the marginal line toward the oracle line. The log gives"
          + " each evaluation's context gain, (marginal - held-out) / (marginal - oracle): 0 at the marginal"
          + " line, 1 at the oracle line. At the tiny preset most runs pass 0.05 within 6,000 steps; about one"
          + " seed in six stays at 0, and another seed is the remedy (docs/EXPERIMENTS.md).";
  static final String BRIER_LM =
      "BrierLM = 100 x the geometric mean of Brier-1..4, measured every eval_every steps on held-out text."
          + " It needs only samples, so CALM (no softmax) and the AR baseline are scored alike. Higher is"
          + " better; it is 0 while any Brier-n is 0 or below, as early in training. Dashed: the AR baseline.";
  static final String BRIER_N =
      "Brier-n on held-out text: two independent samples x1, x2 of the next n tokens and the truth y score"
          + " 1{x1 = y} + 1{x2 = y} - 1{x1 = x2}, averaged over positions; an unbiased estimate of the Brier"
          + " score of n-token continuations. Higher is better; solid: CALM, dashed: the AR baseline (same"
          + " colour, same n). The on-manifold fraction is the share of the head's samples that decode to a"
          + " chunk whose own latent lies within the autoencoder's posterior radius of the sample; samples"
          + " that fall between the autoencoder's islands decode to some other chunk, often garbage.";
  static final String INPUT_MODE = Concepts.INPUT_MODE;
  static final String AUTOENCODER =
      "The frozen autoencoder (a run of the Autoencoder training page) whose vectors the model learns to"
          + " predict; its tokenizer, K and latent size L are used.";
  static final String BASELINE =
      "Train the autoregressive Transformer (next-token softmax) on the same corpus split and tokenizer, with"
          + " the same backbone and training settings, as a second job in the queue; its Brier curves are"
          + " drawn dashed over CALM's (Ctrl+Shift+Enter).";

  private final LmTrainingViewModel vm;
  private final Map<String, LiveLineChart> charts = new LinkedHashMap<>();
  private Node view;

  public LmTrainingPage(WorkbenchContext ctx) {
    this.vm = new LmTrainingViewModel(ctx);
  }

  public LmTrainingViewModel viewModel() {
    return vm;
  }

  /** The chart with id {@link LmTrainingViewModel#CHART_LOSS}, {@code CHART_BRIER} or {@code CHART_BRIER_N}. */
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
    vm.refreshAutoencoders();
  }

  @Override
  public Map<KeyCombination, Runnable> shortcuts() {
    Map<KeyCombination, Runnable> keys =
        new java.util.HashMap<>(AeTrainingPage.trainingKeys(vm::train, vm::stop, vm::pause, vm::resume, vm.jobStateProperty()));
    keys.put(BASELINE_KEY, vm::trainBaseline);
    return keys;
  }

  private Node build() {
    // ---- left: autoencoder, input, preset and settings ----
    Label title = new Label(TITLE);
    title.getStyleClass().add("page-title");
    Label subtitle = new Label("A Transformer learns to predict the next chunk's vector (K tokens at once) with an"
        + " energy-score head; BrierLM measures how well it predicts text.");
    subtitle.getStyleClass().add("page-subtitle");
    subtitle.setWrapText(true);
    subtitle.setMinHeight(Region.USE_PREF_SIZE);

    ComboBox<org.calmworkbench.backend.project.RunStore.Checkpoint> ae = new ComboBox<>(vm.autoencoders());
    org.calmworkbench.app.gui.common.Checkpoints.showNamesInButton(ae);
    ae.setId("autoencoder");
    ae.valueProperty().bindBidirectional(vm.autoencoderProperty());
    ae.setPromptText("no autoencoder in runs/ yet");
    ae.setMaxWidth(Double.MAX_VALUE);
    ae.setTooltip(Concepts.tooltip(AUTOENCODER));
    HBox.setHgrow(ae, Priority.ALWAYS);
    Button refresh = new Button("↻");
    refresh.setTooltip(Concepts.tooltip("Re-read the project's runs/ folder."));
    refresh.setOnAction(e -> vm.refreshAutoencoders());

    ComboBox<InputMode> input = new ComboBox<>(vm.inputModes());
    input.setId("input-mode");
    input.valueProperty().bindBidirectional(vm.inputModeProperty());
    input.setTooltip(Concepts.tooltip(INPUT_MODE));
    input.setConverter(new javafx.util.StringConverter<>() {
      @Override
      public String toString(InputMode m) {
        return m == null ? "" : m.key();
      }

      @Override
      public InputMode fromString(String s) {
        return InputMode.parse(s);
      }
    });

    ComboBox<String> preset = new ComboBox<>(vm.presets());
    preset.setId("lm-preset");
    preset.valueProperty().bindBidirectional(vm.presetProperty());
    preset.setTooltip(Concepts.tooltip("A preset fills in every setting at once: tiny (seconds), laptop (minutes on a"
        + " CPU) or paper-m (the paper's CALM-M shape, far too slow for a CPU). Change any value afterwards."));
    Label presetInfo = new Label();
    presetInfo.setWrapText(true);
    presetInfo.setMinHeight(Region.USE_PREF_SIZE);
    presetInfo.getStyleClass().add("page-subtitle");
    presetInfo.textProperty().bind(Bindings.createStringBinding(
        () -> LmPresets.get(vm.presetProperty().get()).description(), vm.presetProperty()));

    GridPane choices = new GridPane();
    choices.setHgap(8);
    choices.setVgap(6);
    Label aeLabel = Concepts.explain(new Label("Autoencoder"), AUTOENCODER);
    Label inputLabel = Concepts.explain(new Label("Input"), INPUT_MODE);
    Label presetLabel = new Label("Preset");
    for (Label l : List.of(aeLabel, inputLabel, presetLabel)) {
      l.setMinWidth(Region.USE_PREF_SIZE);
    }
    HBox aeRow = new HBox(4, ae, refresh);
    choices.addRow(0, aeLabel, aeRow);
    choices.addRow(1, inputLabel, input);
    choices.addRow(2, presetLabel, preset);
    GridPane.setHgrow(aeRow, Priority.ALWAYS);

    VBox sheets = SettingsSheet.build(vm.fields());
    ScrollPane sheetScroll = new ScrollPane(sheets);
    sheetScroll.setFitToWidth(true);
    VBox.setVgrow(sheetScroll, Priority.ALWAYS);

    Label validation = Messages.whenNotEmpty("validation-message", "validation-message", vm.validationMessageProperty());

    VBox left = new VBox(8, title, subtitle, choices, presetInfo, sheetScroll, validation);
    left.setPadding(new Insets(12));
    left.setMinWidth(380);

    // ---- right: controls, progress, charts ----
    JobControls job = JobControls.training(vm, vm.canTrainBinding(), vm::train, "a CALM run into PROJECT/runs/lm-<time>");
    job.bar().setPrefWidth(200);
    Button baseline = new Button("AR baseline");
    baseline.setId("train-baseline");
    baseline.setTooltip(Concepts.tooltip(BASELINE));
    baseline.disableProperty().bind(vm.canTrainBaselineBinding().not());
    baseline.setOnAction(e -> vm.trainBaseline());

    baseline.setMinWidth(Region.USE_PREF_SIZE);
    Separator sep = new Separator(Orientation.VERTICAL);
    HBox controls = new HBox(8);
    controls.getChildren().addAll(job.buttons());
    controls.getChildren().addAll(sep, baseline, job.bar(), job.percent());
    controls.setAlignment(Pos.CENTER_LEFT);

    Label eta = Concepts.explain(new Label(), Concepts.ETA);
    eta.setId("train-eta");
    eta.textProperty().bind(vm.etaTextProperty());
    eta.setWrapText(true);
    eta.setMinHeight(Region.USE_PREF_SIZE);
    Label status = new Label();
    status.setId("train-status");
    status.getStyleClass().add("status-message");
    status.setWrapText(true);
    status.setMinHeight(Region.USE_PREF_SIZE);
    status.textProperty().bind(vm.statusProperty());

    ComboBox<LmPoint.XAxis> xAxis = new ComboBox<>(javafx.collections.FXCollections.observableArrayList(LmPoint.XAxis.values()));
    xAxis.setId("x-axis");
    xAxis.valueProperty().bindBidirectional(vm.xAxisProperty());
    xAxis.setTooltip(Concepts.tooltip("Steps, or " + TrainingFlops.FORMULA));
    Label xLabel = Concepts.explain(new Label("x axis"), TrainingFlops.FORMULA);
    CheckBox overlay = new CheckBox("Overlay AR baseline");
    overlay.setId("overlay-baseline");
    overlay.selectedProperty().bindBidirectional(vm.showBaselineProperty());
    Label baselineName = new Label();
    baselineName.getStyleClass().add("page-subtitle");
    baselineName.textProperty().bind(Bindings.createStringBinding(() -> vm.baselineFolderProperty().get() == null
        ? "(no AR run yet)" : "(" + vm.baselineFolderProperty().get().getFileName() + ")", vm.baselineFolderProperty()));
    overlay.setTooltip(Concepts.tooltip("Draw the AR baseline's BrierLM and Brier-n dashed on the same axes: the run"
        + " trained here, or else the project's newest AR run."));
    HBox chartBar = new HBox(8, xLabel, xAxis, new Separator(Orientation.VERTICAL), overlay, baselineName);
    chartBar.setAlignment(Pos.CENTER_LEFT);

    LiveLineChart loss = chart(LmTrainingViewModel.CHART_LOSS, "Energy loss", "loss (lower is better)", ENERGY_LOSS);
    LiveLineChart brierLm = chart(LmTrainingViewModel.CHART_BRIER, "BrierLM (held-out)", "BrierLM (0-100)", BRIER_LM);
    LiveLineChart brierN = chart(LmTrainingViewModel.CHART_BRIER_N, "Brier-1..4 (held-out)", "Brier-n", BRIER_N);
    brierLm.smoothingProperty().set(0);
    brierN.smoothingProperty().set(0);
    brierLm.setShapesVisible(true);
    brierLm.setMinimumYRange(1);
    brierN.setMinimumYRange(0.1);
    loss.setMinimumYRange(0.01);
    brierN.setShapesVisible(true);
    for (int n = 1; n <= 4; n++) {
      brierN.styleLike(LmTrainingViewModel.AR_PREFIX + LmTrainingViewModel.brierSeries(n), LmTrainingViewModel.brierSeries(n), true);
    }
    brierLm.styleLike(LmTrainingViewModel.AR_PREFIX + LmTrainingViewModel.SERIES_BRIER_LM,
        LmTrainingViewModel.SERIES_BRIER_LM, true);
    GridPane grid = new GridPane();
    grid.setHgap(6);
    grid.setVgap(6);
    grid.add(loss, 0, 0);
    grid.add(brierLm, 1, 0);
    grid.add(brierN, 0, 1, 2, 1);
    for (LiveLineChart c : charts.values()) {
      GridPane.setHgrow(c, Priority.ALWAYS);
      GridPane.setVgrow(c, Priority.ALWAYS);
      c.setPrefSize(380, 260);
    }
    VBox.setVgrow(grid, Priority.ALWAYS);

    vm.points().addListener((ListChangeListener<LmPoint>) c -> {
      boolean replot = false;
      while (c.next()) {
        if (c.wasRemoved()) {
          replot = true;
        } else if (c.wasAdded() && !replot) {
          for (LmPoint p : c.getAddedSubList()) {
            MetricPoint m = vm.chartPoint(p);
            if (m != null) {
              charts.get(m.chart()).addPoint(m.series(), m.x(), m.y());
            }
          }
        }
      }
      if (replot) {
        replot();
      }
    });
    vm.xAxisProperty().addListener((o, a, b) -> replot());
    vm.showBaselineProperty().addListener((o, a, b) -> replot());
    replot();

    VBox right = new VBox(6, controls, eta, status, chartBar, grid);
    right.setPadding(new Insets(12));

    SplitPane split = new SplitPane(left, right);
    split.setOrientation(Orientation.HORIZONTAL);
    split.setDividerPositions(0.34);
    SplitPane.setResizableWithParent(left, false);
    return new BorderPane(split);
  }

  /** Redraws every chart from the view model's points (after a new run, an axis or overlay change). */
  private void replot() {
    charts.values().forEach(c -> {
      c.clear();
      c.setXLabel(vm.xAxisProperty().get().label());
    });
    for (MetricPoint m : vm.chartPoints()) {
      charts.get(m.chart()).addPoint(m.series(), m.x(), m.y());
    }
  }

  private LiveLineChart chart(String id, String title, String yLabel, String help) {
    LiveLineChart c = new LiveLineChart(title, "step", yLabel);
    c.setId("chart-" + id);
    c.setHelp(help);
    charts.put(id, c);
    return c;
  }
}
