package org.calmworkbench.app.gui.experiments;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.text.DecimalFormat;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.collections.FXCollections;
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
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableView;
import javafx.scene.control.TextField;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.FileChooser;
import javafx.util.StringConverter;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.aetrain.AeTrainingPage;
import org.calmworkbench.app.gui.common.Concepts;
import org.calmworkbench.app.gui.common.JobControls;
import org.calmworkbench.app.gui.common.Messages;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.common.Tables;
import org.calmworkbench.app.gui.pages.Page;
import org.calmworkbench.backend.experiment.Experiment;
import org.calmworkbench.backend.experiment.SummaryRow;
import org.calmworkbench.visualizers.BarChartView;
import org.calmworkbench.visualizers.Exports;
import org.calmworkbench.visualizers.LiveLineChart;
import org.jfree.chart.axis.NumberAxis;

/** The Experiments page: a thin view over {@link ExperimentsViewModel}. */
public final class ExperimentsPage implements Page {
  public static final String TITLE = "Experiments";

  static final String K_VALUES = Concepts.PATCH + " One cell per K, e.g. 1, 2, 4, 8 (grid.patch_sizes).";
  static final String LATENTS = Concepts.LATENT + " One autoencoder is trained per (K, L, seed) and shared by the"
      + " heads and inputs (grid.latent_sizes; empty: the autoencoder preset's).";
  static final String BUDGET =
      "What each cell's language model gets: steps (optimizer steps; with lm.context_tokens every K sees the same"
          + " tokens, a token-matched comparison), flops (its training FLOPs, a compute-matched comparison: steps ="
          + " FLOPs / (FLOPs per token x tokens per step)) or minutes (training time, machine-dependent).";
  static final String AE_STEPS = "Steps of each autoencoder, trained once per (K, L, seed) before the cells that use"
      + " it (budget.autoencoder_steps; empty: the preset's).";
  static final String OUTPUT = "Where this grid's results go: results.jsonl and results.csv (one row per cell),"
      + " summary.csv (mean and sd over seeds), the checkpoints. Running the same grid again resumes there (finished"
      + " cells are kept); an edited grid gets a new folder (NAME-2, ...), so rows of different grids never mix.";
  static final String TRAIN_CHART =
      "BrierLM (held-out, 0..100, higher is better) of each finished cell against its training FLOPs: autoencoder"
          + " + language model, 6 x matrix parameters per token x tokens trained on. One line per K joins its cells"
          + " (seeds, latent sizes); the AR baseline is a line of its own. Up and to the left is better.";
  static final String INFER_CHART =
      "BrierLM against the FLOPs of generating one token: CALM runs the Transformer once per K tokens (2 x its"
          + " matrix parameters / K, plus the decoder for every token); the AR baseline runs it for every token."
          + " Up and to the left is better.";
  static final String STEPS_CHART =
      "Generation steps (Transformer forward passes) for 100 tokens: 100 / K for CALM, 100 for the AR baseline."
          + " K = 4 saves 75 of every 100 steps; whether that is worth it is what the BrierLM charts show.";

  private final WorkbenchContext ctx;
  private final ExperimentsViewModel vm;
  private final Map<String, LiveLineChart> charts = new LinkedHashMap<>();
  private TableView<CellRow> cellsTable;
  private TableView<SummaryRow> summaryTable;
  private BarChartView steps;
  private Node view;

  public ExperimentsPage(WorkbenchContext ctx) {
    this.ctx = ctx;
    this.vm = new ExperimentsViewModel(ctx);
  }

  public ExperimentsViewModel viewModel() {
    return vm;
  }

  /** {@link ExperimentsViewModel#CHART_TRAIN} or {@code CHART_INFER}. */
  public LiveLineChart chart(String id) {
    view();
    return charts.get(id);
  }

  public BarChartView stepsChart() {
    view();
    return steps;
  }

  public TableView<CellRow> cellsTable() {
    view();
    return cellsTable;
  }

  public TableView<SummaryRow> summaryTable() {
    view();
    return summaryTable;
  }

  /** The cells table as CSV (what "Table CSV…" writes on the Cells tab). */
  public void exportCellsCsv(Path file) throws IOException {
    Exports.writeTableCsv(cellsTable(), file);
  }

  /** The summary table as CSV (what "Table CSV…" writes on the Summary tab). */
  public void exportSummaryCsv(Path file) throws IOException {
    Exports.writeTableCsv(summaryTable(), file);
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
    if (!vm.activeBinding().get()) {
      vm.refreshFiles();
    }
  }

