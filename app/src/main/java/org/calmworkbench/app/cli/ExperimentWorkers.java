package org.calmworkbench.app.cli;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.device.EngineThreads;
import org.calmworkbench.backend.experiment.ExperimentRunner;

/**
 * Starts {@code calm experiment worker} processes for parallel experiment cells: this JVM's own
 * {@code java} with its class path and its {@code ai.djl.*}, {@code calm.*} and {@code PYTORCH_*}
 * properties (so a worker finds the same PyTorch and stays offline), or, in an installed app whose
 * runtime has no {@code java} command, the app's own launcher. Each worker gets {@code threads}
 * intra-op threads (the property and {@code OMP_NUM_THREADS}), so that the workers together use
 * the cores once.
 */
public final class ExperimentWorkers implements ExperimentRunner.WorkerLauncher {
  public static final ExperimentWorkers INSTANCE = new ExperimentWorkers();

  private ExperimentWorkers() {}

  @Override
  public ProcessBuilder worker(Path experimentFile, Path out, List<String> cellIds, int threads) {
    List<String> cmd = new ArrayList<>();
    Path java = Path.of(System.getProperty("java.home"), "bin",
        System.getProperty("os.name", "").toLowerCase(Locale.ROOT).startsWith("windows") ? "java.exe" : "java");
    if (Files.isExecutable(java)) {
      cmd.add(java.toString());
      System.getProperties().stringPropertyNames().stream().sorted()
          .filter(k -> k.startsWith("ai.djl.") || k.startsWith("calm.") || k.startsWith("PYTORCH_"))
          .filter(k -> !k.equals(EngineThreads.PROPERTY))
          .forEach(k -> cmd.add("-D" + k + "=" + System.getProperty(k)));
      cmd.add("-D" + EngineThreads.PROPERTY + "=" + threads);
      cmd.add("-cp");
      cmd.add(System.getProperty("java.class.path"));
      cmd.add(CalmCli.class.getName());
    } else {
      // An installed app's trimmed runtime: its launcher carries the JVM options (installers/pom.xml).
      cmd.add(ProcessHandle.current().info().command().orElseThrow(() -> new CalmException(
          "cannot start experiment workers: no java command in " + java.getParent() + " and no launcher path;"
              + " run with --jobs 1")));
    }
    cmd.addAll(List.of("experiment", "worker", experimentFile.toAbsolutePath().toString(), "--out",
        out.toAbsolutePath().toString(), "--cells", String.join(",", cellIds)));
    ProcessBuilder pb = new ProcessBuilder(cmd);
    Map<String, String> env = pb.environment();
    env.put("OMP_NUM_THREADS", Integer.toString(threads));
    return pb;
  }
}
