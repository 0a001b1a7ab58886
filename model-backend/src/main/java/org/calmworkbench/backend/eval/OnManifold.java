package org.calmworkbench.backend.eval;

import ai.djl.ndarray.NDArray;

/**
 * The on-manifold fraction of CALM's head samples: a sample z is <em>on the manifold</em> when the
 * chunk it decodes to (argmax) re-encodes to a mean within {@link EnergyLevels#manifoldRadius} of
 * z, the distance that 95% of the autoencoder's own posterior samples keep from their mean. Samples
 * that fall between the autoencoder's "islands" decode to some chunk whose latent is far away: the
 * decoded text is then not what the model meant, often garbage. Counted during BrierLM
 * evaluation ({@link CalmBrier}), where the samples and their decodes already exist.
 */
public final class OnManifold {
  private final double radius;
  private long samples;
  private long on;

  public OnManifold(double radius) {
    this.radius = radius;
  }

  /** Counts samples z [..., L] against the re-encoded means of their decodes, same shape. */
  void add(NDArray z, NDArray reencoded) {
    float[] distance = z.sub(reencoded).square().sum(new int[] {-1}).sqrt().toFloatArray();
    for (float d : distance) {
      samples++;
      on += d <= radius ? 1 : 0;
    }
  }

  /** Share of the counted samples on the manifold; NaN before any. */
  public double fraction() {
    return samples == 0 ? Double.NaN : (double) on / samples;
  }

  public long samples() {
    return samples;
  }
}
