package org.calmworkbench.app.gui.latent;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javafx.beans.property.ObjectProperty;
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
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.paint.Color;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.common.Checkpoints;
import org.calmworkbench.app.gui.common.Concepts;
import org.calmworkbench.app.gui.inspector.InspectorPage;
import org.calmworkbench.app.gui.latent.LatentExplorerViewModel.ChunkView;
import org.calmworkbench.app.gui.latent.LatentExplorerViewModel.ColourBy;
import org.calmworkbench.app.gui.latent.LatentExplorerViewModel.Colouring;
import org.calmworkbench.app.gui.latent.LatentExplorerViewModel.StepView;
import org.calmworkbench.app.gui.pages.Page;
import org.calmworkbench.backend.inspect.LatentMap;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.visualizers.ScatterView.Dot;
import org.calmworkbench.visualizers.ScatterView.Key;
import org.calmworkbench.visualizers.ScatterView.Mark;
import org.calmworkbench.visualizers.ScatterView;

/** The Latent explorer: a thin view over {@link LatentExplorerViewModel}. */
public final class LatentExplorerPage implements Page {
  public static final String TITLE = "Latent explorer";
  public static final String LAYER_CHUNKS = "chunks";
  public static final String LAYER_CLOUD_RIGHT = "cloud: decodes to the chunk";
  public static final String LAYER_CLOUD_WRONG = "cloud: decodes to other tokens";
  public static final String LAYER_LINE = "interpolation";
  public static final String LAYER_SELECTED = "selected";
  public static final String LAYER_TARGET = "target";

  static final Color RIGHT = Color.rgb(0, 158, 115);
  static final Color WRONG = Color.rgb(213, 40, 40);
  static final Color SELECTED = Color.rgb(20, 20, 20);
  static final Color TARGET = Color.rgb(230, 120, 0);
  static final Color OTHER = Color.rgb(190, 190, 190);
  /**
   * Categorical colours for the first tokens, leaving out the palette's green, vermillion and
   * amber: green and red mean "decodes right/wrong" in the noise cloud, orange marks the
   * interpolation target.
   */
  static final int[] TOKEN_COLOURS = {0, 5, 3, 6, 7, 8, 9};
  static final Color FEW_ERRORS = Color.rgb(44, 123, 182);
  static final Color MANY_ERRORS = Color.rgb(215, 25, 28);

  private final LatentExplorerViewModel vm;
  private final ScatterView scatter = new ScatterView("Chunk latents on their first two principal axes", "PC1", "PC2");
  private ObjectProperty<Integer> chunkCountObject; // kept: a bidirectional binding holds it only weakly
  private ObjectProperty<Integer> stepsObject;
  private VBox selectedBox;
  private VBox cloudBox;
  private VBox stepsBox;
  private Node view;

  public LatentExplorerPage(WorkbenchContext ctx) {
    this.vm = new LatentExplorerViewModel(ctx);
  }

  public LatentExplorerViewModel viewModel() {
    return vm;
  }

  public ScatterView scatter() {
    return scatter;
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
    if (vm.chunks().isEmpty() && !vm.mappingProperty().get() && vm.checkpointProperty().get() != null) {
      vm.buildMap();
    }
  }

