package org.calmworkbench.app.gui.service;

import java.io.PrintWriter;
import java.io.StringWriter;
import java.time.LocalTime;
import java.time.format.DateTimeFormatter;
import java.util.List;
import javafx.collections.FXCollections;
import javafx.collections.ObservableList;

/**
 * The log pane's lines. Any thread may add; lines reach the list on the UI thread in batches.
 * The oldest lines are dropped beyond {@link #MAX_LINES}.
 */
public final class LogModel {
  public static final int MAX_LINES = 2000;
  private static final DateTimeFormatter TIME = DateTimeFormatter.ofPattern("HH:mm:ss");

  public enum Level { INFO, WARNING, ERROR }

  /** One line; {@code detail} holds a stack trace for unexpected errors (shown on demand). */
  public record Entry(LocalTime time, Level level, String text, String detail) {
    @Override
    public String toString() {
      return TIME.format(time) + "  " + (level == Level.INFO ? "" : level + ": ") + text;
    }
  }

  private final ObservableList<Entry> entries = FXCollections.observableArrayList();
  private final CoalescingDispatcher dispatcher;
  private final Object key = new Object();

  public LogModel(CoalescingDispatcher dispatcher) {
    this.dispatcher = dispatcher;
  }

  /** UI thread only. */
  public ObservableList<Entry> entries() {
    return entries;
  }

  public void info(String text) {
    add(new Entry(LocalTime.now(), Level.INFO, text, null));
  }

  public void warn(String text) {
    add(new Entry(LocalTime.now(), Level.WARNING, text, null));
  }

  public void error(String text, Throwable t) {
    add(new Entry(LocalTime.now(), Level.ERROR, text, t == null ? null : stackTrace(t)));
  }

  private void add(Entry e) {
    dispatcher.append(key, e, this::addAll);
  }

  private void addAll(List<Entry> batch) {
    entries.addAll(batch);
    int over = entries.size() - MAX_LINES;
    if (over > 0) {
      entries.remove(0, over);
    }
  }

  static String stackTrace(Throwable t) {
    StringWriter w = new StringWriter();
    t.printStackTrace(new PrintWriter(w));
    return w.toString();
  }
}
