package org.calmworkbench.app.gui.inspector;

import java.util.List;
import java.util.Locale;
import javafx.beans.binding.Bindings;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextArea;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.FlowPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.common.Checkpoints;
import org.calmworkbench.app.gui.common.Concepts;
import org.calmworkbench.app.gui.common.MetricPoint;
import org.calmworkbench.app.gui.pages.Page;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.visualizers.HeatMapView;
import org.calmworkbench.visualizers.LiveLineChart;

/** The Reconstruction inspector: a thin view over {@link InspectorViewModel}. */
public final class InspectorPage implements Page {
  private final InspectorViewModel vm;
  private final HeatMapView heatMap = new HeatMapView();
  private LiveLineChart curve;
  private FlowPane chunkPane;
  private Node view;

  public InspectorPage(WorkbenchContext ctx) {
    this.vm = new InspectorViewModel(ctx);
  }

  public InspectorViewModel viewModel() {
    return vm;
  }

  public LiveLineChart curveChart() {
    view();
    return curve;
  }

  public HeatMapView heatMap() {
    return heatMap;
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

  private Node build() {
    Label title = new Label("Reconstruction inspector");
    title.getStyleClass().add("page-title");
    Label subtitle = new Label("Type a text: it is cut into chunks of K tokens, each chunk becomes one latent vector,"
        + " noise of size sigma is added, and the decoder turns the vectors back into tokens.");
    subtitle.getStyleClass().add("page-subtitle");
    subtitle.setWrapText(true);

    ComboBox<RunStore.Checkpoint> checkpoint = new ComboBox<>(vm.checkpoints());
    Checkpoints.showNamesInButton(checkpoint);
    checkpoint.setId("inspector-checkpoint");
    checkpoint.valueProperty().bindBidirectional(vm.checkpointProperty());
    checkpoint.setPromptText("no checkpoint");
    checkpoint.setTooltip(Concepts.tooltip("The autoencoder checkpoint (a folder under the project's runs/) to inspect."));
    Button refresh = new Button("Refresh");
    refresh.setOnAction(e -> vm.refreshCheckpoints());
    HBox ckRow = new HBox(8, new Label("Checkpoint"), checkpoint, refresh);
    ckRow.setAlignment(Pos.CENTER_LEFT);

    TextArea text = new TextArea();
    text.setId("inspector-text");
    text.setPrefRowCount(3);
    text.setWrapText(true);
    text.textProperty().bindBidirectional(vm.textProperty());

    Slider sigma = new Slider(0, 1, 0);
    sigma.setId("sigma");
    sigma.setShowTickMarks(true);
    sigma.setShowTickLabels(true);
    sigma.setMajorTickUnit(0.25);
    sigma.setBlockIncrement(0.05);
    sigma.setPrefWidth(320);
    sigma.valueProperty().bindBidirectional(vm.sigmaProperty());
    sigma.setTooltip(Concepts.tooltip(Concepts.SIGMA));
    Label sigmaLabel = Concepts.explain(new Label("Noise σ"), Concepts.SIGMA);
    Label sigmaValue = new Label();
    sigmaValue.textProperty().bind(vm.sigmaProperty().asString(Locale.ROOT, "%.2f"));
    Label wrong = new Label();
    wrong.setId("mismatch-count");
    wrong.textProperty().bind(Bindings.createStringBinding(() -> vm.chunks().isEmpty() ? ""
        : vm.mismatchesProperty().get() + " token" + (vm.mismatchesProperty().get() == 1 ? "" : "s") + " decoded wrongly",
        vm.mismatchesProperty(), vm.chunks()));
    HBox sigmaRow = new HBox(10, sigmaLabel, sigma, sigmaValue, wrong);
    sigmaRow.setAlignment(Pos.CENTER_LEFT);

    Label status = new Label();
    status.setId("inspector-status");
    status.setWrapText(true);
    status.textProperty().bind(vm.statusProperty());

    VBox top = new VBox(8, title, subtitle, ckRow, text, sigmaRow, status);
    top.setPadding(new Insets(12, 12, 4, 12));

    // ---- chunks and decoded text ----
    chunkPane = new FlowPane(8, 8);
    chunkPane.setId("chunks");
    chunkPane.setPadding(new Insets(8));
    vm.chunks().addListener((ListChangeListener<InspectorViewModel.ChunkView>) c -> renderChunks());
    vm.selectedChunkProperty().addListener((o, a, b) -> {
      markSelected(); // not a rebuild: a decode sets the chunks, then the selection
      showLatent(b);
    });
    ScrollPane chunkScroll = new ScrollPane(chunkPane);
    chunkScroll.setFitToWidth(true);
    VBox.setVgrow(chunkScroll, Priority.ALWAYS);
    Label chunksTitle = Concepts.explain(new Label("Chunks (top: input tokens, bottom: decoded; red = decoded wrongly)"),
        Concepts.PATCH);
    chunksTitle.getStyleClass().add("section-title");
    Label decodedTitle = new Label("Decoded text");
    decodedTitle.getStyleClass().add("section-title");
    Label decoded = new Label();
    decoded.setId("decoded-text");
    decoded.setWrapText(true);
    decoded.setMinHeight(Region.USE_PREF_SIZE); // all wrapped lines, not one line with an ellipsis
    decoded.textProperty().bind(vm.decodedTextProperty());
    VBox left = new VBox(6, chunksTitle, chunkScroll, decodedTitle, decoded);
    left.setPadding(new Insets(4, 12, 12, 12));

    // ---- latent heat map and accuracy curve ----
    Label latentTitle = Concepts.explain(new Label("Latent mean μ of the selected chunk"), Concepts.LATENT_MEAN);
    latentTitle.getStyleClass().add("section-title");
    heatMap.setId("latent-heatmap");
    heatMap.setPrefSize(360, 150);
    heatMap.setCellName(i -> "latent dimension " + i);
    heatMap.clear("click a chunk to see its latent vector");
    Button measure = new Button("Accuracy vs noise");
    measure.setId("measure-curve");
    measure.setTooltip(Concepts.tooltip(Concepts.ACCURACY_CURVE));
    measure.disableProperty().bind(vm.checkpointProperty().isNull());
    measure.setOnAction(e -> vm.measureCurve());
    curve = new LiveLineChart("Accuracy against noise", "sigma", "accuracy");
    curve.setId("curve-chart");
    curve.setHelp(Concepts.ACCURACY_CURVE + " " + Concepts.TOKEN_ACCURACY + " " + Concepts.PATCH_ACCURACY);
    curve.smoothingProperty().set(0);
    curve.setShapesVisible(true);
    curve.setYRange(0, 1);
    curve.setPrefSize(360, 260);
    VBox.setVgrow(curve, Priority.ALWAYS);
    vm.curvePoints().addListener((ListChangeListener<MetricPoint>) c -> {
      curve.clear();
      for (MetricPoint p : vm.curvePoints()) {
        curve.addPoint(p.series(), p.x(), p.y());
      }
    });
    VBox right = new VBox(8, latentTitle, heatMap, measure, curve);
    right.setPadding(new Insets(4, 12, 12, 12));

    SplitPane split = new SplitPane(left, right);
    split.setOrientation(Orientation.HORIZONTAL);
    split.setDividerPositions(0.6);
    BorderPane root = new BorderPane(split);
    root.setTop(top);
    return root;
  }

  private void renderChunks() {
    if (chunkPane == null) {
      return;
    }
    List<InspectorViewModel.ChunkView> list = vm.chunks();
    InspectorViewModel.ChunkView selected = vm.selectedChunkProperty().get();
    chunkPane.getChildren().clear();
    for (InspectorViewModel.ChunkView c : list) {
      Label index = new Label("#" + c.index() + (c.mismatches() > 0 ? "  ✗" + c.mismatches() : ""));
      index.getStyleClass().add("chunk-index");
      HBox in = tokenRow(c.input());
      HBox out = tokenRow(c.decoded());
      out.getStyleClass().add("decoded-row");
      VBox box = new VBox(3, index, in, out);
      box.getStyleClass().add("chunk-box");
      if (c.mismatches() > 0) {
        box.getStyleClass().add("has-errors");
      }
      if (selected != null && selected.index() == c.index()) {
        box.getStyleClass().add("selected");
      }
      box.setUserData(c.index());
      box.setOnMouseClicked(e -> vm.selectedChunkProperty().set(c));
      Concepts.explain(box, "Chunk #" + c.index() + ": K tokens that become one latent vector. Click to see the vector.");
      chunkPane.getChildren().add(box);
    }
  }

  /** Moves the "selected" style to the selected chunk's box. */
  private void markSelected() {
    if (chunkPane == null) {
      return;
    }
    InspectorViewModel.ChunkView selected = vm.selectedChunkProperty().get();
    for (javafx.scene.Node box : chunkPane.getChildren()) {
      boolean on = selected != null && Integer.valueOf(selected.index()).equals(box.getUserData());
      if (on && !box.getStyleClass().contains("selected")) {
        box.getStyleClass().add("selected");
      } else if (!on) {
        box.getStyleClass().remove("selected");
      }
    }
  }

  /** One row of token labels: padding as ∅, wrong ones marked (style classes token, mismatch, padding). */
  public static HBox tokenRow(List<InspectorViewModel.TokenView> tokens) {
    HBox row = new HBox(2);
    for (InspectorViewModel.TokenView t : tokens) {
      Label l = new Label(t.padding() ? "∅" : InspectorViewModel.visible(t.text()));
      l.getStyleClass().add("token");
      if (t.mismatch()) {
        l.getStyleClass().add("mismatch");
      }
      if (t.padding()) {
        l.getStyleClass().add("padding");
      }
      row.getChildren().add(l);
    }
    return row;
  }

  private void showLatent(InspectorViewModel.ChunkView c) {
    if (c == null) {
      heatMap.clear("click a chunk to see its latent vector");
      return;
    }
    int columns = Math.min(16, c.mean().length);
    heatMap.setData(c.mean(), columns);
  }
}
