package org.calmworkbench.app.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class CliProgressLineTest {
  private static final long MS = 1_000_000L;
  private static final long S = 1_000 * MS;

  private final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
  private final PrintStream err = new PrintStream(bytes, true, StandardCharsets.UTF_8);
  private long now = 0;

  private String printed() {
    return bytes.toString(StandardCharsets.UTF_8);
  }

  private static long count(String s, String what) {
    return s.split(java.util.regex.Pattern.quote(what), -1).length - 1;
  }

  @Test
  void terminalRedrawsInPlaceAtMostFiveTimesASecond() {
    ProgressLine p = new ProgressLine(err, true, () -> now, "ae train", 1000);
    for (int step = 1; step <= 100; step++) {
      now = step * 10 * MS; // 100 updates over one second
      p.update(step, "loss=0.5");
    }
    long redraws = count(printed(), "\r");
    assertTrue(redraws >= 5 && redraws <= 6, "redraws: " + redraws);
    assertEquals(0, count(printed(), "\n"));
    p.finish(100, "loss=0.4");
    assertTrue(printed().endsWith("\n"));
    assertTrue(printed().contains("ae train  10% 100/1000  loss=0.4"), printed());
  }

  @Test
  void plainOutputPrintsALineEveryTenSeconds() {
    ProgressLine p = new ProgressLine(err, false, () -> now, "tokenizer", 600);
    for (int step = 1; step <= 600; step++) {
      now = step * 100 * MS; // 60 seconds in all
      p.update(step, "");
    }
    String out = printed();
    assertEquals(0, count(out, "\r"));
    assertEquals(6, out.lines().count(), out); // at 0.1 s, then every 10 s: 10.1, 20.1, ..., 50.1
    assertTrue(out.lines().allMatch(l -> l.startsWith("tokenizer ")), out);
  }

  @Test
  void aTimeLimitedLoopsOwnFractionAndEtaWinOverTheStepCount() {
    ProgressLine p = new ProgressLine(err, false, () -> now, "ae train", 4000);
    for (int step = 1; step <= 100; step++) {
      now = step * 100 * MS; // 10 steps/s: 4000 steps would take 390 s more
      p.update(step, 0.5, 10.0, ""); // but the time limit ends the run in 10 s, half done
    }
    String line = p.format(100, "", now);
    assertTrue(line.contains(" 50% 100/4000") && line.endsWith("eta 00:10"), line);
    p.update(101, Double.NaN, Double.POSITIVE_INFINITY, "");
    assertTrue(Double.isNaN(p.eta(101)), "an unknown ETA is not shown");
  }

  @Test
  void etaFollowsTheMovingAverageOfTheRate() {
    ProgressLine p = new ProgressLine(err, false, () -> now, "lm", 1000);
    for (int step = 1; step <= 200; step++) {
      now = step * 100 * MS; // 10 steps per second
      p.update(step, "");
    }
    assertEquals(80.0, p.eta(200), 1e-6);
    assertTrue(p.format(200, "", now).endsWith("00:20 eta 01:20"), p.format(200, "", now));
    for (int step = 201; step <= 300; step++) {
      now += 200 * MS; // slows to 5 steps per second
      p.update(step, "");
    }
    double eta = p.eta(300);
    assertTrue(eta > 700 / 10.0 && eta < 700 / 5.0 * 1.01, "eta between the old and new rate: " + eta);
    assertTrue(eta > 700 / 5.0 * 0.8, "after two time constants the eta mostly follows the new rate: " + eta);
  }

  @Test
  void countThatStartsOverDoesNotBreakTheRate() {
    ProgressLine p = new ProgressLine(err, false, () -> now, "epoch", 100);
    for (int i = 1; i <= 300; i++) {
      now = i * 100 * MS; // 10 steps per second, counting 1..100 three times
      p.update((i - 1) % 100 + 1, "");
    }
    assertEquals(10.0, (100 - 50) / p.eta(50), 1e-6);
  }

  @Test
  void stalledLoopShowsACappedEta() {
    ProgressLine p = new ProgressLine(err, false, () -> now, "slow", 1_000_000_000L);
    now = 10 * S;
    p.update(1, "");
    assertTrue(p.format(1, "", now).endsWith("eta >100:00:00"), p.format(1, "", now));
  }

  @Test
  void unknownTotalShowsStepsWithoutPercentOrEta() {
    ProgressLine p = new ProgressLine(err, false, () -> now, "read", 0);
    now = S;
    p.update(42, "docs=7");
    assertEquals("read 42  docs=7  00:01\n", printed());
  }

  @Test
  void durationsUseMinutesOrHours() {
    assertEquals("01:23", ProgressLine.duration(83));
    assertEquals("1:02:03", ProgressLine.duration(3723));
  }
}
