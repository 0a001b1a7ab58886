package org.calmworkbench.backend.experiment;

import com.google.gson.JsonObject;
import com.google.gson.JsonParser;
import java.io.PrintStream;

/**
 * What a worker process ({@code calm experiment worker}) tells the process that started it: one
 * JSON object per line on its stdout. Both sides are here so that the format has one definition.
 *
 * <pre>
 *   {"event":"progress","cell":"k4-l32-energy-discrete-s1","stage":"language model","stage_fraction":0.4,"cell_fraction":0.56}
 *   {"event":"warning","text":"..."}
 *   {"event":"finished","cell":"k4-l32-energy-discrete-s1"}   (its row is in cells/ID/result.json)
 * </pre>
 */
public final class WorkerEvents {
  private WorkerEvents() {}

  /** A parsed line. {@code cell} and {@code stage} may be null; fractions are NaN when absent. */
  public record Event(String kind, String cell, String stage, double stageFraction, double cellFraction, String text) {}

  /** The worker's side: a listener that prints each event as one line on {@code out}. */
  public static ExperimentRunner.Listener printer(PrintStream out) {
    return new ExperimentRunner.Listener() {
      @Override
      public void onProgress(ExperimentRunner.Progress p) {
        JsonObject o = new JsonObject();
        o.addProperty("event", "progress");
        o.addProperty("cell", p.cellId());
        o.addProperty("stage", p.stage());
        o.addProperty("stage_fraction", p.stageFraction());
        o.addProperty("cell_fraction", p.cellFraction());
        print(o);
      }

      @Override
      public void onCellFinished(CellResult row, int finishedCells, int cellCount) {
        JsonObject o = new JsonObject();
        o.addProperty("event", "finished");
        o.addProperty("cell", row.cellId());
        print(o);
      }

      @Override
      public void onWarning(String warning) {
        JsonObject o = new JsonObject();
        o.addProperty("event", "warning");
        o.addProperty("text", warning);
        print(o);
      }

      private void print(JsonObject o) {
        synchronized (out) {
          out.println(o);
          out.flush();
        }
      }
    };
  }

  /** The parent's side: the event on {@code line}, or null for a line that is not one (ignored). */
  public static Event parse(String line) {
    if (line == null || !line.startsWith("{")) {
      return null;
    }
    try {
      JsonObject o = JsonParser.parseString(line).getAsJsonObject();
      if (!o.has("event")) {
        return null;
      }
      return new Event(o.get("event").getAsString(), text(o, "cell"), text(o, "stage"), number(o, "stage_fraction"),
          number(o, "cell_fraction"), text(o, "text"));
    } catch (RuntimeException e) {
      return null;
    }
  }

  private static String text(JsonObject o, String key) {
    return o.has(key) && o.get(key).isJsonPrimitive() ? o.get(key).getAsString() : null;
  }

  private static double number(JsonObject o, String key) {
    try {
      return o.has(key) ? o.get(key).getAsDouble() : Double.NaN;
    } catch (RuntimeException e) {
      return Double.NaN;
    }
  }
}