  private Node build() {
    Label title = new Label(TITLE);
    title.getStyleClass().add("page-title");
    Label subtitle = new Label("Each dot is one chunk of K held-out tokens, placed by its latent mean μ projected onto"
        + " the two directions in which the means vary most. Click a dot to see its text and a cloud of noisy copies"
        + " of its latent; shift-click a second dot to decode along the straight line between the two.");
    subtitle.getStyleClass().add("page-subtitle");
    subtitle.setWrapText(true);

    ComboBox<RunStore.Checkpoint> checkpoint = new ComboBox<>(vm.checkpoints());
    Checkpoints.showNamesInButton(checkpoint);
    checkpoint.setId("latent-checkpoint");
    checkpoint.valueProperty().bindBidirectional(vm.checkpointProperty());
    checkpoint.setPromptText("no checkpoint");
    checkpoint.setTooltip(Concepts.tooltip("The autoencoder checkpoint (a folder under the project's runs/) whose latents are mapped."));
    Button refresh = new Button("Refresh");
    refresh.setOnAction(e -> vm.refreshCheckpoints());
    Spinner<Integer> count = new Spinner<>(2, LatentExplorerViewModel.MAX_CHUNKS, vm.chunkCountProperty().get(), 100);
    count.setId("latent-chunks");
    count.setEditable(true);
    count.setPrefWidth(100);
    chunkCountObject = vm.chunkCountProperty().asObject();
    count.getValueFactory().valueProperty().bindBidirectional(chunkCountObject);
    count.setTooltip(Concepts.tooltip(Concepts.HELD_OUT_CHUNKS));
    Button map = new Button("Map");
    map.setId("latent-map");
    map.setDefaultButton(true);
    map.setTooltip(Concepts.tooltip("Encode the held-out chunks with the checkpoint and draw the map (again)."));
    map.disableProperty().bind(vm.checkpointProperty().isNull().or(vm.mappingProperty()));
    map.setOnAction(e -> vm.buildMap());
    ComboBox<ColourBy> colourBy = new ComboBox<>(javafx.collections.FXCollections.observableArrayList(ColourBy.values()));
    colourBy.setId("latent-colour-by");
    colourBy.valueProperty().bindBidirectional(vm.colourByProperty());
    colourBy.setTooltip(Concepts.tooltip(Concepts.COLOUR_BY));
    HBox ckRow = new HBox(8, new Label("Checkpoint"), checkpoint, refresh, Concepts.explain(new Label("Chunks"),
        Concepts.HELD_OUT_CHUNKS), count, map, new Label("Colour by"), colourBy);
    ckRow.setAlignment(Pos.CENTER_LEFT);

    Slider sigma = new Slider(0, 1, vm.sigmaProperty().get());
    sigma.setId("latent-sigma");
    sigma.setShowTickMarks(true);
    sigma.setShowTickLabels(true);
    sigma.setMajorTickUnit(0.25);
    sigma.setBlockIncrement(0.05);
    sigma.setPrefWidth(280);
    sigma.valueProperty().bindBidirectional(vm.sigmaProperty());
    sigma.setTooltip(Concepts.tooltip(Concepts.NOISE_CLOUD));
    Label sigmaValue = new Label();
    sigmaValue.textProperty().bind(vm.sigmaProperty().asString(Locale.ROOT, "%.2f"));
    Spinner<Integer> steps = new Spinner<>(1, LatentMap.MAX_STEPS, vm.stepsProperty().get());
    steps.setId("latent-steps");
    steps.setEditable(true);
    steps.setPrefWidth(80);
    stepsObject = vm.stepsProperty().asObject();
    steps.getValueFactory().valueProperty().bindBidirectional(stepsObject);
    steps.setTooltip(Concepts.tooltip(Concepts.INTERPOLATION));
    Button clear = new Button("Clear selection");
    clear.setOnAction(e -> vm.clearSelection());
    HBox sigmaRow = new HBox(10, Concepts.explain(new Label("Cloud noise σ"), Concepts.NOISE_CLOUD), sigma, sigmaValue,
        Concepts.explain(new Label("Interpolation steps"), Concepts.INTERPOLATION), steps, clear);
    sigmaRow.setAlignment(Pos.CENTER_LEFT);

    Label status = new Label();
    status.setId("latent-status");
    status.setWrapText(true);
    status.textProperty().bind(vm.statusProperty());

    VBox top = new VBox(8, title, subtitle, ckRow, sigmaRow, status);
    top.setPadding(new Insets(12, 12, 4, 12));

    // ---- the map ----
    scatter.setId("latent-scatter");
    scatter.setHelp(Concepts.LATENT_MAP);
    scatter.setPrefSize(620, 520);
    // Layers in drawing order: the chunks below, the cloud and the line above, the two rings on top.
    for (String layer : List.of(LAYER_CHUNKS, LAYER_CLOUD_RIGHT, LAYER_CLOUD_WRONG, LAYER_LINE, LAYER_SELECTED, LAYER_TARGET)) {
      scatter.setLayer(layer, List.of(), mark(layer), LAYER_CHUNKS.equals(layer));
    }
    scatter.setFitLayer(LAYER_CHUNKS); // a cloud or a line drawn over the map never rescales it
    scatter.setOnClick((layer, index, shift) -> vm.select(index, shift));
    vm.chunks().addListener((ListChangeListener<ChunkView>) c -> drawChunks());
    vm.colouringProperty().addListener((o, a, b) -> drawChunks());
    vm.xLabelProperty().addListener((o, a, b) -> scatter.setAxisLabels(b, vm.yLabelProperty().get()));
    vm.yLabelProperty().addListener((o, a, b) -> scatter.setAxisLabels(vm.xLabelProperty().get(), b));
    vm.selectedProperty().addListener((o, a, b) -> {
      drawRings();
      showSelected();
      showSteps(); // the hint depends on whether a chunk is selected
    });
    vm.targetProperty().addListener((o, a, b) -> drawRings());
    vm.cloudProperty().addListener((o, a, b) -> {
      drawCloud(b);
      showCloud(b);
    });
    vm.interpolationProperty().addListener((o, a, b) -> drawLine(b));
    vm.stepViews().addListener((ListChangeListener<StepView>) c -> showSteps());
    VBox.setVgrow(scatter, Priority.ALWAYS);
    VBox left = new VBox(scatter);
    left.setPadding(new Insets(4, 4, 12, 12));

    // ---- details ----
    selectedBox = new VBox(4);
    selectedBox.setId("latent-selected");
    cloudBox = new VBox(4);
    cloudBox.setId("latent-cloud");
    stepsBox = new VBox(2);
    stepsBox.setId("latent-steps-strip");
    VBox details = new VBox(10,
        section("Selected chunk", Concepts.PATCH), selectedBox,
        section("Noise cloud", Concepts.NOISE_CLOUD), cloudBox,
        section("Interpolation", Concepts.INTERPOLATION), stepsBox);
    details.setPadding(new Insets(4, 12, 12, 8));
    ScrollPane detailScroll = new ScrollPane(details);
    detailScroll.setFitToWidth(true);
    showSelected();
    showCloud(null);
    showSteps();

    SplitPane split = new SplitPane(left, detailScroll);
    split.setOrientation(Orientation.HORIZONTAL);
    split.setDividerPositions(0.58);
    BorderPane root = new BorderPane(split);
    root.setTop(top);
    drawChunks();
    return root;
  }

