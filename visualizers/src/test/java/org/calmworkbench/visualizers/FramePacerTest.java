package org.calmworkbench.visualizers;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Redraws requested together run one per frame, in order, each once. */
class FramePacerTest {
  @Test
  void oneRedrawPerFrameInOrderWithoutDuplicates() {
    int[] ticking = {0}; // +1 on start, -1 on stop
    FramePacer pacer = new FramePacer(() -> ticking[0] = 1, () -> ticking[0] = 0);
    List<String> ran = new ArrayList<>();
    Runnable a = () -> ran.add("a");
    Runnable b = () -> ran.add("b");
    Runnable c = () -> ran.add("c");
    pacer.request(a);
    pacer.request(b);
    pacer.request(a); // still waiting: not queued again
    pacer.request(c);
    assertEquals(1, ticking[0]);
    assertEquals(3, pacer.pending());

    pacer.tick();
    assertEquals(List.of("a"), ran, "one redraw per frame");
    pacer.request(a); // a ran, so it may be queued again, behind c
    pacer.tick();
    pacer.tick();
    assertEquals(List.of("a", "b", "c"), ran);
    assertEquals(1, ticking[0], "a is still waiting");
    pacer.tick();
    assertEquals(List.of("a", "b", "c", "a"), ran);
    assertEquals(0, ticking[0], "no redraw left: frames stop");
    pacer.tick(); // a stray frame does nothing
    assertEquals(4, ran.size());
  }
}
