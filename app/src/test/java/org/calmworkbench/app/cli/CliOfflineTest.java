package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.calmworkbench.backend.io.AtomicFiles;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Nothing leaves the machine (issue 13, goal 7): the demo in a child JVM with -Dai.djl.offline=true
 * and every proxy (Java's http, https and SOCKS settings, and the proxy variables native code reads)
 * pointed at a local port that counts connections and answers none. The demo must pass and the
 * port must see no connection.
 */
class CliOfflineTest {
  static final Path SAMPLE = Path.of("..", "sample-projects", "grammar-english").toAbsolutePath().normalize();

  @Test
  void theDemoPassesWithTheNetworkBlockedAndTriesNoConnection(@TempDir Path tmp) throws Exception {
    Path project = tmp.resolve("project");
    Files.createDirectories(project.resolve("corpus"));
    Files.copy(SAMPLE.resolve("project.json"), project.resolve("project.json"));
    Files.copy(SAMPLE.resolve("corpus/train.jsonl"), project.resolve("corpus/train.jsonl"));
    for (String run : List.of("sample-calm", "sample-ar")) {
      AtomicFiles.copyTree(SAMPLE.resolve("runs").resolve(run), project.resolve("runs").resolve(run), rel -> false);
    }
    AtomicInteger connections = new AtomicInteger();
    try (ServerSocket trap = new ServerSocket(0, 50, InetAddress.getLoopbackAddress())) {
      Thread counter = new Thread(() -> {
        while (!trap.isClosed()) {
          try (Socket s = trap.accept()) {
            connections.incrementAndGet(); // and closed at once: the "proxy" answers nothing
          } catch (IOException e) {
            return;
          }
        }
      }, "proxy-trap");
      counter.setDaemon(true);
      counter.start();
      String port = Integer.toString(trap.getLocalPort());
      String cp = System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      List<String> cmd = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Dai.djl.offline=true",
          "-Dhttp.proxyHost=127.0.0.1", "-Dhttp.proxyPort=" + port,
          "-Dhttps.proxyHost=127.0.0.1", "-Dhttps.proxyPort=" + port,
          "-DsocksProxyHost=127.0.0.1", "-DsocksProxyPort=" + port,
          "-Dhttp.nonProxyHosts=", // no exception for localhost either
          "-cp", cp, CalmCli.class.getName(),
          "demo", "--project", project.toString(), "--ae-seconds", "2", "--lm-seconds", "2", "--json"));
      ProcessBuilder pb = new ProcessBuilder(cmd).redirectErrorStream(false);
      Map<String, String> env = pb.environment();
      for (String v : List.of("http_proxy", "https_proxy", "HTTP_PROXY", "HTTPS_PROXY", "all_proxy", "ALL_PROXY")) {
        env.put(v, "http://127.0.0.1:" + port);
      }
      env.remove("no_proxy");
      env.remove("NO_PROXY");
      env.put("OMP_NUM_THREADS", "1");
      Path out = tmp.resolve("demo.out");
      Path err = tmp.resolve("demo.err");
      Process p = pb.redirectOutput(out.toFile()).redirectError(err.toFile()).start();
      boolean ended = p.waitFor(15, TimeUnit.MINUTES);
      if (!ended) {
        p.destroyForcibly();
      }
      assertTrue(ended, "the demo did not end; stderr:\n" + Files.readString(err));
      assertEquals(0, p.exitValue(), "stderr:\n" + Files.readString(err));
      String json = Files.readString(out).strip();
      assertTrue(json.contains("\"first_look\"") && json.contains("\"generated\""), json);
      assertEquals(0, connections.get(), "the demo tried to reach the network (through the proxy)");
    }
  }
}
