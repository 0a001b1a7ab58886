package org.calmworkbench.backend.inspect;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.train.AutoencoderCheckpoint;
import org.calmworkbench.backend.train.AutoencoderTrainer;
import org.calmworkbench.backend.train.AutoencoderTrainerTest;
import org.calmworkbench.backend.train.TrainControl;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The latent map on a tiny trained autoencoder: layout, noise clouds and interpolation. */
class LatentMapTest {
  @TempDir static Path dir;
  static AutoencoderCheckpoint ck;
  static LatentMap map;
  static final int EOS = 1; // LatentCodecTest.LETTERS' end-of-text id

  /** The held-out tokens cut into documents of 37 tokens, joined with the end-of-text id. */
  static TokenIds documents() {
    int[] held = AutoencoderTrainerTest.HELD_OUT;
    int[] out = new int[held.length + held.length / 37];
    int n = 0;
    for (int i = 0; i < held.length; i++) {
      if (i > 0 && i % 37 == 0) {
        out[n++] = EOS;
      }
      out[n++] = held[i];
    }
    return TokenIds.of(Arrays.copyOf(out, n));
  }

  @BeforeAll
  static void train() throws Exception {
    AutoencoderTrainer.run(AutoencoderTrainerTest.request(dir, 300, false), p -> {}, TrainControl.NONE);
    ck = AutoencoderCheckpoint.load(dir);
    map = LatentMap.build(ck.model(), LatentCodecTest.LETTERS, ck.manager(),
        LatentMap.documentChunks(documents(), ck.config().patchSize(), EOS, 120), null);
  }

  @AfterAll
  static void close() {
    ck.close();
  }

  @Test
  void chunksStartAtEveryDocumentAndCountTheirPosition() {
    // docs: [2 3 4 5 6] [7 8] [9 10 11 12 13 14 15 16 17]
    TokenIds ids = TokenIds.of(2, 3, 4, 5, 6, EOS, 7, 8, EOS, 9, 10, 11, 12, 13, 14, 15, 16, 17);
    LatentMap.Chunks c = LatentMap.documentChunks(ids, 4, EOS, 10);
    assertEquals(3, c.count());
    assertArrayEquals(new long[] {2, 3, 4, 5, 9, 10, 11, 12, 13, 14, 15, 16}, c.ids());
    assertArrayEquals(new int[] {0, 2, 2}, c.documents(), "the second document is shorter than K and gives none");
    assertArrayEquals(new int[] {0, 0, 1}, c.positions());
    assertEquals(2, LatentMap.documentChunks(ids, 4, EOS, 2).count(), "at most max chunks");
    assertEquals(4, LatentMap.documentChunks(ids, 4, -1, 10).count(), "without an end-of-text id it is one document");
  }

  @Test
  void everyPointLiesWhereThePcaPutsItsMeanAndKnowsItsDecode() {
    List<LatentMap.Point> points = map.points();
    assertEquals(120, points.size());
    LatentCodec codec = new LatentCodec(ck.model(), LatentCodecTest.LETTERS, ck.manager());
    for (LatentMap.Point p : points.subList(0, 10)) {
      double[] xy = map.pca().project(p.mean());
      assertEquals(xy[0], p.x(), 1e-9);
      assertEquals(xy[1], p.y(), 1e-9);
      assertEquals(LatentCodecTest.LETTERS.decode(p.ids()), p.text());
      assertEquals(p.text().substring(0, 1), p.firstToken());
      // The same decode as the reconstruction inspector's codec gives for the mean.
      LatentCodec.Decoded d = codec.decode(new float[][] {p.mean()}, 0, 0, p.ids());
      assertArrayEquals(d.ids(), p.decoded());
      assertEquals(d.mismatches()[0], p.errors());
    }
    assertTrue(points.stream().anyMatch(p -> p.position() > 0), "documents of 37 tokens hold several chunks");
    assertTrue(map.pca().explained(0) >= map.pca().explained(1));
    assertTrue(points.stream().filter(LatentMap.Point::correct).count() > points.size() / 2,
        "the trained autoencoder reconstructs most held-out chunks");
    assertArrayEquals(points.stream().mapToInt(LatentMap.Point::errors).toArray(), map.errorsAt(0, 5),
        "errors at sigma 0 are the errors of the mean");
  }

