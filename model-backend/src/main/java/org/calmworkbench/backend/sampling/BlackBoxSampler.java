package org.calmworkbench.backend.sampling;

import java.util.SplittableRandom;

/**
 * A generator we can only draw from: no probabilities, no logits. In CALM this is the energy head
 * followed by the autoencoder's decoder, producing one {@link TokenChunk} of K tokens per call.
 *
 * <p>Values must implement {@code equals}/{@code hashCode} by content: the temperature samplers
 * only ever ask "is this draw the same as that one?".
 *
 * @param <T> the value drawn, e.g. {@link TokenChunk} or a category index
 */
@FunctionalInterface
public interface BlackBoxSampler<T> {
  /** One independent draw from the model's distribution; never null. */
  T sample(SplittableRandom rng);
}
