package org.calmworkbench.app.gui.pages;

import javafx.geometry.Insets;
import javafx.geometry.Pos;
import javafx.scene.Node;
import javafx.scene.control.Label;
import javafx.scene.layout.VBox;

/** A page that is planned but not built: says so, and points to the command line meanwhile. */
public final class PlaceholderPage implements Page {
  private final String title;
  private final String summary;

  public PlaceholderPage(String title, String summary) {
    this.title = title;
    this.summary = summary;
  }

  public static String message(String title) {
    return title + " is not built yet in the workbench.";
  }

  @Override
  public Node view() {
    Label head = new Label(message(title));
    head.getStyleClass().add("placeholder-title");
    Label what = new Label("Planned: " + summary);
    what.setWrapText(true);
    Label meanwhile = new Label("Meanwhile the command line has it: ./calm help lists the commands"
        + " (for example ./calm lm train and ./calm demo).");
    meanwhile.setWrapText(true);
    VBox box = new VBox(12, head, what, meanwhile);
    box.setAlignment(Pos.CENTER);
    box.setPadding(new Insets(40));
    box.setMaxWidth(640);
    box.getStyleClass().add("placeholder-page");
    VBox outer = new VBox(box);
    outer.setAlignment(Pos.CENTER);
    return outer;
  }
}
