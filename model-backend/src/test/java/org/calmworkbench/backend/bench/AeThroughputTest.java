package org.calmworkbench.backend.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What {@code calm bench ae} reports about the vocabulary's cost, on the tiny preset. */
class AeThroughputTest {
  @Test
  void aLargerVocabularyCostsExactlyOneTiedMatrixMore() throws Exception {
    AeThroughput.Result small = AeThroughput.run("tiny", 300, 8, 2, 1, 64);
    AeThroughput.Result large = AeThroughput.run("tiny", 1300, 8, 2, 1, 64);
    int hidden = (int) (small.outputParameters() / 300);
    assertEquals(300L * hidden, small.outputParameters());
    // Tied: the embedding and the output projection are one matrix, counted once.
    assertEquals(1000L * hidden, large.parameters() - small.parameters());
    assertEquals(8, large.batchSize());
    assertEquals(4L * 8 * 4 * 1300, large.logitsBytes()); // B chunks x K=4 tokens x V, fp32
    assertEquals(16 * large.parameters(), large.trainingStateBytes());
    assertTrue(large.outputFlopsShare() > small.outputFlopsShare() && large.outputFlopsShare() < 1);
    assertTrue(large.peakRssBytes() > 0 || large.peakRssBytes() == -1);
  }
}
