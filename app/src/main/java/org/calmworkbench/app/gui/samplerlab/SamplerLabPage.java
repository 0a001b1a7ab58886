package org.calmworkbench.app.gui.samplerlab;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.beans.property.DoubleProperty;
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
import javafx.scene.control.Slider;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.beans.property.ReadOnlyStringWrapper;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.common.Concepts;
import org.calmworkbench.app.gui.common.Messages;
import org.calmworkbench.app.gui.pages.Page;
import org.calmworkbench.visualizers.BarChartView;

/**
 * The Sampler lab: the paper's temperature section as an interactive figure. A thin view over
 * {@link SamplerLabViewModel}.
 */
public final class SamplerLabPage implements Page {
  public static final String TITLE = "Sampler lab";
  public static final KeyCombination RUN_KEY = new KeyCodeCombination(KeyCode.ENTER, KeyCombination.SHORTCUT_DOWN);
  public static final String SERIES_P = "p (T = 1)";
  public static final String SERIES_TARGET = "target p^(1/T)/Z";

  static final String ALGORITHM_1 =
      "Algorithm 1 (exact): write 1/T = n + alpha; draw n samples and restart unless all are the same x"
          + " (probability p(x)^n), then keep x with probability p(x)^alpha using a Bernoulli factory whose coin is"
          + " \"a fresh draw equals x\"; accepted outputs follow exactly p(x)^(1/T) / Z, with Z = sum_y p(y)^(1/T).";
  static final String ALGORITHM_2 =
      "Algorithm 2 (batch approximation): draw N samples, count repeats c(x), and choose x with weight"
          + " C(c(x), 1/T) = c(x)(c(x)-1).../(1/T)!, an estimate of p(x)^(1/T) from the batch (stepping down to a"
          + " warmer level when nothing repeats often enough); a fixed cost of N draws, biased towards T = 1 for small N.";
  static final String TARGET_HELP =
      "Target: p(x)^(1/T) / Z, what temperature T should give. The samplers never see p; they only draw from it,"
          + " as CALM can only draw chunks from its energy head.";
  static final String TV_HELP =
      "Total variation TV = 1/2 * sum_x |frequency(x) - target(x)|: 0 means the sampler hit the target; sampling"
          + " noise alone leaves about sqrt(k / draws) / 2.";
  static final String CALLS_HELP =
      "Mean sampler calls per output: how many times the black box was drawn from for one sample. Exact costs about"
          + " 1 / sum_x p(x)^(1/T) attempts, growing fast as T falls; batch always costs N.";

  /** One row of the results table. */
  public record Row(String method, String tv, String calls, String restarts, String fallbacks) {}

  private final SamplerLabViewModel vm;
  private BarChartView chart;
  private TableView<Row> table;
  private HBox sliders;
  private Node view;

  public SamplerLabPage(WorkbenchContext ctx) {
    this.vm = new SamplerLabViewModel(ctx);
  }

  public SamplerLabViewModel viewModel() {
    return vm;
  }

  public BarChartView chart() {
    view();
    return chart;
  }

  public TableView<Row> table() {
    view();
    return table;
  }

  @Override
  public Node view() {
    if (view == null) {
      view = build();
    }
    return view;
  }

  @Override
  public Map<KeyCombination, Runnable> shortcuts() {
    return Map.of(RUN_KEY, vm::run);
  }

