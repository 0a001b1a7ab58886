package org.calmworkbench.app.gui.project;

import java.io.File;
import java.nio.file.Path;
import java.util.List;
import javafx.collections.ListChangeListener;
import javafx.geometry.Insets;
import javafx.scene.Node;
import javafx.scene.control.Button;
import javafx.scene.control.Label;
import javafx.scene.control.ListView;
import javafx.scene.control.ScrollPane;
import javafx.scene.control.TextInputDialog;
import javafx.scene.input.KeyCode;
import javafx.scene.input.MouseButton;
import javafx.scene.layout.GridPane;
import javafx.scene.layout.HBox;
import javafx.scene.layout.VBox;
import javafx.stage.DirectoryChooser;
import javafx.stage.FileChooser;
import javafx.stage.Window;
import org.calmworkbench.app.gui.WorkbenchContext;
import org.calmworkbench.app.gui.common.Concepts;
import org.calmworkbench.app.gui.pages.Page;

/** The Project page: a thin view over {@link ProjectViewModel}. */
public final class ProjectPage implements Page {
  private final ProjectViewModel vm;
  private Node view;

  public ProjectPage(WorkbenchContext ctx) {
    this.vm = new ProjectViewModel(ctx);
  }

  public ProjectViewModel viewModel() {
    return vm;
  }

  @Override
  public Node view() {
    if (view == null) {
      view = build();
    }
    return view;
  }

  private Node build() {
    Label title = new Label();
    title.textProperty().bind(vm.nameProperty());
    title.getStyleClass().add("page-title");
    Label folder = new Label();
    folder.textProperty().bind(vm.folderProperty());
    folder.getStyleClass().add("page-subtitle");
    Label description = new Label();
    description.textProperty().bind(vm.descriptionProperty());
    description.setWrapText(true);

    Button open = new Button("Open project…");
    open.setId("open-project");
    open.setTooltip(Concepts.tooltip("Open a folder that holds a project.json (for example sample-projects/grammar-english)."));
    open.setOnAction(e -> {
      DirectoryChooser dc = new DirectoryChooser();
      dc.setTitle("Open a project folder (with project.json)");
      File f = dc.showDialog(window(open));
      if (f != null) {
        vm.open(f.toPath());
      }
    });
    Button create = new Button("New project…");
    create.setTooltip(Concepts.tooltip("Make a new project: pick a folder, then the corpus files (text or JSONL); a project.json is written."));
    create.setOnAction(e -> createProject(window(create)));
    Button stats = new Button("Recount statistics");
    stats.setTooltip(Concepts.tooltip("Tokenize the corpus again and count tokens, distinct tokens and the unigram entropy."));
    stats.setOnAction(e -> vm.computeStats());
    HBox buttons = new HBox(8, open, create, stats);

    ListView<Path> recent = new ListView<>(vm.recentProjects());
    recent.setId("recent-projects");
    recent.setPrefHeight(110);
    recent.setPlaceholder(new Label("No recent projects"));
    recent.setOnMouseClicked(e -> {
      if (e.getButton() == MouseButton.PRIMARY && e.getClickCount() == 2 && recent.getSelectionModel().getSelectedItem() != null) {
        vm.open(recent.getSelectionModel().getSelectedItem());
      }
    });
    recent.setOnKeyPressed(e -> {
      if (e.getCode() == KeyCode.ENTER && recent.getSelectionModel().getSelectedItem() != null) {
        vm.open(recent.getSelectionModel().getSelectedItem());
      }
    });
    recent.setTooltip(Concepts.tooltip("Double-click (or Enter) to open a recent project."));

    ListView<ProjectViewModel.CorpusEntry> corpora = new ListView<>(vm.corpora());
    corpora.setId("corpora");
    corpora.setPrefHeight(64);
    corpora.setPlaceholder(new Label("No corpus"));

    GridPane table = new GridPane();
    table.setId("corpus-stats");
    table.getStyleClass().add("stats-table");
    table.setHgap(18);
    table.setVgap(5);
    vm.stats().addListener((ListChangeListener<ProjectViewModel.StatRow>) c -> fill(table, vm.stats()));
    fill(table, vm.stats());
    Label statsStatus = new Label();
    statsStatus.textProperty().bind(vm.statsStatusProperty());
    statsStatus.setWrapText(true);

    VBox box = new VBox(8, title, folder, description, buttons,
        section("Corpus"), corpora,
        section("Corpus statistics"), table, statsStatus,
        section("Recent projects"), recent);
    box.setPadding(new Insets(16));
    box.setFillWidth(true);
    ScrollPane scroll = new ScrollPane(box);
    scroll.setFitToWidth(true);
    return scroll;
  }

  private static void fill(GridPane table, List<ProjectViewModel.StatRow> rows) {
    table.getChildren().clear();
    if (rows.isEmpty()) {
      table.add(new Label("Statistics appear here once counted (a job in the queue below)."), 0, 0);
      return;
    }
    for (int i = 0; i < rows.size(); i++) {
      ProjectViewModel.StatRow r = rows.get(i);
      Label name = Concepts.explain(new Label(r.label()), r.explanation());
      Label value = Concepts.explain(new Label(r.value()), r.explanation());
      value.getStyleClass().add("value");
      table.add(name, 0, i);
      table.add(value, 1, i);
    }
  }

  private void createProject(Window owner) {
    DirectoryChooser dc = new DirectoryChooser();
    dc.setTitle("Folder for the new project");
    File dir = dc.showDialog(owner);
    if (dir == null) {
      return;
    }
    FileChooser fc = new FileChooser();
    fc.setTitle("Corpus files (text or JSONL)");
    fc.setInitialDirectory(dir);
    List<File> files = fc.showOpenMultipleDialog(owner);
    if (files == null || files.isEmpty()) {
      return;
    }
    TextInputDialog name = new TextInputDialog(dir.getName());
    name.setTitle("New project");
    name.setHeaderText("Name of the project");
    name.initOwner(owner);
    name.showAndWait().ifPresent(n -> vm.create(dir.toPath(), n, files.stream().map(File::toPath).toList()));
  }

  private static Label section(String text) {
    Label l = new Label(text);
    l.getStyleClass().add("section-title");
    return l;
  }

  private static Window window(Node n) {
    return n.getScene() == null ? null : n.getScene().getWindow();
  }
}
