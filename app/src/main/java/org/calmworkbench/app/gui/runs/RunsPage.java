package org.calmworkbench.app.gui.runs;

import java.io.File;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.time.ZoneId;
import java.time.format.DateTimeFormatter;
import java.util.List;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.collections.FXCollections;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.SelectionMode;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TableCell;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.common.Concepts;
import org.calmworkbench.app.gui.common.Messages;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.common.Tables;
import org.calmworkbench.app.gui.common.TrainingFlops;
import org.calmworkbench.app.gui.lmtrain.LmPoint;
import org.calmworkbench.app.gui.pages.Page;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.visualizers.Exports;
import org.calmworkbench.visualizers.LiveLineChart;

/** The Runs page: a thin view over {@link RunsViewModel}. */
public final class RunsPage implements Page {
  public static final String TITLE = "Runs";
  private static final DateTimeFormatter DATE = DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm").withZone(ZoneId.systemDefault());

  private final WorkbenchContext ctx;
  private final RunsViewModel vm;
  private TableView<RunStore.Run> table;
  private LiveLineChart chart;
  private Node view;
  private boolean syncing; // while the table's selection is restored from the view model

  public RunsPage(WorkbenchContext ctx) {
    this.ctx = ctx;
    this.vm = new RunsViewModel(ctx);
  }

  public RunsViewModel viewModel() {
    return vm;
  }

  public TableView<RunStore.Run> table() {
    view();
    return table;
  }

  public LiveLineChart chart() {
    view();
    return chart;
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
    vm.setShown(true);
    vm.refresh();
  }

  @Override
  public void onHide() {
    vm.setShown(false);
  }

  /** The runs table as CSV (what the "Table CSV…" button writes after asking where). */
  public void exportTableCsv(Path file) throws IOException {
    Exports.writeTableCsv(table(), file);
  }

  private Node build() {
    Label title = new Label("Runs");
    title.getStyleClass().add("page-title");
    Label subtitle = new Label("Every training run in this project's runs/ folder, including Hugging Face Trainer"
        + " output folders of the official code (a cluster run: see calm export torchrun). Select several rows (Ctrl- or"
        + " Shift-click) to draw one metric of each on the chart below.");
    subtitle.getStyleClass().add("page-subtitle");
    subtitle.setWrapText(true);
    subtitle.setMinHeight(Region.USE_PREF_SIZE);

    table = new TableView<>(vm.runs());
    table.setId("runs-table");
    table.setPlaceholder(new Label("No training runs yet: train on the Autoencoder or CALM training page."));
    table.getSelectionModel().setSelectionMode(SelectionMode.MULTIPLE);
    table.getColumns().add(Tables.text("Type", RunStore.Run::type, 60));
    table.getColumns().add(Tables.text("Name", RunStore.Run::name, 220));
    table.getColumns().add(Tables.number("Steps", r -> (double) r.steps(), "%.0f", 80));
    table.getColumns().add(Tables.number("Final loss", RunStore.Run::finalLoss, "%.4f", 100));
    table.getColumns().add(Tables.number("BrierLM", RunStore.Run::brierLm, "%.2f", 90));
    TableColumn<RunStore.Run, Instant> date = new TableColumn<>("Date");
    date.setCellValueFactory(c -> new ReadOnlyObjectWrapper<>(c.getValue().date()));
    date.setCellFactory(c -> new TableCell<>() {
      @Override
      protected void updateItem(Instant item, boolean empty) {
        super.updateItem(item, empty);
        setText(empty || item == null ? null : DATE.format(item));
      }
    });
    date.setPrefWidth(140);
    table.getColumns().add(date);
    table.getColumns().add(Tables.text("Trained by", RunStore.Run::source, 90));
    table.getColumns().add(Tables.number("Checkpoints", r -> (double) r.checkpoints().size(), "%.0f", 90));
    table.getColumns().add(Tables.text("Folder", vm::shownFolder, 220));
    table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);
    table.getSelectionModel().getSelectedItems().addListener((ListChangeListener<RunStore.Run>) c -> {
      if (!syncing) {
        vm.selected().setAll(List.copyOf(table.getSelectionModel().getSelectedItems()));
      }
    });
    vm.runs().addListener((ListChangeListener<RunStore.Run>) c -> restoreSelection());

