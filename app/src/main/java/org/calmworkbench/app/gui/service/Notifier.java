package org.calmworkbench.app.gui.service;

/** Pops up a short message for a person (ControlsFX Notifications in the app; a list in tests). UI thread. */
public interface Notifier {
  enum Kind { INFO, WARNING, ERROR }

  void show(Kind kind, String title, String text);

  Notifier NONE = (kind, title, text) -> {};
}