  @Override
  public Map<KeyCombination, Runnable> shortcuts() {
    return AeTrainingPage.trainingKeys(vm::run, vm::stop, vm::pause, vm::resume, vm.jobStateProperty());
  }

  private Node build() {
    VBox left = buildForm();
    VBox tables = buildTables();
    GridPane chartGrid = buildCharts();
    VBox bottom = new VBox(chartGrid);
    VBox.setVgrow(chartGrid, Priority.ALWAYS);
    bottom.setPadding(new Insets(6, 12, 12, 12));
    SplitPane right = new SplitPane(tables, bottom);
    right.setOrientation(Orientation.VERTICAL);
    right.setDividerPositions(0.45);
    SplitPane split = new SplitPane(left, right);
    split.setDividerPositions(0.29);
    SplitPane.setResizableWithParent(left, false);
    return new BorderPane(split);
  }

  private VBox buildForm() {
    Label title = new Label(TITLE);
    title.getStyleClass().add("page-title");
    Label subtitle = new Label("A grid of CALM runs (K, head, input, latent size, seed) and the AR baseline, each"
        + " trained to the same budget; BrierLM, FLOPs and speed per cell, as calm experiment run.");
    subtitle.getStyleClass().add("page-subtitle");
    subtitle.setWrapText(true);
    subtitle.setMinHeight(Region.USE_PREF_SIZE);

    ComboBox<Path> files = new ComboBox<>(vm.files());
    files.setId("experiment-file");
    files.valueProperty().bindBidirectional(vm.fileProperty());
    files.setMaxWidth(Double.MAX_VALUE);
    files.setPromptText("none found");
    files.setConverter(new StringConverter<>() {
      @Override
      public String toString(Path p) {
        return p == null ? "" : vm.label(p);
      }

      @Override
      public Path fromString(String s) {
        return null;
      }
    });
    files.setTooltip(Concepts.tooltip("The project's experiments/*.json, the bundled sample-projects/experiments/*.json,"
        + " and files opened with Open…"));
    HBox.setHgrow(files, Priority.ALWAYS);
    Button open = new Button("Open…");
    open.setId("open-experiment");
    open.setOnAction(e -> {
      FileChooser fc = new FileChooser();
      fc.getExtensionFilters().add(new FileChooser.ExtensionFilter("Experiment file", "*.json"));
      File f = fc.showOpenDialog(window(open));
      if (f != null) {
        vm.open(f.toPath());
      }
    });
    Button saveAs = new Button("Save as…");
    saveAs.setId("save-experiment");
    saveAs.setTooltip(Concepts.tooltip("Write the edited experiment to a new file (atomically); its name becomes the"
        + " file's name. Corpus paths are rewritten to stay right from the new folder."));
    saveAs.setOnAction(e -> {
      File f = Tables.saveDialog(saveAs, vm.saveFolder(), ExperimentFiles.suggestedFileName(vm.nameProperty().get()),
          "Experiment file", "*.json");
      if (f != null) {
        vm.saveAs(f.toPath());
      }
    });
    open.setMinWidth(Region.USE_PREF_SIZE);
    saveAs.setMinWidth(Region.USE_PREF_SIZE);
    files.setMinWidth(120);
    files.setPrefWidth(160);
    HBox fileRow = new HBox(6, files, open, saveAs);
    fileRow.setAlignment(Pos.CENTER_LEFT);
    Label description = new Label();
    description.setId("experiment-description");
    description.getStyleClass().add("page-subtitle");
    description.setWrapText(true);
    description.setMinHeight(Region.USE_PREF_SIZE);
    description.textProperty().bind(vm.descriptionProperty());

    GridPane form = new GridPane();
    form.setHgap(8);
    form.setVgap(6);
    int row = 0;
    row = field(form, row, "K values", "patch-sizes", vm.patchSizesProperty(), "1, 2, 4, 8", K_VALUES);
    row = field(form, row, "Heads", "heads", vm.headsProperty(), "energy (default)", Concepts.HEAD);
    row = field(form, row, "Inputs", "inputs", vm.inputsProperty(), "discrete (default); latent, both", Concepts.INPUT_MODE);
    row = field(form, row, "Latent sizes", "latent-sizes", vm.latentSizesProperty(), "the preset's", LATENTS);
    row = field(form, row, "Seeds", "seeds", vm.seedsProperty(), "42 (default)", Concepts.SEEDS);
    CheckBox ar = new CheckBox("AR baseline");
    ar.setId("include-ar");
    ar.selectedProperty().bindBidirectional(vm.includeArBaselineProperty());
    ar.setTooltip(Concepts.tooltip(Concepts.AR_BASELINE));
    form.add(ar, 1, row++);
    ComboBox<Experiment.Budget.Kind> kind = new ComboBox<>(FXCollections.observableArrayList(Experiment.Budget.Kind.values()));
    kind.setId("budget-kind");
    kind.valueProperty().bindBidirectional(vm.budgetKindProperty());
    kind.setTooltip(Concepts.tooltip(BUDGET));
    kind.setMinWidth(Region.USE_PREF_SIZE);
    kind.setPrefWidth(100);
    kind.setConverter(new StringConverter<>() {
      @Override
      public String toString(Experiment.Budget.Kind k) {
        return k == null ? "" : k.key();
      }

      @Override
      public Experiment.Budget.Kind fromString(String s) {
        return null;
      }
    });
    TextField budget = text("budget-value", vm.budgetValueProperty(), "e.g. 150", BUDGET);
    HBox budgetRow = new HBox(6, kind, budget);
    HBox.setHgrow(budget, Priority.ALWAYS);
    form.addRow(row++, label("Budget", BUDGET), budgetRow);
    row = field(form, row, "Autoencoder steps", "autoencoder-steps", vm.autoencoderStepsProperty(), "the preset's", AE_STEPS);
    for (Node n : form.getChildren()) {
      if (GridPane.getColumnIndex(n) != null && GridPane.getColumnIndex(n) == 1) {
        GridPane.setHgrow(n, Priority.ALWAYS);
      }
    }
    form.disableProperty().bind(vm.activeBinding());
    fileRow.disableProperty().bind(vm.activeBinding());

    Label validation = Messages.whenNotEmpty("validation-message", "validation-message", vm.validationMessageProperty());

    Label output = Concepts.explain(new Label(), OUTPUT);
    output.setId("output-folder");
    output.getStyleClass().add("page-subtitle");
    output.setWrapText(true);
    output.setMinHeight(Region.USE_PREF_SIZE);
    output.textProperty().bind(Bindings.createStringBinding(() -> vm.outputFolderProperty().get() == null
        ? (ctx.project() == null ? "Output: open a project first" : "")
        : "Output: " + vm.outputFolderProperty().get(), vm.outputFolderProperty(), ctx.projectProperty()));

    JobControls job = new JobControls(vm, "Run", "run", vm.canRunBinding(), vm::run, "experiment").tooltips(
        "Run every cell without a result, one after the other, in the background (Ctrl+Enter);"
            + " cells already finished in the output folder are kept.",
        "Hold the running training after the current step (Ctrl+P).",
        "Continue the paused training (Ctrl+P).",
        "End the grid now (Esc or Ctrl+.): the current training saves a checkpoint, its"
            + " cell stays pending; Run continues from there.");
    job.bar().setMaxWidth(Double.MAX_VALUE);
    HBox.setHgrow(job.bar(), Priority.ALWAYS);
    HBox controls = new HBox(6);
    controls.getChildren().addAll(job.buttons());
    controls.setAlignment(Pos.CENTER_LEFT);
    HBox progressRow = new HBox(6, job.bar(), job.percent());
    progressRow.setAlignment(Pos.CENTER_LEFT);
    Label eta = Concepts.explain(new Label(), "Progress over the whole grid: finished cells plus the running cell's"
        + " share (30% autoencoder when it trains one, the rest language model and evaluation). " + Concepts.ETA);
    eta.setId("experiment-eta");
    eta.setWrapText(true);
    eta.setMinHeight(Region.USE_PREF_SIZE);
    eta.textProperty().bind(vm.etaTextProperty());
    Label status = new Label();
    status.setId("experiment-status");
    status.getStyleClass().add("status-message");
    status.setWrapText(true);
    status.setMinHeight(Region.USE_PREF_SIZE);
    status.textProperty().bind(vm.statusProperty());

    VBox box = new VBox(8, title, subtitle, fileRow, description, form, validation, output, controls, progressRow, eta,
        status);
    box.setPadding(new Insets(12));
    ScrollPane scroll = new ScrollPane(box);
    scroll.setFitToWidth(true);
    VBox left = new VBox(scroll);
    VBox.setVgrow(scroll, Priority.ALWAYS);
    left.setMinWidth(330);
    return left;
  }

