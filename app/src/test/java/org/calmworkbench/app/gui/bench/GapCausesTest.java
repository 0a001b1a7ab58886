package org.calmworkbench.app.gui.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Map;
import org.junit.jupiter.api.Test;

/** The gap causes of the long GUI session: whose work a stack of the FX thread shows, and one cause per gap. */
class GapCausesTest {
  private static StackTraceElement f(String cls, String method) {
    return new StackTraceElement(cls, method, null, 1);
  }

  @Test
  void theInnermostOwnerOutsideTheJdkAndGsonNamesTheWork() {
    // the service's own code on the FX thread (its dispatcher, a followed job's text)
    assertEquals(GapCauses.SERVICE, GapCauses.stackCause(new StackTraceElement[] {
        f("java.lang.invoke.DirectMethodHandle", "shouldBeInitialized"),
        f("org.calmworkbench.app.gui.service.FollowedJob", "text"),
        f("com.sun.javafx.application.PlatformImpl", "lambda$runLater$10")}, Thread.State.RUNNABLE));
    // the FX thread waiting inside workbench code: on the engine thread, the service's to answer for
    assertEquals(GapCauses.SERVICE, GapCauses.stackCause(new StackTraceElement[] {
        f("jdk.internal.misc.Unsafe", "park"),
        f("java.util.concurrent.CompletableFuture", "get"),
        f("org.calmworkbench.app.gui.generator.GeneratorViewModel", "generate")}, Thread.State.WAITING));
    // a page's work, through Gson: the page's
    assertEquals(GapCauses.PAGE_CODE, GapCauses.stackCause(new StackTraceElement[] {
        f("jdk.internal.math.FloatingDecimal$ASCIIToBinaryBuffer", "doubleValue"),
        f("com.google.gson.internal.LazilyParsedNumber", "doubleValue"),
        f("org.calmworkbench.backend.train.MetricsLog", "parseRow"),
        f("org.calmworkbench.app.gui.runs.RunsViewModel", "refresh")}, Thread.State.RUNNABLE));
    // a chart drawn on a page, under the page's listener: the chart's
    assertEquals("chart (JFreeChart)", GapCauses.stackCause(new StackTraceElement[] {
        f("java.text.DecimalFormat", "subformatNumber"),
        f("org.jfree.chart.axis.NumberAxis", "refreshTicks"),
        f("org.calmworkbench.app.gui.service.CoalescingDispatcher", "flush")}, Thread.State.RUNNABLE));
    // CSS under a service update is CSS
    assertEquals("CSS", GapCauses.stackCause(new StackTraceElement[] {
        f("javafx.css.StyleClassSet", "containsAll"),
        f("javafx.scene.CssStyleHelper", "transitionToState"),
        f("javafx.scene.Node", "processCSS"),
        f("org.calmworkbench.app.gui.service.CoalescingDispatcher", "flush")}, Thread.State.RUNNABLE));
    assertEquals("waiting for the renderer", GapCauses.stackCause(new StackTraceElement[] {
        f("jdk.internal.misc.Unsafe", "park"),
        f("com.sun.javafx.tk.quantum.PaintCollector", "waitForRenderingToComplete"),
        f("javafx.scene.Scene$ScenePulseListener", "pulse")}, Thread.State.WAITING));
  }

  @Test
  void everyGapOverTheThresholdGetsExactlyOneCause() throws Exception {
    GapCauses causes = new GapCauses(Thread.currentThread(), 50);
    try {
      long t0 = System.nanoTime();
      causes.pulse(t0);
      causes.pulse(t0 + 10_000_000L); // 10 ms: not a gap
      Thread.sleep(150); // this thread (the "FX thread") sleeps through a gap in the session driver's code
      long t1 = System.nanoTime();
      causes.pulse(t1);
      causes.mark();
      Thread.sleep(120);
      causes.pulse(System.nanoTime());
      assertEquals(2, causes.gaps());
      Map<String, Integer> all = causes.counts(false);
      assertEquals(2, all.values().stream().mapToInt(Integer::intValue).sum(), all.toString());
      assertEquals(1, causes.counts(true).values().stream().mapToInt(Integer::intValue).sum());
      assertTrue(causes.maxMs() >= 120, "longest gap " + causes.maxMs());
      assertEquals(2, causes.longest().size());
      assertTrue(causes.longest().get(0).ms() >= causes.longest().get(1).ms());
    } finally {
      causes.close();
    }
  }
}
