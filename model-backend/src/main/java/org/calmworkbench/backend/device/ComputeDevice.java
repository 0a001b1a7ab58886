package org.calmworkbench.backend.device;

import ai.djl.Device;
import ai.djl.engine.Engine;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.io.PrintStream;
import java.util.Locale;
import java.util.function.Supplier;
import org.calmworkbench.backend.CalmException;

/**
 * The device every model, trainer and benchmark of this process computes on: the CPU or GPU 0.
 *
 * <p>The person chooses {@code auto} (the default: GPU 0 when the PyTorch engine sees one), {@code cpu}
 * or {@code gpu} (CLI {@code --device}, or {@code -Dcalm.device=...}). The choice is resolved once,
 * on first use, and never fails: a GPU that is wanted but not seen, or that fails a small
 * multiplication, gives the CPU and a notice on stderr saying why. Every {@code NDManager} the backend
 * creates takes {@link #device()}, so the same code runs on either device.
 */
public final class ComputeDevice {
  private ComputeDevice() {}

  /** The system property that sets the default preference (tests: {@code mvn -Dcalm.device=gpu test}). */
  public static final String PROPERTY = "calm.device";

  /** What the person asked for. */
  public enum Preference {
    AUTO, CPU, GPU;

    /** {@code auto}, {@code cpu} or {@code gpu}, any case; anything else is an error naming the three. */
    public static Preference parse(String s) {
      String v = s == null ? "" : s.strip().toLowerCase(Locale.ROOT);
      return switch (v) {
        case "auto" -> AUTO;
        case "cpu" -> CPU;
        case "gpu" -> GPU;
        default -> throw new CalmException("device must be auto, cpu or gpu, got '" + s + "'");
      };
    }

    public String label() {
      return name().toLowerCase(Locale.ROOT);
    }
  }

  /**
   * The device chosen, why, and a notice for the person when it is not what they asked for (null
   * when it is).
   */
  public record Selection(Device device, Preference preference, String reason, String notice) {
    /** {@code cpu} or {@code gpu0}: what run metadata and benchmark output record. */
    public String name() {
      return device.isGpu() ? "gpu" + device.getDeviceId() : "cpu";
    }
  }

  /**
   * The choice itself, without the engine: {@code visibleGpus} is how many GPUs the engine sees (0 for
   * a CPU-only native library), {@code tryGpu} runs a small computation on GPU 0 and returns null when
   * it worked or the error text when it did not. It is only called when a GPU would be used.
   */
  public static Selection select(Preference preference, int visibleGpus, Supplier<String> tryGpu) {
    if (preference == Preference.CPU) {
      return new Selection(Device.cpu(), preference, "--device cpu", null);
    }
    if (visibleGpus <= 0) {
      String reason = "PyTorch sees no GPU: a CPU build of the native library, no CUDA driver, or no GPU";
      String notice = preference == Preference.GPU ? "--device gpu: " + reason + "; using the CPU" : null;
      return new Selection(Device.cpu(), preference, reason, notice);
    }
    String failure = tryGpu.get();
    if (failure != null) {
      String reason = "GPU 0 failed a test multiplication: " + failure;
      return new Selection(Device.cpu(), preference, reason, "--device " + preference.label() + ": " + reason + "; using the CPU");
    }
    return new Selection(Device.gpu(0), preference,
        (preference == Preference.AUTO ? "auto: " : "") + visibleGpus + " GPU(s) seen by PyTorch, using GPU 0", null);
  }

  private static volatile Preference requested; // null: defaultPreference()
  private static volatile Selection selection; // the last resolution, for the preference it was made for
  private static PrintStream notices = System.err;

  /** The preference {@code -Dcalm.device} gives (auto when unset). */
  public static Preference defaultPreference() {
    String p = System.getProperty(PROPERTY);
    return p == null || p.isBlank() ? Preference.AUTO : Preference.parse(p);
  }

  /**
   * Sets the preference for what follows in this process; a changed one is resolved on next use.
   * Never blocks (the GUI calls it on the FX thread while a job may be resolving).
   */
  public static void prefer(Preference p) {
    requested = p;
  }

  /** The preference in force: the last {@link #prefer}, else {@link #defaultPreference()}. */
  public static Preference preference() {
    Preference p = requested;
    return p != null ? p : defaultPreference();
  }

  /** Where notices go (stderr by default). */
  public static synchronized void noticesTo(PrintStream out) {
    notices = out;
  }

  /**
   * The selection for the preference in force, resolved on first use (this loads the PyTorch engine)
   * and again after the preference changed; a notice is printed once per resolution.
   */
  public static synchronized Selection current() {
    Preference p = preference();
    Selection s = selection;
    if (s == null || s.preference() != p) {
      Engine engine = Engine.getEngine("PyTorch");
      s = select(p, engine.getGpuCount(), ComputeDevice::tryGpu);
      selection = s;
      if (s.notice() != null) {
        notices.println("note: " + s.notice());
        notices.flush();
      }
    }
    return s;
  }

  /**
   * The selection already made for the preference in force, or null when it has not been resolved
   * yet: for displays that must not load the engine or wait for it.
   */
  public static Selection resolved() {
    Selection s = selection;
    return s != null && s.preference() == preference() ? s : null;
  }

  /** The device to create every {@code NDManager} on. */
  public static Device device() {
    return current().device();
  }

  /** A 64 x 64 all-ones product on GPU 0 must give 64 everywhere; null when it does, else what went wrong. */
  static String tryGpu() {
    try (NDManager m = NDManager.newBaseManager(Device.gpu(0), "PyTorch")) {
      NDArray a = m.ones(new Shape(64, 64));
      float[] y = a.matMul(a).toFloatArray();
      for (float v : y) {
        if (v != 64f) {
          return "wrong result " + v + " (expected 64)";
        }
      }
      return null;
    } catch (RuntimeException | LinkageError e) {
      return e.getClass().getSimpleName() + (e.getMessage() == null ? "" : ": " + e.getMessage().lines().findFirst().orElse(""));
    }
  }
}
