package org.calmworkbench.backend.sampling;

/**
 * One output of a {@link TemperatureSampler}, with what it cost.
 *
 * @param value the chosen draw
 * @param samplerCalls black-box sampler calls spent on this output
 * @param fellBack true when the exact sampler hit its call budget and the value came from the
 *     batch approximation over the draws it had already made (so it is not an exact sample)
 * @param restarts exact sampler: attempts rejected before this one (0 for the batch sampler)
 * @param appliedExponent the power of P the choice aimed at: {@code 1/T} when exact; for the batch
 *     approximation the level it used, which is below {@code 1/T} (a warmer temperature) when no
 *     candidate was seen often enough for the requested one
 */
public record TemperatureSample<T>(
    T value, int samplerCalls, boolean fellBack, int restarts, double appliedExponent) {}