  private static Mark mark(String layer) {
    return switch (layer) {
      case LAYER_CHUNKS -> Mark.DOT;
      case LAYER_CLOUD_RIGHT -> Mark.SMALL_DOT;
      case LAYER_CLOUD_WRONG -> Mark.CROSS;
      case LAYER_LINE -> Mark.PATH;
      default -> Mark.RING;
    };
  }

  private static Label section(String text, String help) {
    Label l = Concepts.explain(new Label(text), help);
    l.getStyleClass().add("section-title");
    return l;
  }

  // ---- the chart ----------------------------------------------------------------------------

  /** The colour of group {@code g} of {@code c}. */
  static Color groupColour(Colouring c, int g) {
    int groups = c.labels().size();
    if (!c.ordered()) {
      return g >= TOKEN_COLOURS.length ? OTHER : ScatterView.categorical(TOKEN_COLOURS[g]);
    }
    double t = groups <= 1 ? 0 : (double) g / (groups - 1);
    return c.by() == ColourBy.ERRORS ? FEW_ERRORS.interpolate(MANY_ERRORS, t) : ScatterView.sequential(t);
  }

  private void drawChunks() {
    Colouring c = vm.colouringProperty().get();
    List<ChunkView> chunks = vm.chunks();
    List<Dot> dots = new ArrayList<>(chunks.size());
    for (int i = 0; i < chunks.size(); i++) {
      LatentMap.Point p = chunks.get(i).point();
      Color colour = c == null || c.groups().length != chunks.size() ? Color.GRAY : groupColour(c, c.groups()[i]);
      dots.add(new Dot(p.x(), p.y(), colour, describe(p)));
    }
    scatter.setLayer(LAYER_CHUNKS, dots, Mark.DOT, true);
    List<Key> keys = new ArrayList<>();
    if (c != null) {
      for (int g = 0; g < c.labels().size(); g++) {
        keys.add(new Key(c.labels().get(g), groupColour(c, g)));
      }
      keys.add(new Key("noise: decodes to the chunk", RIGHT));
      keys.add(new Key("noise: decodes to other tokens", WRONG));
    }
    scatter.setLegend(keys);
  }

