package org.calmworkbench.app.gui.service;

import java.util.Locale;

/** Durations for people: "42 s", "3:05", "1 h 12 min"; an em dash while unknown. */
public final class Durations {
  private Durations() {}

  public static String format(double seconds) {
    if (!Double.isFinite(seconds) || seconds < 0) {
      return "—";
    }
    long s = Math.round(seconds);
    if (s < 60) {
      return s + " s";
    }
    if (s < 3600) {
      return String.format(Locale.ROOT, "%d:%02d", s / 60, s % 60);
    }
    return String.format(Locale.ROOT, "%d h %02d min", s / 3600, (s % 3600) / 60);
  }
}
