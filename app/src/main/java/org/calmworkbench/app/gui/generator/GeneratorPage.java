package org.calmworkbench.app.gui.generator;

import java.util.List;
import java.util.Locale;
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
import javafx.scene.control.RadioButton;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.Slider;
import javafx.scene.control.Spinner;
import javafx.scene.control.SplitPane;
import javafx.scene.control.TextArea;
import javafx.scene.control.TextField;
import javafx.scene.control.ToggleGroup;
import javafx.scene.input.KeyCode;
import javafx.scene.input.KeyCodeCombination;
import javafx.scene.input.KeyCombination;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.VBox;
import javafx.scene.text.Text;
import javafx.scene.text.TextFlow;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.common.Checkpoints;
import org.calmworkbench.app.gui.common.Concepts;
import org.calmworkbench.app.gui.common.Messages;
import org.calmworkbench.app.gui.pages.Page;
import org.calmworkbench.backend.generate.CalmGenerator.Method;
import org.calmworkbench.backend.project.RunStore;
import org.calmworkbench.visualizers.BarChartView;

/** The Generator page: a thin view over {@link GeneratorViewModel}. */
public final class GeneratorPage implements Page {
  public static final String TITLE = "Generator";
  public static final KeyCombination GENERATE_KEY = new KeyCodeCombination(KeyCode.ENTER, KeyCombination.SHORTCUT_DOWN);
  public static final KeyCombination STOP_KEY = new KeyCodeCombination(KeyCode.ESCAPE);
  public static final String CALLS_SERIES = "sampler calls";

  static final String TEMPERATURE_HELP =
      "Temperature T in (0, 1]: CALM samples from P(chunk)^(1/T) / Z without ever knowing P, only by drawing"
          + " from the model. Lower T favours the chunks the model draws most often; T = 1 is plain sampling.";
  static final String EXACT_HELP =
      "Exact (Algorithm 1): with 1/T = n + alpha, draw n chunks and accept only if all are identical (probability"
          + " P^n), then keep the chunk with probability P^alpha by a Bernoulli factory; restart otherwise. Output"
          + " follows exactly P^(1/T)/Z, at a random cost that grows quickly as T falls. Over the budget it falls"
          + " back to the batch estimate (the chunk is then marked).";
  static final String BATCH_HELP =
      "Batch (Algorithm 2): draw N chunks, count repeats c(x), and choose x with weight C(c(x), 1/T) (stepping"
          + " down to a warmer level when no chunk repeats often enough). Fixed cost of N draws per step; biased for"
          + " small N, exact as N grows.";
  static final String GREEDY_HELP =
      "Greedy: draw N chunks and take the most frequent one (the T -> 0 limit of the batch approximation)."
          + " The temperature is not used.";
  static final String SHADING_HELP =
      "Each shaded piece is what one step added. CALM predicts one vector per step, which the autoencoder turns"
          + " into K tokens at once; the AR baseline adds one token per step. Fewer pieces for the same text = fewer"
          + " steps. Hover a piece for its step, sampler calls and fallback.";
  static final String CALLS_HELP =
      "Sampler calls per step: how many times the energy head was sampled to choose each chunk. Exact at T = 1"
          + " needs 1; exact at T = 1/n needs at least n identical draws; batch and greedy always spend N."
          + " With several samples, the calls of all samples in that step.";
  static final String SAMPLES_HELP =
      "Samples S: continuations of the same prompt generated side by side, one batched forward pass per step for"
          + " all of them (as ./calm generate --samples S). Sample s uses seed + s, so it is the text a single run"
          + " with that seed gives. Tokens/s are over all samples.";

  private final GeneratorViewModel vm;
  private SampleFlows calmFlows;
  private SampleFlows arFlows;
  private BarChartView callsChart;
  private Node view;

  public GeneratorPage(WorkbenchContext ctx) {
    this.vm = new GeneratorViewModel(ctx);
  }

  public GeneratorViewModel viewModel() {
    return vm;
  }