  static String describe(LatentMap.Point p) {
    return String.format(Locale.ROOT, "#%d \"%s\" (document %d, chunk %d; %d of %d tokens decoded wrongly)", p.index(),
        p.text(), p.document(), p.position(), p.errors(), p.ids().length);
  }

  private void drawRings() {
    ChunkView s = vm.selectedProperty().get();
    ChunkView t = vm.targetProperty().get();
    scatter.setLayer(LAYER_SELECTED, s == null ? List.of() : List.of(new Dot(s.point().x(), s.point().y(), SELECTED,
        "selected: " + describe(s.point()))), Mark.RING, false);
    scatter.setLayer(LAYER_TARGET, t == null ? List.of() : List.of(new Dot(t.point().x(), t.point().y(), TARGET,
        "interpolation target: " + describe(t.point()))), Mark.RING, false);
    if (s == null) {
      drawCloud(null);
      drawLine(null);
    }
  }

  private void drawCloud(LatentMap.Cloud cloud) {
    List<Dot> right = new ArrayList<>();
    List<Dot> wrong = new ArrayList<>();
    if (cloud != null) {
      for (LatentMap.Sample s : cloud.samples()) {
        (s.correct() ? right : wrong).add(new Dot(s.x(), s.y(), s.correct() ? RIGHT : WRONG, "decodes to \"" + s.text() + "\""));
      }
    }
    scatter.setLayer(LAYER_CLOUD_RIGHT, right, Mark.SMALL_DOT, false);
    scatter.setLayer(LAYER_CLOUD_WRONG, wrong, Mark.CROSS, false);
  }

  private void drawLine(LatentMap.Interpolation line) {
    List<Dot> dots = new ArrayList<>();
    if (line != null) {
      List<StepView> views = vm.stepViews();
      for (int i = 0; i < line.steps().size(); i++) {
        LatentMap.Step s = line.steps().get(i);
        StepView v = i < views.size() ? views.get(i) : null;
        Color colour = v != null && v.likeFrom() ? SELECTED : v != null && v.likeTo() ? TARGET : Color.rgb(120, 120, 120);
        dots.add(new Dot(s.x(), s.y(), colour, String.format(Locale.ROOT, "t = %.2f: \"%s\"", s.t(), s.text())));
      }
    }
    scatter.setLayer(LAYER_LINE, dots, Mark.PATH, false);
  }

  // ---- the details --------------------------------------------------------------------------

