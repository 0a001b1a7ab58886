package org.calmworkbench.app.gui;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import javafx.beans.binding.Bindings;
import javafx.beans.property.ReadOnlyObjectWrapper;
import javafx.beans.property.ReadOnlyStringWrapper;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.geometry.Orientation;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.Scene;
import javafx.scene.control.Alert;
import javafx.scene.control.Button;
import javafx.scene.control.ComboBox;
import javafx.scene.control.Label;
import javafx.scene.control.ListCell;
import javafx.scene.control.ListView;
import javafx.scene.control.ProgressBar;
import javafx.scene.control.SplitPane;
import javafx.scene.control.Tab;
import javafx.scene.control.TabPane;
import javafx.scene.control.TableColumn;
import javafx.scene.control.TableView;
import javafx.scene.control.TextArea;
import javafx.scene.control.ToggleButton;
import javafx.scene.control.Tooltip;
import javafx.scene.control.cell.ProgressBarTableCell;
import javafx.scene.input.KeyCombination;
import javafx.scene.input.KeyEvent;
import javafx.scene.layout.BorderPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.Priority;
import javafx.scene.layout.Region;
import javafx.scene.layout.StackPane;
import javafx.scene.layout.VBox;
import javafx.util.StringConverter;
import org.calmworkbench.app.gui.common.Concepts;
import org.calmworkbench.app.gui.common.Events;
import org.calmworkbench.app.gui.pages.Page;
import org.calmworkbench.app.gui.pages.PageSpec;
import org.calmworkbench.app.gui.service.Durations;
import org.calmworkbench.app.gui.service.Job;
import org.calmworkbench.app.gui.service.JobState;
import org.calmworkbench.app.gui.service.LogModel;
import org.calmworkbench.app.gui.service.WorkbenchService;
import org.calmworkbench.backend.device.ComputeDevice;

/**
 * The main window's content: navigation on the left, the current page in the middle, a drawer
 * with the job queue and the log, and a status bar with the running job. Pages are built the first
 * time they are shown; the current page's keyboard shortcuts are active.
 */
public final class MainWindow {
  private final WorkbenchContext ctx;
  private final List<PageSpec> specs;
  private final Map<PageSpec, Page> pages = new HashMap<>();
  private final ReadOnlyObjectWrapper<PageSpec> current = new ReadOnlyObjectWrapper<>(this, "current");
  private final BorderPane root = new BorderPane();
  private final StackPane pageHost = new StackPane();
  private final ListView<PageSpec> nav;
  private final TabPane drawer = new TabPane();
  private final SplitPane centre = new SplitPane();
  private final ToggleButton jobsToggle = new ToggleButton();
  private final ToggleButton logToggle = new ToggleButton("Log");
  private final Tab jobsTab = new Tab("Jobs");
  private final Tab logTab = new Tab("Log");

  public MainWindow(WorkbenchContext ctx, List<PageSpec> specs) {
    this.ctx = ctx;
    this.specs = specs;
    nav = new ListView<>();
    nav.getItems().setAll(specs);
    nav.setId("navigation");
    nav.getStyleClass().add("nav-list");
    nav.setPrefWidth(250);
    nav.setMinWidth(250);
    nav.setCellFactory(v -> new ListCell<>() {
      @Override
      protected void updateItem(PageSpec item, boolean empty) {
        super.updateItem(item, empty);
        if (empty || item == null) {
          setText(null);
          setTooltip(null);
        } else {
          setText(item.title());
          setTooltip(Concepts.tooltip(item.summary()));
        }
      }
    });
    nav.getSelectionModel().selectedItemProperty().addListener((o, a, b) -> {
      if (b != null) {
        show(b);
      }
    });
    ctx.bus().subscribe(Events.ShowPage.class, e -> select(e.title()));

    Label brand = new Label("CALM Workbench");
    brand.getStyleClass().add("nav-title");
    brand.setMaxWidth(Double.MAX_VALUE);
    Label project = new Label();
    project.setWrapText(true);
    project.setPadding(new Insets(0, 14, 8, 14));
    project.getStyleClass().add("page-subtitle");
    project.textProperty().bind(Bindings.createStringBinding(
        () -> ctx.project() == null ? "no project" : "project: " + ctx.project().name(), ctx.projectProperty()));
    VBox left = new VBox(brand, project, nav);
    left.getStyleClass().add("nav-list");
    VBox.setVgrow(nav, Priority.ALWAYS);

    drawer.getTabs().addAll(jobsTab, logTab);
    drawer.setTabClosingPolicy(TabPane.TabClosingPolicy.UNAVAILABLE);
    jobsTab.setContent(jobTable());
    logTab.setContent(logView());
    centre.setOrientation(Orientation.VERTICAL);
    centre.getItems().add(pageHost);

    root.setLeft(left);
    root.setCenter(centre);
    root.setBottom(statusBar());
    root.addEventFilter(KeyEvent.KEY_PRESSED, this::shortcut);
    nav.getSelectionModel().select(0);
  }