  private Node build() {
    Label title = new Label("Sampler lab");
    title.getStyleClass().add("page-title");
    Label subtitle = new Label("CALM cannot compute the probability of a chunk, it can only draw one. How do you sample"
        + " at temperature T then? Pick a distribution p, treat it as a black box, and compare the paper's two"
        + " samplers with the exact answer p^(1/T)/Z.");
    subtitle.getStyleClass().add("page-subtitle");
    subtitle.setWrapText(true);
    subtitle.setMinHeight(Region.USE_PREF_SIZE);

    ComboBox<SamplerLabViewModel.Preset> preset = new ComboBox<>();
    preset.getItems().setAll(SamplerLabViewModel.PRESETS);
    preset.setId("lab-preset");
    preset.valueProperty().bindBidirectional(vm.presetProperty());
    preset.setMaxWidth(Double.MAX_VALUE);
    preset.setTooltip(Concepts.tooltip("A distribution to start from; move the sliders or type values to change it."));

    sliders = new HBox(6);
    sliders.setId("weights");
    sliders.setAlignment(Pos.BOTTOM_LEFT);
    vm.weights().addListener((ListChangeListener<DoubleProperty>) c -> renderSliders());
    renderSliders();
    Button add = new Button("+");
    add.setTooltip(Concepts.tooltip("Add a category."));
    add.setOnAction(e -> vm.addCategory());
    Button remove = new Button("−");
    remove.setTooltip(Concepts.tooltip("Remove the last category."));
    remove.setOnAction(e -> vm.removeCategory());
    VBox addRemove = new VBox(4, add, remove);
    ScrollPane sliderScroll = new ScrollPane(new HBox(10, sliders, addRemove));
    sliderScroll.setFitToHeight(true);
    sliderScroll.setPrefViewportHeight(170);
    sliderScroll.setMinHeight(150);

    TextField typed = new TextField();
    typed.setId("typed-probabilities");
    typed.textProperty().bindBidirectional(vm.typedProperty());
    typed.setTooltip(Concepts.tooltip("Type probabilities separated by commas (they are divided by their sum), then"
        + " press Enter or Apply."));
    typed.setOnAction(e -> vm.applyTyped());
    HBox.setHgrow(typed, Priority.ALWAYS);
    Button apply = new Button("Apply");
    apply.setId("apply-typed");
    apply.setOnAction(e -> vm.applyTyped());
    HBox typedRow = new HBox(6, typed, apply);

    Slider temp = new Slider(SamplerLabViewModel.MIN_TEMPERATURE, 1, vm.temperatureProperty().get());
    temp.setId("lab-temperature");
    temp.valueProperty().bindBidirectional(vm.temperatureProperty());
    temp.setShowTickLabels(false); // ticks from 0.05 would read 0.3, 0.55...; the value is shown beside it
    temp.setShowTickMarks(true);
    temp.setMajorTickUnit(0.25);
    temp.setBlockIncrement(0.05);
    temp.setMaxWidth(Double.MAX_VALUE);
    temp.setTooltip(Concepts.tooltip("Temperature T in (0, 1]: the target is p^(1/T)/Z; lower T sharpens p."));
    HBox.setHgrow(temp, Priority.ALWAYS);
    Label tempValue = new Label();
    tempValue.setId("lab-temperature-value");
    tempValue.setMinWidth(Region.USE_PREF_SIZE);
    tempValue.textProperty().bind(Bindings.createStringBinding(() -> String.format(Locale.ROOT, "T = %.2f  (1/T = %.2f)",
        vm.temperatureProperty().get(), 1 / vm.temperatureProperty().get()), vm.temperatureProperty()));
    HBox tempRow = new HBox(8, temp, tempValue);
    tempRow.setAlignment(Pos.CENTER_LEFT);

    CheckBox exact = new CheckBox("Exact (Algorithm 1)");
    exact.setId("lab-exact");
    exact.selectedProperty().bindBidirectional(vm.exactProperty());
    exact.setTooltip(Concepts.tooltip(ALGORITHM_1));
    CheckBox batch = new CheckBox("Batch (Algorithm 2), N =");
    batch.setId("lab-batch");
    batch.selectedProperty().bindBidirectional(vm.batchProperty());
    batch.setTooltip(Concepts.tooltip(ALGORITHM_2));
    TextField n = field("lab-candidates", vm.candidatesProperty(), 70, "N: samples drawn per output by Algorithm 2.");
    n.disableProperty().bind(vm.batchProperty().not());
    HBox batchRow = new HBox(6, batch, n);
    batchRow.setAlignment(Pos.CENTER_LEFT);
    TextField draws = field("lab-draws", vm.drawsProperty(), 90, "Outputs to sample with each method; more draws,"
        + " less sampling noise in the frequencies (about sqrt(p(1-p)/draws)).");
    TextField seed = field("lab-seed", vm.seedProperty(), 70, "Seed of all randomness: the same seed gives the same bars.");
    HBox drawRow = new HBox(8, draws, new Label("Seed"), seed);
    drawRow.setAlignment(Pos.CENTER_LEFT);

    GridPane settings = new GridPane();
    settings.setHgap(8);
    settings.setVgap(8);
    settings.addRow(0, new Label("Preset"), preset);
    settings.addRow(1, Concepts.explain(new Label("Temperature"), TARGET_HELP), tempRow);
    settings.addRow(2, new Label("Samplers"), exact);
    settings.add(batchRow, 1, 3);
    settings.addRow(4, new Label("Draws"), drawRow);
    GridPane.setHgrow(preset, Priority.ALWAYS);
    GridPane.setHgrow(tempRow, Priority.ALWAYS);
    javafx.scene.layout.ColumnConstraints labels = new javafx.scene.layout.ColumnConstraints();
    labels.setMinWidth(Region.USE_PREF_SIZE); // the names stay whole at 1280x800; the controls give way
    settings.getColumnConstraints().addAll(labels, new javafx.scene.layout.ColumnConstraints());

    Label validation = Messages.whenNotEmpty("lab-validation", "validation-message", vm.validationMessageProperty());

    Button run = new Button("Run");
    run.setId("lab-run");
    run.setTooltip(Concepts.tooltip("Sample with the ticked methods on the workbench's worker thread (Ctrl+Enter)."));
    run.disableProperty().bind(vm.canRunBinding().not());
    run.setOnAction(e -> vm.run());
    run.setMinWidth(Region.USE_PREF_SIZE);
    Label status = new Label();
    status.setId("lab-status");
    status.getStyleClass().add("status-message");
    status.setWrapText(true);
    status.setMinHeight(Region.USE_PREF_SIZE);
    status.textProperty().bind(vm.statusProperty());

    Label distTitle = new Label("Distribution p (sliders are weights; p under each)");
    distTitle.getStyleClass().add("section-title");
    VBox left = new VBox(10, title, subtitle, settings, distTitle, sliderScroll, typedRow, validation, run, status);
    left.setPadding(new Insets(12));
    left.setMinWidth(380);
    ScrollPane leftScroll = new ScrollPane(left);
    leftScroll.setFitToWidth(true);

    // ---- results ----
    chart = new BarChartView("Frequencies against the target at temperature T", "category", "share of draws");
    chart.setId("lab-chart");
    chart.setHelp(TARGET_HELP + " " + ALGORITHM_1 + " " + ALGORITHM_2);
    chart.setValueRange(0, Double.NaN);
    chart.setSeriesColor(0, javafx.scene.paint.Color.rgb(190, 190, 190)); // p: the reference, in grey
    chart.setSeriesColor(1, javafx.scene.paint.Color.rgb(40, 40, 40)); // target: black
    chart.setSeriesColor(2, javafx.scene.paint.Color.rgb(0, 114, 178)); // exact: blue
    chart.setSeriesColor(3, javafx.scene.paint.Color.rgb(213, 94, 0)); // batch: orange
    chart.setPrefSize(640, 420);
    VBox.setVgrow(chart, Priority.ALWAYS);
    showPreview();
    vm.normalisedProperty().addListener((o, a, b) -> {
      if (vm.outcomeProperty().get() == null) {
        showPreview();
      }
    });
    vm.temperatureProperty().addListener((o, a, b) -> {
      if (vm.outcomeProperty().get() == null) {
        showPreview();
      }
    });
    vm.outcomeProperty().addListener((o, a, b) -> showOutcome(b));

    table = new TableView<>();
    table.setId("lab-table");
    table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    table.getColumns().add(column("Method", Row::method, "Which sampler. " + ALGORITHM_1 + " " + ALGORITHM_2, 120));
    table.getColumns().add(column("Total variation", Row::tv, TV_HELP, 105));
    table.getColumns().add(column("Calls per draw", Row::calls, CALLS_HELP, 105));
    table.getColumns().add(column("Restarts per draw", Row::restarts,
        "Exact sampler: attempts rejected before the accepted one, per output.", 140));
    table.getColumns().add(column("Fell back", Row::fallbacks,
        "Exact outputs that hit the call budget (10000) and came from the batch estimate instead.", 80));
    table.setPlaceholder(new Label("Press Run to sample."));
    table.setPrefHeight(110);
    table.setMinHeight(100);
    Label tableTitle = new Label("How close, at what cost");
    tableTitle.getStyleClass().add("section-title");

    VBox right = new VBox(8, chart, tableTitle, table);
    right.setPadding(new Insets(12));

    SplitPane split = new SplitPane(leftScroll, right);
    split.setOrientation(Orientation.HORIZONTAL);
    split.setDividerPositions(0.4);
    SplitPane.setResizableWithParent(leftScroll, false);
    return new BorderPane(split);
  }

