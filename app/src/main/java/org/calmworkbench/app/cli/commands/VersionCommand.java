package org.calmworkbench.app.cli.commands;

import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Properties;
import org.calmworkbench.app.cli.CalmCli;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.backend.device.ComputeDevice;
import org.calmworkbench.backend.device.EngineThreads;

/**
 * {@code calm version}: this build and the runtime under it (Java, OS, cores, heap, DJL and
 * PyTorch versions, and the device models compute on). Versions come from the libraries' bundled
 * properties files; the device line loads the engine (offline, about a second).
 */
public final class VersionCommand implements Command {
  @Override
  public String name() {
    return "version";
  }

  @Override
  public String summary() {
    return "show the version of CALM Workbench, Java, DJL and PyTorch";
  }

  @Override
  public int run(CliContext ctx) {
    Runtime rt = Runtime.getRuntime();
    String version = CalmCli.version();
    String java = System.getProperty("java.version");
    String vendor = System.getProperty("java.vendor");
    String os = System.getProperty("os.name") + " " + System.getProperty("os.version");
    String arch = System.getProperty("os.arch");
    String djl = property("ai/djl/engine/api.properties", "djl_version");
    String pytorch = property("pytorch-engine.properties", "pytorch_version");
    String flavor = nativeFlavor();

    ctx.out().println("CALM Workbench " + version);
    ctx.out().printf(Locale.ROOT, "Java %s (%s), %s %s, %d cores, max heap %.1f GB%n", java, vendor, os, arch,
        rt.availableProcessors(), rt.maxMemory() / 1e9);
    ctx.out().println("DJL " + djl + ", PyTorch " + pytorch + " (" + flavor + " native library bundled"
        + (nativeDir() == null ? "" : ", in " + nativeDir()) + ")");
    // Resolving the device loads the engine (about a second once the native library is in place).
    ComputeDevice.Selection device = ComputeDevice.current();
    ctx.out().println("Device: " + device.name() + " (" + device.reason() + ")");
    EngineThreads threads = EngineThreads.current();
    ctx.out().println("Threads: " + threads.describe());
    ctx.put("intra_op_threads", threads.intraOp());
    ctx.put("inter_op_threads", threads.interOp());
    ctx.put("threads_source", threads.source());

    ctx.put("version", version);
    ctx.put("java", java);
    ctx.put("java_vendor", vendor);
    ctx.put("os", os);
    ctx.put("arch", arch);
    ctx.put("cores", rt.availableProcessors());
    ctx.put("max_heap_bytes", rt.maxMemory());
    ctx.put("djl", djl);
    ctx.put("pytorch", pytorch);
    ctx.put("pytorch_flavor", flavor);
    ctx.put("pytorch_library_dir", nativeDir());
    ctx.put("device", device.name());
    ctx.put("device_preference", device.preference().label());
    ctx.put("device_reason", device.reason());
    return 0;
  }

  /**
   * The folder the installed app keeps PyTorch's native library in ({@code -DPYTORCH_LIBRARY_PATH}, set by
   * its launcher), or null when the library comes from the {@code pytorch-native-*} jar (a clone).
   */
  static String nativeDir() {
    String dir = System.getProperty("PYTORCH_LIBRARY_PATH");
    return dir == null || dir.isBlank() ? null : dir;
  }

  /** cpu or cu124: from the native jar's properties, or the copy the installer puts beside the library. */
  static String nativeFlavor() {
    String flavor = property("native/lib/pytorch.properties", "flavor");
    if (flavor.equals("unknown") && nativeDir() != null) {
      Path file = Path.of(nativeDir(), "pytorch.properties");
      try (InputStream in = Files.newInputStream(file)) {
        Properties p = new Properties();
        p.load(in);
        return p.getProperty("flavor", "unknown").strip();
      } catch (IOException e) {
        return "unknown";
      }
    }
    return flavor;
  }

  /** A key of a properties file on the classpath, or "unknown". */
  static String property(String resource, String key) {
    try (InputStream in = VersionCommand.class.getClassLoader().getResourceAsStream(resource)) {
      if (in == null) {
        return "unknown";
      }
      Properties p = new Properties();
      p.load(in);
      return p.getProperty(key, "unknown").strip();
    } catch (IOException e) {
      return "unknown";
    }
  }
}
