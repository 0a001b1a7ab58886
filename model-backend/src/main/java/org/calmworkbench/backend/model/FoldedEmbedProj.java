package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.SparseFormat;
import ai.djl.nn.core.Embedding;
import org.calmworkbench.backend.CalmException;

/**
 * {@code embed_proj} for generation, with its first layer folded into lookup tables.
 *
 * <p>The discrete-feedback input multiplies fixed token embeddings: the first Linear(K*H -> 2H) of
 * a chunk (t_1..t_K) is {@code sum_j W_j e(t_j) + b}, where {@code W_j} is the j-th H-column block of
 * its weight. With frozen weights, {@code W_j e(v)} can be computed once for every position j and
 * token v: a table [K*V, 2H]. A generation step then reads K rows of 2H numbers instead of the
 * whole K*H x 2H matrix, which at batch size 1 is what a step's time goes to (docs/BENCHMARKS.md,
 * section 3). The result equals {@link CalmModel#patchEmbeddings} up to float rounding
 * (FoldedEmbedProjTest).
 *
 * <p>Only for models whose weights no longer change (a loaded checkpoint): the table is a snapshot.
 * It takes K*V*2H floats, so it is built only when that is at most {@link #MAX_TABLE_FLOATS}.
 */
public final class FoldedEmbedProj {
  /** The largest table built: 32 M floats (128 MiB), e.g. K=4, V=32768, H=128 or V=4096, H=1024. */
  public static final long MAX_TABLE_FLOATS = 1L << 25;

  private final CalmModel model;
  private final NDArray table; // [K*V, 2H]
  private final NDArray bias; // [2H]
  private final NDArray offsets; // [K] int64: j*V
  private final int k;

  private FoldedEmbedProj(CalmModel model, NDArray table, NDArray bias, NDArray offsets) {
    this.model = model;
    this.table = table;
    this.bias = bias;
    this.offsets = offsets;
    this.k = model.config().patchSize();
  }

  /** The table's size in floats for {@code c}: K * V * 2H. */
  public static long tableFloats(CalmConfig c) {
    return (long) c.patchSize() * c.vocabSize() * 2L * c.hiddenSize();
  }

  /** Whether {@link #build} folds a model of this shape (the table is small enough). */
  public static boolean fits(CalmConfig c) {
    return tableFloats(c) <= MAX_TABLE_FLOATS;
  }

  /**
   * Builds the tables from the model's current weights on {@code manager} (they live until it
   * closes); null when the model does not read tokens (latent input) or the table would not
   * {@link #fits fit}.
   */
  public static FoldedEmbedProj build(CalmModel model, NDManager manager) {
    CalmConfig c = model.config();
    if (!model.inputMode().usesTokens() || !fits(c)) {
      return null;
    }
    int k = c.patchSize();
    int h = c.hiddenSize();
    int v = c.vocabSize();
    Linear first = model.embedProj().firstLayer();
    try (NDManager tmp = manager.newSubManager()) {
      // The weights are borrowed: tempAttach makes the intermediates land in tmp and hands the
      // weights back to the model's manager when tmp closes.
      NDArray embeddings = model.transformer().embedTokens().weightParameter().getArray(); // [V, H]
      NDArray weight = first.weightArray(); // [2H, K*H]
      embeddings.tempAttach(tmp);
      weight.tempAttach(tmp);
      // [K*H, 2H] viewed as [K, H, 2H]: block j maps position j's embedding to the first layer's output.
      NDArray blocks = weight.transpose().reshape(k, h, 2L * h);
      NDArray table = embeddings.matMul(blocks).reshape((long) k * v, 2L * h); // [K, V, 2H] -> [K*V, 2H]
      table.attach(manager);
      NDArray bias = first.biasArray().duplicate(); // embed_proj's first layer always has a bias
      bias.attach(manager);
      long[] off = new long[k];
      for (int j = 0; j < k; j++) {
        off[j] = (long) j * v;
      }
      return new FoldedEmbedProj(model, table, bias, manager.create(off));
    }
  }

  /** ids [B, n*K] int64 -> patch embeddings [B, n, H], as {@link CalmModel#patchEmbeddings}. */
  public NDArray forward(NDArray ids) {
    long b = ids.getShape().get(0);
    long t = ids.getShape().get(1);
    if (t % k != 0) {
      throw new CalmException("token sequence of length " + t + " is not a whole number of chunks of K = " + k);
    }
    NDArray rows = ids.reshape(b, t / k, k).add(offsets); // [B, n, K]: row j*V + id
    NDArray first = Embedding.embedding(rows, table, SparseFormat.DENSE).singletonOrThrow() // [B, n, K, 2H]
        .sum(new int[] {2})
        .add(bias); // [B, n, 2H]
    return model.embedProj().afterFirstLayer(first);
  }
}