  /** The CALM output of the first (or only) sample: a prompt node, then one node per piece of a step. */
  public TextFlow calmOutput() {
    return calmOutput(0);
  }

  /** Sample {@code sample}'s CALM output. */
  public TextFlow calmOutput(int sample) {
    view();
    return calmFlows.flow(sample);
  }

  /** How many CALM outputs the page shows: S of the last run. */
  public int calmOutputs() {
    view();
    return calmFlows.size();
  }

  public TextFlow arOutput() {
    view();
    return arFlows.flow(0);
  }

  public BarChartView callsChart() {
    view();
    return callsChart;
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
    return Map.of(GENERATE_KEY, vm::generate, STOP_KEY, vm::stop);
  }

  private Node build() {
    Label title = new Label("Generator");
    title.getStyleClass().add("page-title");
    Label subtitle = new Label("Continue a prompt with a trained CALM model: one vector per step, K tokens per vector."
        + " Temperature is applied without likelihoods, by the paper's samplers.");
    subtitle.getStyleClass().add("page-subtitle");
    subtitle.setWrapText(true);
    subtitle.setMinHeight(Region.USE_PREF_SIZE);

    // ---- settings ----
    ComboBox<RunStore.Checkpoint> calmCk = new ComboBox<>(vm.calmCheckpoints());
    Checkpoints.showNamesInButton(calmCk);
    calmCk.setId("calm-checkpoint");
    calmCk.valueProperty().bindBidirectional(vm.calmCheckpointProperty());
    calmCk.setPromptText("no CALM checkpoint");
    calmCk.setMaxWidth(Double.MAX_VALUE);
    calmCk.setTooltip(Concepts.tooltip("The CALM language model (a folder under the project's runs/ with model_type"
        + " calm_energy) to generate with."));
    ComboBox<RunStore.Checkpoint> arCk = new ComboBox<>(vm.arCheckpoints());
    Checkpoints.showNamesInButton(arCk);
    arCk.setId("ar-checkpoint");
    arCk.valueProperty().bindBidirectional(vm.arCheckpointProperty());
    arCk.setPromptText("no AR checkpoint");
    arCk.setMaxWidth(Double.MAX_VALUE);
    arCk.disableProperty().bind(vm.compareWithArProperty().not());
    CheckBox compare = new CheckBox("Compare with AR baseline");
    compare.setMinWidth(Region.USE_PREF_SIZE);
    compare.setId("compare-ar");
    compare.selectedProperty().bindBidirectional(vm.compareWithArProperty());
    compare.setTooltip(Concepts.tooltip("Runs the token-by-token autoregressive baseline after CALM, with the same"
        + " prompt, temperature (exact softmax(logits / T)), max tokens and seed, so steps and speed can be compared."));
    Button refresh = new Button("Refresh");
    refresh.setOnAction(e -> vm.refreshCheckpoints());

    Slider temp = new Slider(GeneratorViewModel.MIN_TEMPERATURE, 1, vm.temperatureProperty().get());
    temp.setId("temperature");
    temp.valueProperty().bindBidirectional(vm.temperatureProperty());
    temp.setShowTickMarks(true);
    temp.setShowTickLabels(false); // ticks from 0.05 would read 0.3, 0.55...; the value is shown beside it
    temp.setMajorTickUnit(0.25);
    temp.setPrefWidth(160);
    temp.setMinWidth(80); // gives way first when the page is narrow (1280x800), so the value beside it stays whole
    temp.setMaxWidth(Double.MAX_VALUE);
    temp.setBlockIncrement(0.05);
    temp.setTooltip(Concepts.tooltip(TEMPERATURE_HELP));
    HBox.setHgrow(temp, Priority.ALWAYS);
    Label tempValue = new Label();
    tempValue.setId("temperature-value");
    tempValue.setMinWidth(Region.USE_PREF_SIZE);
    tempValue.textProperty().bind(Bindings.createStringBinding(() -> String.format(Locale.ROOT, "T = %.2f  (1/T = %.2f)",
        vm.temperatureProperty().get(), 1 / vm.temperatureProperty().get()), vm.temperatureProperty()));
    HBox tempRow = new HBox(8, temp, tempValue);
    tempRow.setAlignment(Pos.CENTER_LEFT);

    ToggleGroup methods = new ToggleGroup();
    RadioButton exact = radio("Exact", "method-exact", Method.EXACT, methods, EXACT_HELP);
    RadioButton batch = radio("Batch", "method-batch", Method.BATCH, methods, BATCH_HELP);
    RadioButton greedy = radio("Greedy", "method-greedy", Method.GREEDY, methods, GREEDY_HELP);
    methods.selectedToggleProperty().addListener((o, a, b) -> {
      if (b != null) {
        vm.methodProperty().set((Method) b.getUserData());
      }
    });
    vm.methodProperty().addListener((o, a, b) -> selectMethod(methods, b));
    selectMethod(methods, vm.methodProperty().get());
    TextField n = field("candidates", vm.candidatesProperty(), 70,
        "N: chunks drawn per step by the batch approximation and greedy (not used by exact).");
    n.disableProperty().bind(vm.methodProperty().isEqualTo(Method.EXACT));
    n.setMaxWidth(Region.USE_PREF_SIZE);
    HBox methodRow = new HBox(10, exact, batch, greedy);
    methodRow.setAlignment(Pos.CENTER_LEFT);

    TextField maxTokens = field("max-tokens", vm.maxTokensProperty(), 70,
        "Generate at least this many tokens; CALM rounds up to whole chunks of K.");
    TextField seed = field("seed", vm.seedProperty(), 90, "Seed of all randomness: the same seed gives the same text.");
    Spinner<Integer> samples = new Spinner<>(1, GeneratorViewModel.MAX_SAMPLES, vm.samplesProperty().get());
    samples.setId("samples");
    samples.setEditable(true);
    samples.setPrefWidth(80);
    samples.setMinWidth(80);
    samples.getValueFactory().valueProperty().addListener((o, a, b) -> {
      if (b != null) {
        vm.samplesProperty().set(b);
      }
    });
    vm.samplesProperty().addListener((o, a, b) -> samples.getValueFactory().setValue(b.intValue()));
    samples.setTooltip(Concepts.tooltip(SAMPLES_HELP));
    Label samplesNote = new Label("sample s: seed + s");
    samplesNote.getStyleClass().add("page-subtitle");
    samplesNote.setMinWidth(Region.USE_PREF_SIZE);
    HBox samplesRow = new HBox(8, samples, samplesNote);
    samplesRow.setAlignment(Pos.CENTER_LEFT);

    GridPane settings = new GridPane();
    settings.setHgap(8);
    settings.setVgap(8);
    int row = 0;
    // Two columns only, every row fitting the left pane at 1280x800 (the issue "One model of projects,
    // runs and settings" found Refresh, "1/T =" and N cut off there): Refresh sits beside the check box.
    settings.addRow(row++, new Label("CALM model"), calmCk);
    Region gap = new Region();
    HBox.setHgrow(gap, Priority.ALWAYS);
    refresh.setMinWidth(Region.USE_PREF_SIZE);
    HBox compareRow = new HBox(8, compare, gap, refresh);
    compareRow.setAlignment(Pos.CENTER_LEFT);
    settings.add(compareRow, 1, row++);
    settings.addRow(row++, new Label("AR baseline"), arCk);
    settings.addRow(row++, Concepts.explain(new Label("Temperature"), TEMPERATURE_HELP), tempRow);
    settings.addRow(row++, new Label("Sampler"), methodRow);
    settings.addRow(row++, new Label("Candidates N"), n);
    HBox numbers = new HBox(8, maxTokens, new Label("Seed"), seed);
    numbers.setAlignment(Pos.CENTER_LEFT);
    settings.addRow(row++, new Label("Max tokens"), numbers);
    settings.addRow(row++, Concepts.explain(new Label("Samples"), SAMPLES_HELP), samplesRow);
    GridPane.setHgrow(calmCk, Priority.ALWAYS);
    javafx.scene.layout.ColumnConstraints labels = new javafx.scene.layout.ColumnConstraints();
    labels.setMinWidth(Region.USE_PREF_SIZE);
    javafx.scene.layout.ColumnConstraints wide = new javafx.scene.layout.ColumnConstraints();
    wide.setHgrow(Priority.ALWAYS);
    settings.getColumnConstraints().addAll(labels, wide);

    Label validation = Messages.whenNotEmpty("generator-validation", "validation-message", vm.validationMessageProperty());

    Label promptLabel = new Label("Prompt");
    promptLabel.getStyleClass().add("section-title");
    TextArea prompt = new TextArea();
    prompt.setId("prompt");
    prompt.setWrapText(true);
    prompt.setPrefRowCount(3);
    prompt.textProperty().bindBidirectional(vm.promptProperty());

    Button generate = new Button("Generate");
    generate.setId("generate");
    generate.setTooltip(Concepts.tooltip("Generate with these settings on the workbench's engine thread (Ctrl+Enter)."));
    generate.disableProperty().bind(vm.canGenerateBinding().not());
    generate.setOnAction(e -> vm.generate());
    Button stop = new Button("Stop");
    stop.setId("stop-generation");
    stop.setTooltip(Concepts.tooltip("End generation after the current step; the text so far stays (Esc)."));
    stop.disableProperty().bind(vm.runningProperty().not());
    stop.setOnAction(e -> vm.stop());
    generate.setMinWidth(Region.USE_PREF_SIZE);
    stop.setMinWidth(Region.USE_PREF_SIZE);
    HBox buttons = new HBox(8, generate, stop);
    buttons.setAlignment(Pos.CENTER_LEFT);

    Label status = new Label();
    status.setId("generator-status");
    status.getStyleClass().add("status-message");
    status.setWrapText(true);
    status.setMinHeight(Region.USE_PREF_SIZE);
    status.textProperty().bind(vm.statusProperty());

    VBox left = new VBox(10, title, subtitle, settings, validation, promptLabel, prompt, buttons, status);
    left.setPadding(new Insets(12));
    left.setMinWidth(360);
    ScrollPane leftScroll = new ScrollPane(left);
    leftScroll.setFitToWidth(true);

    // ---- output ----
    calmFlows = new SampleFlows("calm-output");
    Text hint = new Text("Press Generate: the continuation appears here as it is generated, one shade per step.");
    hint.getStyleClass().add("prompt-text");
    calmFlows.flow(0).getChildren().add(hint);
    Label calmTitle = Concepts.explain(new Label(), SHADING_HELP);
    calmTitle.getStyleClass().add("section-title");
    calmTitle.textProperty().bind(Bindings.createStringBinding(() -> vm.patchSizeProperty().get() > 0
        ? "CALM · one shade per step = K = " + vm.patchSizeProperty().get() + " tokens" : "CALM · one shade per step",
        vm.patchSizeProperty()));
    Label calmFigures = figures(vm.calm(), "calm-figures", true);
    ScrollPane calmScroll = scroll(calmFlows.box);

    callsChart = new BarChartView("", "step", "calls");
    callsChart.setId("calls-chart");
    callsChart.setLegendVisible(false);
    callsChart.setCategoryLabelsVisible(false);
    callsChart.setMaximumBarWidth(0.04);
    callsChart.setToolbarVisible(false); // a strip; its title carries the explanation
    callsChart.setPrefHeight(130);
    callsChart.setMinHeight(110);
    Label callsTitle = Concepts.explain(new Label("Sampler calls per step"), CALLS_HELP);
    callsTitle.getStyleClass().add("section-title");

    arFlows = new SampleFlows("ar-output");
    Label arTitle = Concepts.explain(new Label("AR baseline · one shade per step = 1 token"), SHADING_HELP);
    arTitle.getStyleClass().add("section-title");
    Label arFigures = figures(vm.ar(), "ar-figures", false);
    ScrollPane arScroll = scroll(arFlows.box);
    VBox arBox = new VBox(4, arTitle, arFigures, arScroll);
    VBox.setVgrow(arScroll, Priority.ALWAYS);
    arBox.visibleProperty().bind(vm.compareWithArProperty());
    arBox.managedProperty().bind(vm.compareWithArProperty());

    Label ratio = Messages.whenNotEmpty("step-ratio", "step-ratio", vm.stepRatioBinding());

    VBox calmBox = new VBox(4, calmTitle, calmFigures, calmScroll, callsTitle, callsChart);
    VBox.setVgrow(calmScroll, Priority.ALWAYS);
    VBox right = new VBox(8, calmBox, arBox, ratio);
    VBox.setVgrow(calmBox, Priority.ALWAYS);
    VBox.setVgrow(arBox, Priority.ALWAYS);
    right.setPadding(new Insets(12));

    vm.calm().samplesProperty().addListener((o, a, b) -> calmFlows.setSamples(b.intValue()));
    vm.ar().samplesProperty().addListener((o, a, b) -> arFlows.setSamples(b.intValue()));
    vm.calm().segments().addListener((ListChangeListener<Segment>) c -> render(c, calmFlows, true));
    vm.ar().segments().addListener((ListChangeListener<Segment>) c -> render(c, arFlows, false));
    vm.callsPerStep().addListener((ListChangeListener<Integer>) c -> {
      while (c.next()) {
        if (c.wasRemoved() && vm.callsPerStep().isEmpty()) {
          callsChart.clear();
        }
        if (c.wasAdded()) {
          for (int i = c.getFrom(); i < c.getTo(); i++) {
            callsChart.setValue(CALLS_SERIES, String.valueOf(i + 1), vm.callsPerStep().get(i));
          }
        }
      }
    });

    SplitPane split = new SplitPane(leftScroll, right);
    split.setOrientation(Orientation.HORIZONTAL);
    split.setDividerPositions(0.40);
    SplitPane.setResizableWithParent(leftScroll, false);
    return new BorderPane(split);
  }