  private void showSelected() {
    if (selectedBox == null) {
      return;
    }
    selectedBox.getChildren().clear();
    ChunkView c = vm.selectedProperty().get();
    if (c == null) {
      selectedBox.getChildren().add(hint("Click a dot on the map."));
      return;
    }
    LatentMap.Point p = c.point();
    Label text = new Label("\"" + p.text() + "\"");
    text.setId("latent-selected-text");
    text.setWrapText(true);
    text.setMinHeight(Region.USE_PREF_SIZE);
    text.getStyleClass().add("latent-chunk-text");
    Label where = new Label(String.format(Locale.ROOT, "chunk #%d · document %d, chunk %d of it · mean decodes with %d of %d"
        + " tokens wrong", p.index(), p.document(), p.position(), p.errors(), p.ids().length));
    where.setWrapText(true);
    HBox decoded = InspectorPage.tokenRow(c.decoded());
    decoded.getStyleClass().add("decoded-row");
    selectedBox.getChildren().addAll(text, where, labelled("tokens", InspectorPage.tokenRow(c.input())),
        labelled("decode of μ", decoded));
  }

  private void showCloud(LatentMap.Cloud cloud) {
    if (cloudBox == null) {
      return;
    }
    cloudBox.getChildren().clear();
    if (cloud == null) {
      cloudBox.getChildren().add(hint("Select a chunk: " + LatentExplorerViewModel.CLOUD_SAMPLES
          + " noisy copies z = μ + σ·ε of its latent are decoded."));
      return;
    }
    Label summary = new Label(LatentExplorerViewModel.cloudSummary(cloud));
    summary.setId("latent-cloud-summary");
    summary.setWrapText(true);
    cloudBox.getChildren().add(summary);
    for (LatentMap.Outcome o : LatentExplorerViewModel.shownOutcomes(cloud)) {
      Label l = new Label(String.format(Locale.ROOT, "%3d×  \"%s\"", o.count(), o.text()));
      l.getStyleClass().add(o.correct() ? "cloud-right" : "cloud-wrong");
      cloudBox.getChildren().add(l);
    }
    String others = LatentExplorerViewModel.otherOutcomes(cloud);
    if (!others.isEmpty()) {
      cloudBox.getChildren().add(hint(others));
    }
  }

  private void showSteps() {
    if (stepsBox == null) {
      return;
    }
    stepsBox.getChildren().clear();
    drawLine(vm.interpolationProperty().get());
    List<StepView> steps = vm.stepViews();
    if (steps.isEmpty()) {
      stepsBox.getChildren().add(hint(vm.selectedProperty().get() == null ? "Select a chunk, then shift-click a second one."
          : "Shift-click a second dot to decode (1 − t)·z_a + t·z_b along the line from this chunk to it."));
      return;
    }
    Label summary = new Label(LatentExplorerViewModel.stepsSummary(steps));
    summary.setId("latent-steps-summary");
    summary.setWrapText(true);
    stepsBox.getChildren().add(summary);
    for (StepView s : steps) {
      Label t = new Label(String.format(Locale.ROOT, "t=%.2f", s.t()));
      t.setMinWidth(48);
      t.getStyleClass().add("chunk-index");
      String end = s.likeFrom() && s.likeTo() ? "= both" : s.likeFrom() ? "= first" : s.likeTo() ? "= second" : "";
      Label tag = new Label(end);
      tag.getStyleClass().add("chunk-index");
      HBox row = new HBox(6, t, InspectorPage.tokenRow(s.tokens()), tag);
      row.setAlignment(Pos.CENTER_LEFT);
      row.getStyleClass().add("interpolation-step");
      if (s.changed()) {
        row.getStyleClass().add("changed");
      }
      stepsBox.getChildren().add(row);
    }
  }

  private static Node labelled(String label, Node content) {
    Label l = new Label(label);
    l.setMinWidth(80);
    l.getStyleClass().add("chunk-index");
    HBox row = new HBox(6, l, content);
    row.setAlignment(Pos.CENTER_LEFT);
    return row;
  }

  private static Label hint(String text) {
    Label l = new Label(text);
    l.setWrapText(true);
    l.getStyleClass().add("page-subtitle");
    return l;
  }

  /** For tests: the rows of the interpolation strip. */
  public List<Node> stepRows() {
    return stepsBox.getChildren().stream().filter(n -> n.getStyleClass().contains("interpolation-step")).toList();
  }
}
