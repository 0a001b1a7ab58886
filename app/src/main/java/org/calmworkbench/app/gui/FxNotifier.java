package org.calmworkbench.app.gui;

import javafx.geometry.Pos;
import javafx.stage.Window;
import javafx.util.Duration;
import org.calmworkbench.app.gui.service.Notifier;
import org.controlsfx.control.Notifications;

/** ControlsFX notification popups in the main window's bottom-right corner. */
public final class FxNotifier implements Notifier {
  private static final int MAX_CHARS = 320;
  private Window owner;

  public void setOwner(Window owner) {
    this.owner = owner;
  }

  @Override
  public void show(Kind kind, String title, String text) {
    if (owner == null || !owner.isShowing()) {
      return; // nothing to attach to (starting or closing); the log pane still has the message
    }
    String shown = text.length() > MAX_CHARS ? text.substring(0, MAX_CHARS) + "… (full text in the log)" : text;
    Notifications n = Notifications.create()
        .owner(owner)
        .title(title)
        .text(shown)
        .position(Pos.BOTTOM_RIGHT)
        .hideAfter(Duration.seconds(kind == Kind.ERROR ? 15 : 6));
    switch (kind) {
      case ERROR -> n.showError();
      case WARNING -> n.showWarning();
      default -> n.showInformation();
    }
  }
}