  public BorderPane root() {
    return root;
  }

  public List<PageSpec> pageSpecs() {
    return specs;
  }

  public PageSpec currentPage() {
    return current.get();
  }

  /** The page with this title, built if needed. */
  public Page page(String title) {
    return pages.computeIfAbsent(spec(title), s -> s.factory().apply(ctx));
  }

  /** Shows the page with this title and selects it in the navigation. */
  public void select(String title) {
    nav.getSelectionModel().select(spec(title));
  }

  private PageSpec spec(String title) {
    return specs.stream().filter(s -> s.title().equals(title)).findFirst()
        .orElseThrow(() -> new IllegalArgumentException("no page '" + title + "'"));
  }

  private void show(PageSpec spec) {
    Page before = current.get() == null ? null : pages.get(current.get());
    if (before != null && current.get() != spec) {
      before.onHide();
    }
    Page p = pages.computeIfAbsent(spec, s -> s.factory().apply(ctx));
    pageHost.getChildren().setAll(p.view());
    current.set(spec);
    p.onShow();
  }

  private void shortcut(KeyEvent e) {
    PageSpec spec = current.get();
    Page p = spec == null ? null : pages.get(spec);
    if (p == null) {
      return;
    }
    for (Map.Entry<KeyCombination, Runnable> s : p.shortcuts().entrySet()) {
      if (s.getKey().match(e)) {
        s.getValue().run();
        e.consume();
        return;
      }
    }
  }

  /** Shows or hides the drawer with the job queue and the log. */
  public void showDrawer(Tab tab, boolean show) {
    if (show) {
      drawer.getSelectionModel().select(tab);
      if (!centre.getItems().contains(drawer)) {
        centre.getItems().add(drawer);
        centre.setDividerPositions(0.72);
      }
    } else if (drawer.getSelectionModel().getSelectedItem() == tab || !(jobsToggle.isSelected() || logToggle.isSelected())) {
      centre.getItems().remove(drawer);
    }
  }

  // ---- status bar ------------------------------------------------------------------------------

