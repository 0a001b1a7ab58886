package org.calmworkbench.csv;

import java.util.Collection;
import java.util.List;

/**
 * The one CSV writer of the workbench: experiment results (results.csv, summary.csv), table and
 * chart exports. RFC 4180: fields joined by commas, a line ends with {@code \n}; a field holding a
 * comma, a quote, {@code \r} or {@code \n} is quoted, its quotes doubled. One number format for
 * every file: an integer-valued number without a fraction ({@code 150}), any other with every
 * digit Java needs to read it back exactly ({@code 0.25}, {@code 1.0E-9}); NaN, infinities and
 * null are empty fields (not measured).
 */
public final class Csv {
  private Csv() {}

  /** A header line, then one line per row. */
  public static String table(Collection<?> header, List<? extends Collection<?>> rows) {
    StringBuilder sb = new StringBuilder(line(header));
    for (Collection<?> row : rows) {
      sb.append(line(row));
    }
    return sb.toString();
  }

  /** One line: each value as {@link #field}, comma-separated, ending in {@code \n}. */
  public static String line(Collection<?> values) {
    StringBuilder sb = new StringBuilder();
    boolean first = true;
    for (Object v : values) {
      if (!first) {
        sb.append(',');
      }
      sb.append(field(v));
      first = false;
    }
    return sb.append('\n').toString();
  }

  /** One field: a number as {@link #number}, anything else as its text, quoted when needed; null is empty. */
  public static String field(Object v) {
    if (v == null) {
      return "";
    }
    if (v instanceof Float f) {
      return number(Double.parseDouble(f.toString())); // 0.1f is 0.1, not 0.10000000149011612
    }
    if (v instanceof Double d) {
      return number(d);
    }
    String s = v.toString();
    return needsQuotes(s) ? "\"" + s.replace("\"", "\"\"") + "\"" : s;
  }

  /** A number: integer-valued without ".0" (below 1e15), else {@link Double#toString}; empty when not finite. */
  public static String number(double v) {
    if (!Double.isFinite(v)) {
      return "";
    }
    return v == Math.rint(v) && Math.abs(v) < 1e15 ? Long.toString((long) v) : Double.toString(v);
  }

  private static boolean needsQuotes(String s) {
    for (int i = 0; i < s.length(); i++) {
      char c = s.charAt(i);
      if (c == ',' || c == '"' || c == '\n' || c == '\r') {
        return true;
      }
    }
    return false;
  }
}