  private VBox buildTables() {
    cellsTable = new TableView<>(vm.cells());
    cellsTable.setId("cells-table");
    cellsTable.setPlaceholder(new Label("No cells: choose a valid experiment file."));
    // No cell-id column: K, head, input, L and seed name the cell (results.csv has the id).
    cellsTable.getColumns().add(Tables.text("K", CellRow::model, 34));
    cellsTable.getColumns().add(Tables.text("Head", r -> r.cell().head(), 56));
    cellsTable.getColumns().add(Tables.text("Input", r -> r.cell().input().key(), 60));
    cellsTable.getColumns().add(Tables.text("L", CellRow::latent, 34));
    cellsTable.getColumns().add(Tables.text("Seed", r -> Long.toString(r.cell().seed()), 40));
    cellsTable.getColumns().add(Tables.number("BrierLM", CellRow::brierLm, "%.2f", 64));
    cellsTable.getColumns().add(Tables.number("Train FLOPs", CellRow::trainFlops, "%.3g", 86));
    cellsTable.getColumns().add(Tables.number("Infer FLOPs/tok", CellRow::inferFlopsPerToken, "%.3g", 104));
    cellsTable.getColumns().add(Tables.number("Steps/100 tok", CellRow::stepsPer100Tokens, "%.1f", 90));
    cellsTable.getColumns().add(Tables.number("Tok/s", CellRow::tokensPerSecond, "%.1f", 52));
    cellsTable.getColumns().add(Tables.text("Status", CellRow::status, 84));
    cellsTable.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

    summaryTable = new TableView<>(vm.summary());
    summaryTable.setId("summary-table");
    summaryTable.setPlaceholder(new Label("No finished cells yet."));
    summaryTable.getColumns().add(Tables.text("K", s -> "ar".equals(s.model()) ? "AR" : Integer.toString(s.patchSize()), 34));
    summaryTable.getColumns().add(Tables.text("Head", SummaryRow::head, 58));
    summaryTable.getColumns().add(Tables.text("Input", SummaryRow::input, 62));
    summaryTable.getColumns().add(Tables.text("L", s -> s.latentSize() == null ? "" : s.latentSize().toString(), 34));
    summaryTable.getColumns().add(Tables.number("Seeds", s -> (double) s.seeds(), "%.0f", 44));
    summaryTable.getColumns().add(Tables.number("BrierLM", SummaryRow::brierLmMean, "%.2f", 64));
    summaryTable.getColumns().add(Tables.number("± sd", SummaryRow::brierLmStd, "%.2f", 48));
    summaryTable.getColumns().add(Tables.number("Train FLOPs", SummaryRow::trainFlopsMean, "%.3g", 88));
    summaryTable.getColumns().add(Tables.number("Infer FLOPs/tok", SummaryRow::inferFlopsPerToken, "%.3g", 108));
    summaryTable.getColumns().add(Tables.number("Steps/100 tok", SummaryRow::stepsPer100Tokens, "%.1f", 98));
    summaryTable.getColumns().add(Tables.number("Tok/s", SummaryRow::tokensPerSecondMean, "%.1f", 52));
    summaryTable.getColumns().add(Tables.number("± sd ", SummaryRow::tokensPerSecondStd, "%.1f", 48));
    summaryTable.getColumns().add(Tables.number("Failed", s -> (double) s.failed(), "%.0f", 50));
    summaryTable.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

    Tab cellsTab = new Tab("Cells", cellsTable);
    Tab summaryTab = new Tab("Summary (mean ± sd over seeds)", summaryTable);
    TabPane tabs = new TabPane(cellsTab, summaryTab);
    tabs.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
    tabs.setId("experiment-tabs");
    VBox.setVgrow(tabs, Priority.ALWAYS);

    Button csv = new Button("Table CSV…");
    csv.setId("export-table");
    csv.setTooltip(Concepts.tooltip("Save the table shown (cells or summary) as CSV, full-precision numbers."));
    csv.setOnAction(e -> {
      boolean summary = tabs.getSelectionModel().getSelectedItem() == summaryTab;
      File f = Tables.saveDialog(csv, vm.nameProperty().get() + (summary ? "-summary.csv" : "-cells.csv"), "CSV table",
          "*.csv");
      if (f != null) {
        try {
          if (summary) {
            exportSummaryCsv(f.toPath());
          } else {
            exportCellsCsv(f.toPath());
          }
        } catch (IOException ex) {
          ctx.service().errors().report("Export the experiment table", ex);
        }
      }
    });
    Label name = new Label();
    name.getStyleClass().add("page-subtitle");
    name.textProperty().bind(Bindings.createStringBinding(() -> {
      long done = vm.cells().stream().filter(CellRow::finished).count();
      return vm.cells().isEmpty() ? "" : done + " of " + vm.cells().size() + " cells finished";
    }, vm.cells()));
    name.setId("cells-done");
    HBox bar = new HBox(8, csv, name);
    bar.setAlignment(Pos.CENTER_LEFT);
    VBox box = new VBox(6, bar, tabs);
    box.setPadding(new Insets(12, 12, 6, 12));
    return box;
  }