  private void render(ListChangeListener.Change<? extends Segment> c, SampleFlows flows, boolean calm) {
    while (c.next()) {
      if (c.wasRemoved() && (calm ? vm.calm() : vm.ar()).segments().isEmpty()) {
        flows.clear();
      }
      if (c.wasAdded()) {
        for (Segment s : c.getAddedSubList()) {
          TextFlow flow = flows.flow(s.sample());
          if (s.step() == 0) { // a new run: its prompt first, unshaded
            flow.getChildren().setAll(promptPieces(vm.runPrompt()));
          }
          flow.getChildren().addAll(pieces(s));
        }
      }
    }
  }

  /**
   * The continuations of a run, one shaded text flow per sample, stacked; with S > 1 each under a
   * heading naming its sample and seed. The first flow keeps its id (and its hint) across runs.
   */
  private final class SampleFlows {
    final VBox box = new VBox(6);
    private final String id;
    private final List<TextFlow> flows = new java.util.ArrayList<>();

    SampleFlows(String id) {
      this.id = id;
      flows.add(newFlow(id));
      box.getChildren().add(flows.get(0));
    }

    TextFlow flow(int sample) {
      return flows.get(sample);
    }

    int size() {
      return flows.size();
    }

    void clear() {
      flows.forEach(f -> f.getChildren().clear());
    }

