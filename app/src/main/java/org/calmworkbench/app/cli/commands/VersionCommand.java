package org.calmworkbench.app.cli.commands;

import java.io.IOException;
import java.io.InputStream;
import java.util.Locale;
import java.util.Properties;
import org.calmworkbench.app.cli.Args;
import org.calmworkbench.app.cli.CalmCli;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;

/**
 * {@code calm version}: this build and the runtime under it (Java, OS, cores, heap, DJL and
 * PyTorch versions). Reads the libraries' bundled properties files, so it does not load the
 * native engine and works offline in a fraction of a second.
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
  public int run(Args args, CliContext ctx) {
    Runtime rt = Runtime.getRuntime();
    String version = CalmCli.version();
    String java = System.getProperty("java.version");
    String vendor = System.getProperty("java.vendor");
    String os = System.getProperty("os.name") + " " + System.getProperty("os.version");
    String arch = System.getProperty("os.arch");
    String djl = property("ai/djl/engine/api.properties", "djl_version");
    String pytorch = property("pytorch-engine.properties", "pytorch_version");
    String flavor = property("native/lib/pytorch.properties", "flavor");

    ctx.out().println("CALM Workbench " + version);
    ctx.out().printf(Locale.ROOT, "Java %s (%s), %s %s, %d cores, max heap %.1f GB%n", java, vendor, os, arch,
        rt.availableProcessors(), rt.maxMemory() / 1e9);
    ctx.out().println("DJL " + djl + ", PyTorch " + pytorch + " (" + flavor + " native library bundled)");

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
    return 0;
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