  private void renderSliders() {
    if (sliders == null) {
      return;
    }
    sliders.getChildren().clear();
    for (int i = 0; i < vm.weights().size(); i++) {
      Slider s = new Slider(0, 1, vm.weights().get(i).get());
      s.setOrientation(Orientation.VERTICAL);
      s.setId("weight-" + i);
      s.valueProperty().bindBidirectional(vm.weights().get(i));
      s.setPrefHeight(110);
      String name = SamplerLabViewModel.categoryName(i);
      s.setTooltip(Concepts.tooltip("Weight of category " + name + "; p(" + name + ") is its weight divided by the sum."));
      Label label = new Label(name);
      label.getStyleClass().add("section-title");
      Label p = new Label();
      p.setId("p-" + i);
      p.textProperty().bind(vm.probabilityText(i));
      p.getStyleClass().add("probability-value");
      VBox col = new VBox(2, label, s, p);
      col.setAlignment(Pos.CENTER);
      sliders.getChildren().add(col);
    }
  }

  /** Before the first run: p and the target only, so moving T already shows the sharpening. */
  private void showPreview() {
    double[] p = vm.normalisedProperty().get();
    if (p.length == 0 || !(vm.temperatureProperty().get() > 0)) {
      chart.clear();
      return;
    }
    double[] target = org.calmworkbench.backend.sampling.TemperatureSampler.targetDistribution(p,
        Math.min(1, vm.temperatureProperty().get()));
    chart.setData(List.of(SERIES_P, SERIES_TARGET), categories(p.length), new double[][] {p, target});
  }