  private GridPane buildCharts() {
    LiveLineChart train = chart(ExperimentsViewModel.CHART_TRAIN, "BrierLM vs training FLOPs", "train FLOPs (AE + LM)",
        TRAIN_CHART);
    LiveLineChart infer = chart(ExperimentsViewModel.CHART_INFER, "BrierLM vs inference FLOPs", "FLOPs per token",
        INFER_CHART);
    steps = new BarChartView("Generation steps per 100 tokens", "K", "steps");
    steps.setId("chart-steps");
    steps.setHelp(STEPS_CHART);
    steps.setLegendVisible(false);
    GridPane grid = new GridPane();
    grid.setHgap(6);
    grid.add(train, 0, 0);
    grid.add(infer, 1, 0);
    grid.add(steps, 2, 0);
    for (int i = 0; i < 3; i++) {
      javafx.scene.layout.ColumnConstraints cc = new javafx.scene.layout.ColumnConstraints();
      cc.setPercentWidth(100.0 / 3);
      grid.getColumnConstraints().add(cc);
    }
    for (Region c : List.of(train, infer, steps)) {
      GridPane.setHgrow(c, Priority.ALWAYS);
      GridPane.setVgrow(c, Priority.ALWAYS);
      c.setPrefSize(320, 280);
    }
    vm.points().addListener((ListChangeListener<MetricPoint>) c -> redraw());
    vm.bars().addListener((ListChangeListener<ExperimentsViewModel.Bar>) c -> redrawBars());
    redraw();
    redrawBars();
    return grid;
  }

