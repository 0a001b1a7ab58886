package org.calmworkbench.backend.train;

import com.google.gson.JsonElement;
import com.google.gson.JsonObject;
import com.google.gson.JsonParseException;
import com.google.gson.JsonParser;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.OptionalLong;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.io.JsonFiles;

/**
 * A run's {@code metrics.jsonl}: one JSON object per training step, written by {@link
 * TrainingLoop} ({@link #line}) and read by every page and command that shows a run ({@link
 * #read}). Each line holds {@code step}, the cumulative {@code train_flops} (when the model counts
 * them), {@code loss}, the step's terms, {@code lr}, {@code grad_norm}, {@code elapsed_seconds},
 * and at evaluations the held-out metrics such as {@code brier_lm}.
 */
public final class MetricsLog {
  private MetricsLog() {}

  /** Training FLOPs up to and including the line's step ({@link TrainingLoop.Task#trainingFlopsPerToken}). */
  public static final String TRAIN_FLOPS = "train_flops";

  /** One line: the step and every numeric field. */
  public record Row(long step, Map<String, Double> values) {
    /** The field's value, NaN when the line has none. */
    public double get(String key) {
      Double v = values.get(key);
      return v == null ? Double.NaN : v;
    }
  }

  /** The line of one progress report. */
  static String line(TrainingLoop.Progress p) {
    JsonObject o = new JsonObject();
    o.addProperty("step", p.step());
    if (Double.isFinite(p.trainFlops())) {
      o.addProperty(TRAIN_FLOPS, p.trainFlops());
    }
    o.addProperty("loss", p.loss());
    p.terms().forEach(o::addProperty);
    o.addProperty("lr", p.lr());
    o.addProperty("grad_norm", p.gradNorm());
    o.addProperty("elapsed_seconds", p.elapsedSeconds());
    p.eval().forEach(o::addProperty);
    return o.toString();
  }

  /**
   * Appends {@code lines} (from {@link #line}) at the end of the file open in {@code log}. The
   * caller keeps the channel, so it can cut an append whose save failed back off ({@link #cutBack})
   * even when the folder was moved or deleted meanwhile.
   */
  static void append(FileChannel log, List<String> lines) throws IOException {
    if (lines.isEmpty()) {
      return;
    }
    ByteBuffer bytes = ByteBuffer.wrap((String.join("\n", lines) + "\n").getBytes(StandardCharsets.UTF_8));
    long at = log.size();
    while (bytes.hasRemaining()) {
      at += log.write(bytes, at);
    }
  }

  /**
   * Cuts the file open in {@code log} back to {@code length} bytes: undoes an {@link #append}
   * whose save failed, torn last line included. Truncating needs no free space, so it works on a
   * full disk; a failure to do it is added to {@code cause}.
   */
  static void cutBack(FileChannel log, long length, Throwable cause) {
    try {
      if (log.size() > length) {
        log.truncate(length);
      }
    } catch (IOException | RuntimeException e) {
      cause.addSuppressed(e);
    }
  }

  /**
   * The rows of a metrics.jsonl file (none if it does not exist). Blank lines are skipped; an
   * unterminated last line that does not parse is a row still being written and is skipped too.
   *
   * @throws CalmException "FILE, line N: ..." for a line that is not a JSON object with a numeric step
   */
  public static List<Row> read(Path file) {
    if (!Files.isRegularFile(file)) {
      return List.of();
    }
    String text;
    try {
      text = Files.readString(file, StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new CalmException("cannot read " + file + ": " + e.getMessage(), e);
    }
    String[] lines = text.split("\n", -1);
    List<Row> rows = new ArrayList<>(lines.length);
    for (int i = 0; i < lines.length; i++) {
      String line = lines[i].strip();
      if (line.isEmpty()) {
        continue;
      }
      boolean unterminated = i == lines.length - 1;
      try {
        rows.add(parseRow(line, file, i + 1));
      } catch (CalmException e) {
        if (!unterminated) {
          throw e;
        }
      }
    }
    return Collections.unmodifiableList(rows);
  }

  private static Row parseRow(String line, Path file, int lineNo) {
    JsonElement e;
    try {
      e = JsonParser.parseString(line);
    } catch (JsonParseException ex) {
      throw new CalmException(file + ", line " + lineNo + ": not valid JSON (" + rootMessage(ex) + ")", ex);
    }
    if (!e.isJsonObject()) {
      throw new CalmException(file + ", line " + lineNo + ": expected a JSON object, got " + abbreviate(line));
    }
    JsonObject o = e.getAsJsonObject();
    // an integer: Gson's getAsLong threw a NumberFormatException on "step": 824E93555 (found by Jazzer)
    OptionalLong step = JsonFiles.integer(o.get("step"));
    if (step.isEmpty()) {
      throw new CalmException(file + ", line " + lineNo + ": no integer \"step\" in " + abbreviate(line));
    }
    Map<String, Double> values = new LinkedHashMap<>();
    for (Map.Entry<String, JsonElement> f : o.entrySet()) {
      JsonElement v = f.getValue();
      if (!f.getKey().equals("step") && v.isJsonPrimitive() && v.getAsJsonPrimitive().isNumber()) {
        values.put(f.getKey(), v.getAsDouble());
      }
    }
    return new Row(step.getAsLong(), Collections.unmodifiableMap(values));
  }

  private static String rootMessage(Throwable t) {
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    return t.getMessage();
  }

  private static String abbreviate(String s) {
    return s.length() <= 60 ? s : s.substring(0, 57) + "...";
  }

  /** Drops rows after {@code step}, written by a run that was killed before its next save. */
  static void truncate(Path file, long step) throws IOException {
    if (!Files.exists(file)) {
      return;
    }
    List<String> keep = new ArrayList<>();
    for (String line : Files.readAllLines(file)) {
      try {
        if (JsonParser.parseString(line).getAsJsonObject().get("step").getAsLong() <= step) {
          keep.add(line);
        }
      } catch (RuntimeException e) {
        // a torn last line from a kill: drop it
      }
    }
    org.calmworkbench.backend.io.AtomicFiles.writeString(file, keep.isEmpty() ? "" : String.join("\n", keep) + "\n");
  }
}