  private Node statusBar() {
    WorkbenchService service = ctx.service();
    ReadOnlyStringWrapper summary = new ReadOnlyStringWrapper("idle");
    ProgressBar bar = new ProgressBar(0);
    bar.setId("job-progress");
    bar.setPrefWidth(160);
    bar.setVisible(false);
    Runnable refresh = () -> {
      Job j = service.currentProperty().get();
      long queued = service.jobs().stream().filter(x -> x.state() == JobState.QUEUED).count();
      String q = queued == 0 ? "" : "  ·  " + queued + " queued";
      if (j == null) {
        summary.set((queued == 0 ? "idle" : "waiting") + q);
        bar.setVisible(false);
      } else {
        double eta = j.etaSecondsProperty().get();
        summary.set(j.name() + " — " + j.state().label() + ", " + j.messageProperty().get()
            + (Double.isFinite(eta) ? " · ETA " + Durations.format(eta) : "") + q);
        bar.setVisible(true);
        bar.setProgress(j.progressProperty().get() < 0 ? ProgressBar.INDETERMINATE_PROGRESS : j.progressProperty().get());
      }
      long unfinished = service.jobs().stream().filter(x -> !x.state().isFinal()).count();
      jobsToggle.setText("Jobs (" + unfinished + ")");
    };
    // Job properties change at most once per frame (coalesced), so refreshing on each is cheap.
    javafx.beans.InvalidationListener onJob = o -> refresh.run();
    service.currentProperty().addListener((o, a, b) -> {
      if (a != null) {
        a.messageProperty().removeListener(onJob);
        a.progressProperty().removeListener(onJob);
        a.stateProperty().removeListener(onJob);
        a.etaSecondsProperty().removeListener(onJob);
      }
      if (b != null) {
        b.messageProperty().addListener(onJob);
        b.progressProperty().addListener(onJob);
        b.stateProperty().addListener(onJob);
        b.etaSecondsProperty().addListener(onJob);
      }
      refresh.run();
    });
    service.jobs().addListener((ListChangeListener<Job>) c -> refresh.run());
    refresh.run();

    Label text = new Label();
    text.setId("job-summary");
    text.textProperty().bind(summary);
    text.setMinWidth(0); // the one thing in the status bar that gives way when narrow; the tooltip has it whole
    Tooltip whole = new Tooltip();
    whole.textProperty().bind(summary);
    text.setTooltip(whole);
    Region spacer = new Region();
    HBox.setHgrow(spacer, Priority.ALWAYS);
    jobsToggle.setId("toggle-jobs");
    jobsToggle.setTooltip(Concepts.tooltip("Show the job queue: every training, evaluation and decode runs here, one after another."));
    jobsToggle.selectedProperty().addListener((o, a, b) -> showDrawer(jobsTab, b));
    logToggle.setId("toggle-log");
    logToggle.setTooltip(Concepts.tooltip("Show the log: what happened, warnings and errors with details."));
    logToggle.selectedProperty().addListener((o, a, b) -> showDrawer(logTab, b));
    // Errors open the log so they are not missed.
    service.log().entries().addListener((ListChangeListener<LogModel.Entry>) c -> {
      while (c.next()) {
        if (c.getAddedSubList().stream().anyMatch(e -> e.level() == LogModel.Level.ERROR)) {
          logToggle.setSelected(true);
          showDrawer(logTab, true);
        }
      }
    });
    // Only the summary text gives way when the window is narrow: the controls on the right keep their size.
    Node device = deviceChoice();
    for (Region r : List.of(bar, (Region) device, jobsToggle, logToggle)) {
      r.setMinWidth(Region.USE_PREF_SIZE);
    }
    HBox bar2 = new HBox(10, text, bar, spacer, device, jobsToggle, logToggle);
    bar2.setAlignment(Pos.CENTER_LEFT);
    bar2.getStyleClass().add("status-bar");
    return bar2;
  }

  /**
   * The device selector (auto/cpu/gpu) and the device the last job used. Choosing only records the
   * preference ({@link ComputeDevice#prefer}, never blocking); the next job resolves it on the
   * service thread, and the label shows the result once a job has run ({@link ComputeDevice#resolved},
   * which never loads the engine). Disabled while a job runs, so one job never mixes devices.
   */
  private Node deviceChoice() {
    WorkbenchService service = ctx.service();
    ComboBox<ComputeDevice.Preference> choice = new ComboBox<>();
    choice.getItems().setAll(ComputeDevice.Preference.values());
    choice.setId("device-choice");
    choice.setValue(ComputeDevice.preference());
    choice.setConverter(new StringConverter<>() {
      @Override
      public String toString(ComputeDevice.Preference p) {
        return p == null ? "" : p.label();
      }

      @Override
      public ComputeDevice.Preference fromString(String s) {
        return ComputeDevice.Preference.parse(s);
      }
    });
    choice.setTooltip(Concepts.tooltip("Where models compute. auto: the GPU when PyTorch sees one, else the CPU; "
        + "a GPU that is missing or fails falls back to the CPU with a notice. Applies from the next job."));
    choice.disableProperty().bind(service.currentProperty().isNotNull());
    Label used = new Label();
    used.setId("device-used");
    ComputeDevice.Selection[] logged = {null}; // a fallback notice goes to the log once per selection
    Runnable refresh = () -> {
      ComputeDevice.Selection s = ComputeDevice.resolved();
      if (s == null) {
        used.setText("device: at the next job");
        used.setTooltip(Concepts.tooltip("The device is chosen when a job first needs a model."));
      } else {
        used.setText("device: " + s.name() + (s.notice() == null ? "" : " (fallback)"));
        used.setTooltip(Concepts.tooltip(s.notice() == null ? s.reason() : s.notice()));
        if (s.notice() != null && s != logged[0]) {
          logged[0] = s;
          service.log().warn(s.notice());
        }
      }
    };
    choice.valueProperty().addListener((o, a, b) -> {
      ComputeDevice.prefer(b);
      refresh.run();
    });
    service.currentProperty().addListener((o, a, b) -> refresh.run());
    refresh.run();
    Label label = new Label("Device");
    for (Region r : List.of(label, choice, used)) {
      r.setMinWidth(Region.USE_PREF_SIZE);
    }
    HBox box = new HBox(6, label, choice, used);
    box.setAlignment(Pos.CENTER_LEFT);
    return box;
  }