  private LiveLineChart chart(String id, String title, String xLabel, String help) {
    LiveLineChart c = new LiveLineChart(title, xLabel, "BrierLM (0-100)");
    c.setId("chart-" + id);
    c.setHelp(help);
    c.smoothingProperty().set(0);
    c.setShapesVisible(true);
    c.setMinimumYRange(1);
    // BrierLM is often exactly 0 early on: keep such points off the plot's bottom edge.
    ((NumberAxis) c.chart().getXYPlot().getRangeAxis()).setAutoRangeStickyZero(false);
    ((NumberAxis) c.chart().getXYPlot().getDomainAxis()).setNumberFormatOverride(new DecimalFormat("0.0#E0"));
    charts.put(id, c);
    return c;
  }

  private void redraw() {
    charts.values().forEach(LiveLineChart::clear);
    for (MetricPoint m : vm.points()) {
      charts.get(m.chart()).addPoint(m.series(), m.x(), m.y());
    }
  }

  private void redrawBars() {
    List<String> categories = new ArrayList<>();
    double[][] values = new double[1][vm.bars().size()];
    for (int i = 0; i < vm.bars().size(); i++) {
      categories.add(vm.bars().get(i).category());
      values[0][i] = vm.bars().get(i).value();
    }
    steps.setData(List.of(ExperimentsViewModel.STEPS_SERIES), categories, values);
  }

  private static int field(GridPane form, int row, String name, String id, javafx.beans.property.StringProperty p,
      String prompt, String help) {
    form.addRow(row, label(name, help), text(id, p, prompt, help));
    return row + 1;
  }

  private static TextField text(String id, javafx.beans.property.StringProperty p, String prompt, String help) {
    TextField t = new TextField();
    t.setId(id);
    t.textProperty().bindBidirectional(p);
    t.setPromptText(prompt);
    t.setTooltip(Concepts.tooltip(help));
    return t;
  }

  private static Label label(String name, String help) {
    Label l = Concepts.explain(new Label(name), help);
    l.setMinWidth(Region.USE_PREF_SIZE);
    return l;
  }

  private static javafx.stage.Window window(Node n) {
    return n.getScene() == null ? null : n.getScene().getWindow();
  }
}
