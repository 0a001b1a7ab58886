package org.calmworkbench.visualizers;

import javafx.scene.control.Label;
import javafx.scene.control.Tooltip;
import javafx.util.Duration;

/** The "What is this?" link of a chart's toolbar: hidden until a chart is given its explanation. */
final class ChartHelp {
  private ChartHelp() {}

  /** A hidden, bold blue "What is this?" label. */
  static Label label() {
    Label help = new Label("What is this?");
    help.setVisible(false);
    help.setManaged(false);
    help.setStyle("-fx-font-weight: bold; -fx-text-fill: #1f5fbf; -fx-padding: 0 4 0 4;");
    return help;
  }

  /** Shows {@code help} with {@code text} as its wrapping tooltip (quick to appear, slow to go). */
  static void show(Label help, String text) {
    Tooltip t = new Tooltip(text);
    t.setWrapText(true);
    t.setMaxWidth(420);
    t.setShowDelay(Duration.millis(200));
    t.setShowDuration(Duration.seconds(30));
    help.setTooltip(t);
    help.setVisible(true);
    help.setManaged(true);
  }
}