    void setSamples(int count) {
      while (flows.size() > count) {
        flows.remove(flows.size() - 1);
      }
      while (flows.size() < count) {
        flows.add(newFlow(id + "-" + flows.size()));
      }
      box.getChildren().clear();
      for (int s = 0; s < count; s++) {
        if (count > 1) {
          int sample = s;
          Label heading = new Label();
          heading.textProperty().bind(Bindings.createStringBinding(() -> String.format(Locale.ROOT,
              "sample %d · seed %d", sample + 1, vm.runSeedProperty().get() + sample), vm.runSeedProperty()));
          heading.getStyleClass().add("sample-heading");
          box.getChildren().add(heading);
        }
        box.getChildren().add(flows.get(s));
      }
    }

    private TextFlow newFlow(String flowId) {
      TextFlow f = new TextFlow();
      f.setId(flowId);
      f.getStyleClass().add("generated-flow");
      f.setLineSpacing(4);
      return f;
    }
  }

  /**
   * The prompt as unshaded labels, one per word (with its trailing space) and line breaks between
   * lines: all labels, like the steps, so the flow wraps only between pieces and never glues a
   * word of the prompt to the first generated piece.
   */
  static List<Node> promptPieces(String prompt) {
    java.util.List<Node> out = new java.util.ArrayList<>();
    String[] lines = prompt.split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        out.add(new Text("\n"));
      }
      for (String word : lines[i].split("(?<= )")) {
        if (!word.isEmpty()) {
          Label l = new Label(word);
          l.getStyleClass().add("prompt-piece");
          out.add(l);
        }
      }
    }
    return out;
  }

  /**
   * The nodes of one segment: a shaded label per line of its text, with a line break between lines
   * (a label cannot break inside a text flow, and chunks are short).
   */
  static List<Node> pieces(Segment s) {
    java.util.List<Node> out = new java.util.ArrayList<>();
    String[] lines = s.text().split("\n", -1);
    for (int i = 0; i < lines.length; i++) {
      if (i > 0) {
        out.add(new Text("\n"));
      }
      if (lines[i].isEmpty() && lines.length > 1) {
        continue;
      }
      Label l = new Label(lines[i].isEmpty() ? "∅" : lines[i]); // an empty step still shows that it happened
      l.getStyleClass().addAll("step-piece", s.shaded() ? "shade-b" : "shade-a");
      if (s.fellBack()) {
        l.getStyleClass().add("fell-back");
      }
      if (lines[i].isEmpty()) {
        l.getStyleClass().add("empty-piece");
      }
      l.setTooltip(Concepts.tooltip(s.describe()));
      out.add(l);
    }
    return out;
  }

  private static Label figures(RunFigures f, String id, boolean calm) {
    Label l = new Label();
    l.setId(id);
    l.getStyleClass().add("run-figures");
    l.setWrapText(true);
    l.setMinHeight(Region.USE_PREF_SIZE);
    l.textProperty().bind(Bindings.createStringBinding(() -> f.figuresLine(calm), f.figuresDependencies()));
    return l;
  }

  private static ScrollPane scroll(VBox flows) {
    flows.setPadding(new Insets(8));
    ScrollPane s = new ScrollPane(flows);
    s.setFitToWidth(true);
    s.setPrefHeight(160);
    s.setMinHeight(80);
    s.getStyleClass().add("generated-scroll");
    return s;
  }

  private RadioButton radio(String text, String id, Method m, ToggleGroup g, String help) {
    RadioButton b = new RadioButton(text);
    b.setId(id);
    b.setUserData(m);
    b.setToggleGroup(g);
    b.setTooltip(Concepts.tooltip(help));
    b.setMinWidth(Region.USE_PREF_SIZE);
    return b;
  }

  private static void selectMethod(ToggleGroup g, Method m) {
    g.getToggles().stream().filter(t -> t.getUserData() == m).findFirst().ifPresent(t -> t.setSelected(true));
  }

  private static TextField field(String id, javafx.beans.property.StringProperty p, double width, String help) {
    TextField f = new TextField();
    f.setId(id);
    f.textProperty().bindBidirectional(p);
    f.setPrefColumnCount(6);
    f.setPrefWidth(width);
    f.setMinWidth(width);
    f.setTooltip(Concepts.tooltip(help));
    return f;
  }
}
