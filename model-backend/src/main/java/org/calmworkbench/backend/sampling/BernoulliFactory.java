package org.calmworkbench.backend.sampling;

import java.util.SplittableRandom;
import java.util.function.BooleanSupplier;

/**
 * A Bernoulli factory for {@code p^alpha}, {@code alpha} in [0, 1): turns flips of a coin with
 * unknown heads-probability {@code p} into one event of probability exactly {@code p^alpha}.
 * Stage 2 of exact temperature sampling uses it with "a fresh draw equals x" as the coin, so a
 * candidate x survives with probability {@code P(x)^alpha} without anyone knowing {@code P(x)}.
 *
 * <p>The rule, for rounds {@code i = 1, 2, ...}: flip the coin; heads -> success; tails -> fail
 * with probability {@code alpha / i}, else go on. Why it is exact, with {@code q = 1 - p}: failing
 * in round k needs k tails and survival of rounds 1..k-1, so
 *
 * <pre>
 *   P(fail) = sum_{k>=1} q^k (alpha/k) prod_{j<k} (1 - alpha/j),
 * </pre>
 *
 * and that is term by term the binomial series {@code 1 - (1-q)^alpha}, whose k-th coefficient
 * is {@code -(-1)^k C(alpha, k) = (alpha/k) prod_{j<k} (1 - alpha/j)}, all positive for alpha
 * in (0, 1). Hence {@code P(success) = p^alpha}. The number of rounds is at most geometric with
 * mean {@code 1/p}; for {@code p = 0} it still ends (in failure) almost surely, but with a heavy
 * tail ({@code P(rounds > k) ~ k^-alpha}).
 */
public final class BernoulliFactory {
  /** What one round of the factory decided. */
  enum Step {
    SUCCESS,
    FAILURE,
    CONTINUE
  }

  private BernoulliFactory() {}

  /**
   * One round: the coin's outcome in round {@code round} (1-based) and the factory's decision.
   * The exact temperature sampler drives the rounds itself so it can stop at its call budget.
   */
  static Step step(boolean heads, int round, double alpha, SplittableRandom rng) {
    if (heads) {
      return Step.SUCCESS;
    }
    return rng.nextDouble() * round < alpha ? Step.FAILURE : Step.CONTINUE;
  }

  /**
   * Returns true with probability {@code p^alpha}, where p is the coin's heads-probability. With
   * {@code alpha = 0} this is certain success and the coin is never flipped.
   */
  public static boolean power(BooleanSupplier coin, double alpha, SplittableRandom rng) {
    checkAlpha(alpha);
    if (alpha == 0) {
      return true;
    }
    for (int round = 1; ; round++) {
      Step step = step(coin.getAsBoolean(), round, alpha, rng);
      if (step != Step.CONTINUE) {
        return step == Step.SUCCESS;
      }
    }
  }

  static void checkAlpha(double alpha) {
    if (!(alpha >= 0 && alpha < 1)) {
      throw new IllegalArgumentException("alpha must be in [0, 1), got " + alpha);
    }
  }
}