    Button refresh = new Button("Refresh");
    refresh.setId("refresh-runs");
    refresh.setOnAction(e -> vm.refresh());
    Button csv = new Button("Table CSV…");
    csv.setId("export-table");
    csv.setTooltip(Concepts.tooltip("Save this table as CSV (full numbers, one row per run)."));
    csv.setOnAction(e -> {
      File f = Tables.saveDialog(table, "runs.csv", "CSV table", "*.csv");
      if (f != null) {
        try {
          exportTableCsv(f.toPath());
        } catch (IOException ex) {
          ctx.service().errors().report("Export the runs table", ex);
        }
      }
    });
    Button export = new Button("Export for torchrun…");
    export.setId("export-torchrun");
    export.setTooltip(Concepts.tooltip("Write the selected CALM or autoencoder run as a folder the official CALM code"
        + " trains on GPUs with torchrun: configs, weights, tokenizer, data, scripts and a README (docs/INTEROP.md)."
        + " Copy the cluster's output folder into runs/ to see its curves here."));
    export.setOnAction(e -> {
      DirectoryChooser dc = new DirectoryChooser();
      dc.setTitle("An empty folder for the torchrun export");
      File dir = dc.showDialog(table.getScene().getWindow());
      if (dir != null) {
        vm.exportTorchrun(dir.toPath());
      }
    });
    Label status = new Label();
    status.setId("runs-status");
    status.getStyleClass().add("page-subtitle");
    status.textProperty().bind(vm.statusProperty());
    HBox tableBar = new HBox(8, refresh, csv, export, status);
    tableBar.setAlignment(Pos.CENTER_LEFT);

    Label problems = Messages.whenNotEmpty("runs-problems", "validation-message", vm.problemsProperty());

    VBox top = new VBox(8, title, subtitle, tableBar, problems, table);
    VBox.setVgrow(table, Priority.ALWAYS);
    top.setPadding(new Insets(12, 12, 6, 12));

    ComboBox<String> metric = new ComboBox<>(vm.metrics());
    metric.setId("metric");
    metric.valueProperty().bindBidirectional(vm.metricProperty());
    metric.setTooltip(Concepts.tooltip("A column of the runs' metrics.jsonl: loss (each run's own training loss),"
        + " brier_lm and brier_1..4 (CALM and AR), valid_energy_loss (CALM), valid_ce (AR), token accuracies (AE)..."));
    ComboBox<LmPoint.XAxis> xAxis = new ComboBox<>(FXCollections.observableArrayList(LmPoint.XAxis.values()));
    xAxis.setId("runs-x-axis");
    xAxis.valueProperty().bindBidirectional(vm.xAxisProperty());
    xAxis.setTooltip(Concepts.tooltip("Steps, or " + TrainingFlops.FORMULA
        + "\nThe FLOPs are each run's own count (train_flops in its metrics.jsonl); rows without it have no FLOPs point."));
    HBox chartBar = new HBox(8, new Label("Metric"), metric, new Label("x axis"), xAxis);
    chartBar.setAlignment(Pos.CENTER_LEFT);

    chart = new LiveLineChart("Selected runs", "step", "value");
    chart.setId("runs-chart");
    chart.setHelp("One curve per selected run: the chosen metric against steps or training FLOPs. Runs of different"
        + " kinds share the axes only where the metric means the same (BrierLM, Brier-n).");
    chart.setPrefHeight(320);
    chart.setMinimumYRange(1e-3);
    VBox.setVgrow(chart, Priority.ALWAYS);
    vm.points().addListener((ListChangeListener<MetricPoint>) c -> redraw());
    redraw();

    VBox bottom = new VBox(6, chartBar, chart);
    bottom.setPadding(new Insets(6, 12, 12, 12));

    SplitPane split = new SplitPane(top, bottom);
    split.setOrientation(Orientation.VERTICAL);
    split.setDividerPositions(0.42);
    return new BorderPane(split);
  }

  private void redraw() {
    chart.clear();
    chart.setXLabel(vm.xAxisProperty().get().label());
    String metric = vm.metricProperty().get();
    chart.chart().setTitle(metric == null ? "Selected runs" : metric);
    chart.chart().getXYPlot().getRangeAxis().setLabel(metric == null ? "value" : metric);
    for (MetricPoint p : vm.points()) {
      chart.addPoint(p.series(), p.x(), p.y());
    }
  }

  private void restoreSelection() {
    syncing = true;
    try {
      table.getSelectionModel().clearSelection();
      for (RunStore.Run r : vm.selected()) {
        table.getSelectionModel().select(r);
      }
    } finally {
      syncing = false;
    }
  }
}
