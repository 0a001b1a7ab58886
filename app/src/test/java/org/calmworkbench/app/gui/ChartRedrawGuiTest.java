package org.calmworkbench.app.gui;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import javafx.scene.Scene;
import javafx.stage.Stage;
import java.util.List;
import javafx.scene.paint.Color;
import org.calmworkbench.visualizers.LiveLineChart;
import org.calmworkbench.visualizers.ScatterView;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.testfx.framework.junit5.ApplicationExtension;
import org.testfx.framework.junit5.Start;
import org.testfx.util.WaitForAsyncUtils;

/**
 * The charts on a shown stage (Monocle) redraw once per frame at most, however many changes an
 * update makes: JFreeChart-FX redraws synchronously on every change event. Adding and styling a
 * live chart's series sent about seven of them (a training page's first points held the FX thread
 * up to 462 ms in the long-session run), and a new latent map about ten (167 ms, 101 ms of CPU);
 * docs/RELIABILITY.md section 5.
 */
@ExtendWith(ApplicationExtension.class)
class ChartRedrawGuiTest {
  LiveLineChart chart;
  ScatterView scatter;
  final AtomicInteger redraws = new AtomicInteger();
  final AtomicInteger scatterRedraws = new AtomicInteger();

  Stage own; // not TestFX's primary stage, which the next test classes get with this size

  @Start
  void start(Stage primary) {
    chart = new LiveLineChart("loss", "step", "loss");
    chart.chart().addChangeListener(e -> redraws.incrementAndGet());
    scatter = new ScatterView("map", "x", "y");
    scatter.chart().addChangeListener(e -> scatterRedraws.incrementAndGet());
    own = new Stage();
    own.setScene(new Scene(new javafx.scene.layout.VBox(chart, scatter), 500, 700));
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

  @Test
  void aNewMapIsDrawnOnceWithItsLayersAxesAndLegend() throws Exception {
    WaitForAsyncUtils.waitForFxEvents();
    int[] during = new int[1];
    WaitForAsyncUtils.asyncFx(() -> {
      scatterRedraws.set(0);
      List<ScatterView.Dot> dots = List.of(new ScatterView.Dot(0, 0, Color.RED, "a"), new ScatterView.Dot(1, 2, Color.BLUE, "b"));
      scatter.setLayer("chunks", dots, ScatterView.Mark.DOT, true);
      scatter.setLayer("cloud", dots, ScatterView.Mark.SMALL_DOT, false);
      scatter.setLayer("path", dots, ScatterView.Mark.PATH, false);
      scatter.setFitLayer("chunks");
      scatter.setLegend(List.of(new ScatterView.Key("K = 4", Color.RED)));
      scatter.setAxisLabels("PC 1", "PC 2");
      during[0] = scatterRedraws.get();
    }).get(30, TimeUnit.SECONDS);
    assertEquals(0, during[0], "no redraw while the update sets layers, axes, legend and labels");
    WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> scatterRedraws.get() > 0 && !scatter.redrawPending());
    WaitForAsyncUtils.waitForFxEvents();
    assertTrue(scatterRedraws.get() <= 2, "one redraw in the next frame, got " + scatterRedraws.get());
    assertTrue(scatter.chart().isNotify());
    WaitForAsyncUtils.waitFor(30, TimeUnit.SECONDS, () -> scatter.screenPoint("chunks", 1) != null);
  }
}
