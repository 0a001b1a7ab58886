package org.calmworkbench.backend.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.Shape;
import java.util.Arrays;

/**
 * Rotary position embedding in the Llama (rotate-half) layout: frequency i < D/2 is
 * {@code theta^(-2i/D)}, and feature pairs (j, j + D/2) are rotated by position * frequency:
 * {@code x * cos + rotateHalf(x) * sin} with {@code rotateHalf(x) = [-x2, x1]}.
 *
 * <p>No parameters. The angles are computed in double precision and rounded once to float32, into
 * tables shared by every call (a training step asks for the same positions in every layer).
 */
public final class RotaryEmbedding {
  private final int headSize;
  private final double[] invFreq; // [D/2]
  private float[] cosTable = new float[0]; // [tablePositions, D], computed once, grown on demand
  private float[] sinTable = new float[0];
  private long tablePositions;

  public RotaryEmbedding(int headSize, double theta) {
    if (headSize % 2 != 0) {
      throw new IllegalArgumentException("rotary embedding needs an even head size, got " + headSize);
    }
    this.headSize = headSize;
    this.invFreq = new double[headSize / 2];
    for (int i = 0; i < invFreq.length; i++) {
      invFreq[i] = 1.0 / Math.pow(theta, 2.0 * i / headSize);
    }
  }

  /** cos and sin for positions {@code offset .. offset+length-1}, each [length, D], on {@code m}. */
  public NDList cosSin(NDManager m, long offset, int length) {
    ensureTable(offset + length);
    int from = Math.toIntExact(offset * headSize);
    int to = Math.toIntExact((offset + length) * headSize);
    Shape shape = new Shape(length, headSize);
    return new NDList(
        m.create(Arrays.copyOfRange(cosTable, from, to), shape),
        m.create(Arrays.copyOfRange(sinTable, from, to), shape));
  }

  /** Grows the cos/sin tables (row-major [positions, D]) to cover {@code positions}, doubling. */
  private synchronized void ensureTable(long positions) {
    if (positions <= tablePositions) {
      return;
    }
    int n = Math.toIntExact(Math.max(positions, 2L * tablePositions));
    int half = headSize / 2;
    float[] cos = new float[n * headSize];
    float[] sin = new float[n * headSize];
    for (int t = 0; t < n; t++) {
      for (int i = 0; i < half; i++) {
        double angle = t * invFreq[i];
        float c = (float) Math.cos(angle);
        float s = (float) Math.sin(angle);
        cos[t * headSize + i] = c; // the frequencies repeat: [f_0..f_{D/2-1}, f_0..f_{D/2-1}]
        cos[t * headSize + half + i] = c;
        sin[t * headSize + i] = s;
        sin[t * headSize + half + i] = s;
      }
    }
    cosTable = cos;
    sinTable = sin;
    tablePositions = n;
  }

  /** x [B, heads, T, D] rotated by cos, sin [T, D]. */
  public static NDArray apply(NDArray x, NDArray cos, NDArray sin) {
    return x.mul(cos).add(rotateHalf(x).mul(sin));
  }

  /** [x1, x2] -> [-x2, x1] along the last axis (axis 3 of [B, heads, T, D]). */
  static NDArray rotateHalf(NDArray x) {
    NDList halves = x.split(2, 3); // 2 x [B, heads, T, D/2]; split(n, -1) fails in DJL
    return halves.get(1).neg().concat(halves.get(0), 3);
  }
}