  private void showOutcome(SamplerLabViewModel.Outcome o) {
    if (o == null) {
      showPreview();
      table.getItems().clear();
      return;
    }
    List<String> series = new ArrayList<>(List.of(SERIES_P, SERIES_TARGET));
    List<double[]> values = new ArrayList<>(List.of(o.probabilities(), o.target()));
    List<Row> rows = new ArrayList<>();
    for (SamplerLabViewModel.MethodResult m : o.methods()) {
      series.add(m.name());
      values.add(m.frequencies());
      rows.add(new Row(m.name(), String.format(Locale.ROOT, "%.4f", m.totalVariation()),
          String.format(Locale.ROOT, "%.2f", m.meanSamplerCalls()),
          m.name().startsWith("exact") ? String.format(Locale.ROOT, "%.2f", m.meanRestarts()) : "–",
          String.valueOf(m.fallbacks())));
    }
    chart.setData(series, categories(o.probabilities().length), values.toArray(double[][]::new));
    table.getItems().setAll(rows);
  }

  private static List<String> categories(int k) {
    List<String> out = new ArrayList<>();
    for (int i = 0; i < k; i++) {
      out.add(SamplerLabViewModel.categoryName(i));
    }
    return out;
  }

  private static TableColumn<Row, String> column(String name, java.util.function.Function<Row, String> get, String help,
      double width) {
    TableColumn<Row, String> c = new TableColumn<>();
    Label header = Concepts.explain(new Label(name), help);
    header.setMinWidth(0); // a narrow column shortens its name to "..." (the tooltip has it) instead of overlapping the next
    c.setGraphic(header);
    c.setPrefWidth(width);
    c.setCellValueFactory(d -> new ReadOnlyStringWrapper(get.apply(d.getValue())));
    return c;
  }

  private static TextField field(String id, javafx.beans.property.StringProperty p, double width, String help) {
    TextField f = new TextField();
    f.setId(id);
    f.textProperty().bindBidirectional(p);
    f.setPrefWidth(width);
    f.setMinWidth(width);
    f.setTooltip(Concepts.tooltip(help));
    return f;
  }
}
