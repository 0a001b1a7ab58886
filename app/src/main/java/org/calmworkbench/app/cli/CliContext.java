package org.calmworkbench.app.cli;

import com.google.gson.Gson;
import com.google.gson.GsonBuilder;
import com.google.gson.JsonElement;
import com.google.gson.JsonNull;
import com.google.gson.JsonObject;
import com.google.gson.TypeAdapter;
import com.google.gson.stream.JsonReader;
import com.google.gson.stream.JsonWriter;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintStream;
import java.nio.file.Path;
import java.util.function.LongSupplier;
import org.calmworkbench.backend.Cancellation;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.device.EngineThreads;

/**
 * What a running command talks to: where text goes, the JSON result, progress and cancellation.
 *
 * <p>Output rules: human text goes to {@link #out()}; with {@code --json} that stream discards, and
 * the framework prints {@link #result()} as one compact JSON line on stdout when the command
 * returns. Logs, warnings and progress go to {@link #err()} in both modes, so stdout holds only the
 * result.
 */
public final class CliContext {
  /** Serialises results: paths as strings, NaN and infinities as null (JSON has neither). */
  static final Gson GSON =
      new GsonBuilder()
          .disableHtmlEscaping()
          .serializeNulls()
          .registerTypeHierarchyAdapter(Path.class, new ToStringAdapter<Path>())
          .registerTypeAdapter(Double.class, new FiniteDoubleAdapter())
          .registerTypeAdapter(double.class, new FiniteDoubleAdapter())
          .registerTypeAdapter(Float.class, new FiniteDoubleAdapter())
          .registerTypeAdapter(float.class, new FiniteDoubleAdapter())
          .create();

  private static final PrintStream DISCARD = new PrintStream(OutputStream.nullOutputStream());

  private final PrintStream out;
  private final PrintStream err;
  private final boolean json;
  private final boolean verbose;
  private final boolean terminal;
  private final LongSupplier nanoTime;
  private final Cancellation cancellation;
  private final Runnable onCancellationPolled;
  private final CommandTree tree;
  private final JsonObject result = new JsonObject();

  CliContext(PrintStream out, PrintStream err, boolean json, boolean verbose, boolean terminal,
      LongSupplier nanoTime, Cancellation cancellation, Runnable onCancellationPolled, CommandTree tree) {
    this.out = out;
    this.err = err;
    this.json = json;
    this.verbose = verbose;
    this.terminal = terminal;
    this.nanoTime = nanoTime;
    this.cancellation = cancellation;
    this.onCancellationPolled = onCancellationPolled;
    this.tree = tree;
  }

  /** Human-readable output; discards with {@code --json}. */
  public PrintStream out() {
    return json ? DISCARD : out;
  }

  /** Logs, warnings and progress; never part of the result. */
  public PrintStream err() {
    return err;
  }

  public boolean json() {
    return json;
  }

  public boolean verbose() {
    return verbose;
  }

  /** One line to stderr. */
  public void log(String message) {
    err.println(message);
  }

  /** One line to stderr, only with {@code --verbose}. */
  public void debug(String message) {
    if (verbose) {
      err.println(message);
    }
  }

  /** Sets {@code key} in the JSON result; values are serialised with Gson (records, lists, maps, paths). */
  public void put(String key, Object value) {
    JsonElement e = value instanceof JsonElement j ? j : value == null ? JsonNull.INSTANCE : GSON.toJsonTree(value);
    result.add(key, e);
  }

  /**
   * Prints the device models compute on ({@code device: cpu (why)}) and the engine's threads, and puts
   * them in the JSON result as {@code "device"}, {@code "intra_op_threads"} and {@code
   * "inter_op_threads"}: every benchmark reports where its figures were measured. Loads the engine.
   */
  public void reportDevice() {
    ComputeDevice.Selection d = ComputeDevice.current();
    out().println("device: " + d.name() + " (" + d.reason() + ")");
    put("device", d.name());
    EngineThreads t = EngineThreads.current();
    out().println("threads: " + t.describe());
    put("intra_op_threads", t.intraOp());
    put("inter_op_threads", t.interOp());
  }

  /** The JSON result so far (live; the command may also add to it directly). */
  public JsonObject result() {
    return result;
  }

  /** A progress line on stderr, redrawn in place on a terminal, plain lines every 10 s elsewhere. */
  public ProgressLine progress(String label, long total) {
    return new ProgressLine(err, terminal, nanoTime, label, total);
  }

  /**
   * The stop flag raised by Ctrl-C or SIGTERM. Calling this tells the CLI that the command polls
   * the flag: a stop then waits for the command to return (e.g. after saving a checkpoint) instead
   * of ending the JVM at once.
   */
  public Cancellation cancellation() {
    onCancellationPolled.run();
    return cancellation;
  }

  public CommandTree tree() {
    return tree;
  }

  private static final class ToStringAdapter<T> extends TypeAdapter<T> {
    @Override
    public void write(JsonWriter w, T value) throws IOException {
      if (value == null) {
        w.nullValue();
      } else {
        w.value(value.toString());
      }
    }

    @Override
    public T read(JsonReader r) {
      throw new UnsupportedOperationException("results are only written");
    }
  }

  private static final class FiniteDoubleAdapter extends TypeAdapter<Number> {
    @Override
    public void write(JsonWriter w, Number value) throws IOException {
      if (value == null || !Double.isFinite(value.doubleValue())) {
        w.nullValue();
      } else {
        w.value(value);
      }
    }

    @Override
    public Number read(JsonReader r) {
      throw new UnsupportedOperationException("results are only written");
    }
  }
}