  @Test
  void withSigmaZeroEveryCloudSampleIsTheMeanAndDecodesAsIt() {
    for (LatentMap.Point p : List.of(firstCorrect(), map.points().get(3))) {
      LatentMap.Cloud cloud = map.cloud(p.index(), 0, 16, 1);
      assertEquals(16, cloud.samples().size());
      for (LatentMap.Sample s : cloud.samples()) {
        assertTrue(s.matchesMean());
        assertEquals(p.correct(), s.correct());
        assertEquals(p.x(), s.x(), 1e-9);
        assertEquals(p.y(), s.y(), 1e-9);
      }
      assertEquals(p.correct() ? 1.0 : 0.0, cloud.fractionCorrect());
      assertEquals(1, cloud.outcomes().size());
      assertEquals(new LatentMap.Outcome(p.decodedText(), 16, p.correct()), cloud.outcomes().get(0));
    }
  }

  @Test
  void moreNoiseSpreadsTheCloudAndBreaksMoreDecodes() {
    LatentMap.Point p = firstCorrect();
    LatentMap.Cloud small = map.cloud(p.index(), 0.05, 64, 2);
    LatentMap.Cloud large = map.cloud(p.index(), 5.0, 64, 2);
    assertTrue(large.fractionCorrect() < small.fractionCorrect(),
        "sigma 5 keeps fewer decodes right than sigma 0.05: " + large.fractionCorrect() + " vs " + small.fractionCorrect());
    assertTrue(spread(large, p) > 10 * spread(small, p), "the cloud grows with sigma on the map");
    assertTrue(large.outcomes().size() > 1, "large noise gives several different decodes");
    assertEquals(64, large.outcomes().stream().mapToInt(LatentMap.Outcome::count).sum());
    assertEquals(large.samples().stream().map(LatentMap.Sample::text).toList(),
        map.cloud(p.index(), 5.0, 64, 2).samples().stream().map(LatentMap.Sample::text).toList(), "same seed, same cloud");
  }

  @Test
  void interpolationRunsFromOneChunksDecodeToTheOthersAndMarksWhereItChanges() {
    LatentMap.Point a = firstCorrect();
    LatentMap.Point b = map.points().stream().filter(p -> p.correct() && !p.text().equals(a.text())).findFirst().orElseThrow();
    LatentMap.Interpolation line = map.interpolate(a.index(), b.index(), 10);
    List<LatentMap.Step> steps = line.steps();
    assertEquals(11, steps.size());
    assertEquals(0.0, steps.get(0).t());
    assertEquals(1.0, steps.get(10).t());
    assertEquals(a.text(), steps.get(0).text(), "t = 0 decodes to the first chunk");
    assertEquals(b.text(), steps.get(10).text(), "t = 1 decodes to the second chunk");
    assertEquals(a.x(), steps.get(0).x(), 1e-6);
    assertEquals(b.y(), steps.get(10).y(), 1e-6);
    assertFalse(steps.get(0).changed());
    List<Double> changes = new ArrayList<>();
    for (int s = 1; s < steps.size(); s++) {
      assertEquals(!steps.get(s).text().equals(steps.get(s - 1).text()), steps.get(s).changed());
      if (steps.get(s).changed()) {
        changes.add(steps.get(s).t());
      }
    }
    assertFalse(changes.isEmpty(), "the decode must change somewhere between two different chunks");
    assertEquals(changes, line.changes());
  }

  @Test
  void badRequestsAreRefusedByName() {
    assertTrue(assertThrows(CalmException.class, () -> map.cloud(map.points().size(), 0.3, 10, 1)).getMessage()
        .contains("no chunk"));
    assertTrue(assertThrows(CalmException.class, () -> map.cloud(0, -1, 10, 1)).getMessage().contains("sigma"));
    assertThrows(CalmException.class, () -> map.interpolate(0, 1, 0));
    assertThrows(CalmException.class, () -> LatentMap.build(ck.model(), LatentCodecTest.LETTERS, ck.manager(),
        LatentMap.documentChunks(TokenIds.of(2, 3, 4, 5), 4, EOS, 10), null));
  }

  static LatentMap.Point firstCorrect() {
    return map.points().stream().filter(LatentMap.Point::correct).findFirst().orElseThrow();
  }

  static double spread(LatentMap.Cloud c, LatentMap.Point p) {
    return c.samples().stream().mapToDouble(s -> Math.hypot(s.x() - p.x(), s.y() - p.y())).average().orElseThrow();
  }
}