  private Node jobTable() {
    WorkbenchService service = ctx.service();
    TableView<Job> table = new TableView<>(service.jobs());
    table.setId("job-table");
    table.setPlaceholder(new Label("No jobs yet"));
    TableColumn<Job, String> name = new TableColumn<>("Job");
    name.setCellValueFactory(c -> new ReadOnlyStringWrapper(c.getValue().name()));
    name.setPrefWidth(300);
    TableColumn<Job, JobState> state = new TableColumn<>("State");
    state.setCellValueFactory(c -> c.getValue().stateProperty());
    TableColumn<Job, Double> progress = new TableColumn<>("Progress");
    progress.setCellValueFactory(c -> c.getValue().progressProperty().asObject());
    progress.setCellFactory(ProgressBarTableCell.forTableColumn());
    progress.setPrefWidth(130);
    TableColumn<Job, String> eta = new TableColumn<>("ETA");
    eta.setCellValueFactory(c -> Bindings.createStringBinding(() -> Durations.format(c.getValue().etaSecondsProperty().get()),
        c.getValue().etaSecondsProperty()));
    TableColumn<Job, String> message = new TableColumn<>("Message");
    message.setCellValueFactory(c -> c.getValue().messageProperty());
    message.setPrefWidth(420);
    table.getColumns().addAll(List.of(name, state, progress, eta, message));
    table.setColumnResizePolicy(TableView.CONSTRAINED_RESIZE_POLICY_FLEX_LAST_COLUMN);

    Button pause = new Button("Pause");
    Button resume = new Button("Resume");
    Button cancel = new Button("Cancel");
    cancel.setId("cancel-job");
    Button clear = new Button("Clear finished");
    var selected = table.getSelectionModel().selectedItemProperty();
    // The selected job's state, followed as it changes, drives the buttons.
    ReadOnlyObjectWrapper<JobState> selectedState = new ReadOnlyObjectWrapper<>();
    javafx.beans.value.ChangeListener<JobState> follow = (o, a, b) -> selectedState.set(b);
    selected.addListener((o, a, b) -> {
      if (a != null) {
        a.stateProperty().removeListener(follow);
      }
      if (b != null) {
        b.stateProperty().addListener(follow);
      }
      selectedState.set(b == null ? null : b.state());
    });
    pause.setOnAction(e -> selected.get().pause());
    resume.setOnAction(e -> selected.get().resume());
    cancel.setOnAction(e -> selected.get().cancel());
    clear.setOnAction(e -> service.clearFinished());
    pause.disableProperty().bind(Bindings.createBooleanBinding(
        () -> selected.get() == null || !selected.get().spec().canPause() || selectedState.get() != JobState.RUNNING,
        selected, selectedState));
    resume.disableProperty().bind(selectedState.isNotEqualTo(JobState.PAUSED));
    cancel.disableProperty().bind(Bindings.createBooleanBinding(
        () -> selectedState.get() == null || selectedState.get().isFinal(), selectedState));
    HBox buttons = new HBox(8, pause, resume, cancel, clear);
    buttons.setPadding(new Insets(4));
    VBox box = new VBox(buttons, table);
    VBox.setVgrow(table, Priority.ALWAYS);
    return box;
  }

  private Node logView() {
    ListView<LogModel.Entry> list = new ListView<>(ctx.service().log().entries());
    list.setId("log");
    list.getStyleClass().add("log-list");
    list.setPlaceholder(new Label("Nothing logged yet"));
    list.getItems().addListener((ListChangeListener<LogModel.Entry>) c -> list.scrollTo(list.getItems().size() - 1));
    list.setOnMouseClicked(e -> {
      LogModel.Entry entry = list.getSelectionModel().getSelectedItem();
      if (e.getClickCount() == 2 && entry != null && entry.detail() != null) {
        Alert a = new Alert(Alert.AlertType.INFORMATION);
        a.initOwner(root.getScene() == null ? null : root.getScene().getWindow());
        a.setTitle("Error details");
        a.setHeaderText(entry.text());
        TextArea trace = new TextArea(entry.detail());
        trace.setEditable(false);
        trace.setPrefSize(760, 360);
        a.getDialogPane().setContent(trace);
        a.show();
      }
    });
    Concepts.explain(list, "Double-click an error to see its details (stack trace).");
    return list;
  }

  /** Installs the main window's scene-wide stylesheet. */
  public static void style(Scene scene) {
    scene.getStylesheets().add(MainWindow.class.getResource("workbench.css").toExternalForm());
  }
}
