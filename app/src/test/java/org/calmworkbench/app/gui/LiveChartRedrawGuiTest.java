package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.scene.Scene;
import javafx.stage.Stage;
import org.calmworkbench.visualizers.LiveLineChart;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * A live chart on a shown stage (Monocle) redraws once per paced refresh, also when its first
 * points create its series: JFreeChart-FX redraws synchronously on every change event, and adding
 * and styling a series sent about eight of them (a training page's first points held the FX
 * thread up to 462 ms in the long-session run, docs/RELIABILITY.md section 5).
 */
@ExtendWith(ApplicationExtension.class)
class LiveChartRedrawGuiTest {
  LiveLineChart chart;
  final AtomicInteger redraws = new AtomicInteger();

  Stage own; // not TestFX's primary stage, which the next test classes get with this size

  @Start
  void start(Stage primary) {
    chart = new LiveLineChart("loss", "step", "loss");
    chart.chart().addChangeListener(e -> redraws.incrementAndGet());
    own = new Stage();
    own.setScene(new Scene(chart, 500, 350));
    own.show();
  }

  @AfterEach
  void close() throws Exception {
    WaitForAsyncUtils.asyncFx(own::close).get(30, TimeUnit.SECONDS);
  }

  @Test
  void newSeriesAndAClearAreDrawnByOnePacedRedraw() throws Exception {
    WaitForAsyncUtils.waitForFxEvents();
    int[] during = new int[1];
    WaitForAsyncUtils.asyncFx(() -> {
      redraws.set(0);
      for (String s : new String[] {"train", "valid", "kl"}) {
        chart.addPoint(s, 1, 2.0);
        chart.addPoint(s, 2, 1.5);
      }
      during[0] = redraws.get();
    }).get(30, TimeUnit.SECONDS);
    assertEquals(0, during[0], "no redraw while the update adds and styles three series");
    WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> redraws.get() > 0);
    WaitForAsyncUtils.waitForFxEvents();
    assertTrue(redraws.get() <= 2, "one paced redraw for the lot, got " + redraws.get());
    assertTrue(chart.chart().isNotify(), "change events are on again after the flush");
    assertEquals(2, chart.plottedPoints("valid"));

    WaitForAsyncUtils.asyncFx(() -> {
      redraws.set(0);
      chart.clear();
      chart.addPoint("train", 1, 3.0);
      during[0] = redraws.get();
    }).get(30, TimeUnit.SECONDS);
    assertEquals(0, during[0], "clearing and starting over redraws nothing at once");
    WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> redraws.get() > 0 && chart.chart().isNotify());
    assertEquals(1, chart.plottedPoints("train"));
    assertEquals(0, chart.pointCount("valid"), "the cleared series are gone");
  }
}
