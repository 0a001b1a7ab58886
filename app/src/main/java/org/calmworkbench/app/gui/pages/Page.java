package org.calmworkbench.app.gui.pages;

import java.util.Map;
import javafx.scene.Node;
import javafx.scene.input.KeyCombination;

/**
 * One page of the main window (Project, Autoencoder training, ...). A page is a thin view over its
 * view model; it is built the first time it is shown.
 */
public interface Page {
  /** The page's content. Called once, on the FX thread. */
  Node view();

  /** Called each time the page becomes visible (e.g. to refresh a folder listing). */
  default void onShow() {}

  /** Called when another page takes its place (e.g. to stop following changes nobody sees). */
  default void onHide() {}

  /** Keyboard shortcuts active while the page is visible (Ctrl+Enter: train...). */
  default Map<KeyCombination, Runnable> shortcuts() {
    return Map.of();
  }
}
