package org.calmworkbench.app.gui.generator;

import java.util.Locale;

/**
 * What one generation step added: for CALM a chunk of K tokens, for the AR baseline one token. The
 * page shades segments alternately, so the number of steps is visible in the text itself.
 *
 * @param sample which of the run's S continuations (0 to S - 1; 0 when S = 1)
 * @param step 0-based step index
 * @param text the text the step added (may be empty while a character split across steps is incomplete)
 * @param tokens tokens the step added (K for CALM, fewer when it ended in end-of-text)
 * @param samplerCalls black-box draws the step spent (CALM); 0 for AR
 * @param fellBack the exact sampler ran out of budget and used the batch estimate (CALM)
 * @param endOfText the step produced the end-of-text token
 * @param probability the AR model's probability of its token at T = 1; NaN for CALM (it has none)
 * @param elapsedSeconds wall time from the start of generation to this step
 */
public record Segment(int sample, int step, String text, int tokens, int samplerCalls, boolean fellBack, boolean endOfText,
    double probability, double elapsedSeconds) {

  /** Odd steps are drawn with the second shade. */
  public boolean shaded() {
    return step % 2 == 1;
  }

  /** The tooltip: step, tokens, sampler calls and fallback (CALM) or probability (AR). */
  public String describe() {
    StringBuilder sb = new StringBuilder();
    sb.append("step ").append(step + 1).append(": ").append(tokens).append(tokens == 1 ? " token" : " tokens");
    if (Double.isNaN(probability)) {
      sb.append(" · ").append(samplerCalls).append(samplerCalls == 1 ? " sampler call" : " sampler calls");
      sb.append(fellBack ? " · fell back to the batch estimate (exact budget spent)" : " · no fallback");
    } else {
      sb.append(String.format(Locale.ROOT, " · p = %.3f at T = 1", probability));
    }
    if (endOfText) {
      sb.append(" · end of text");
    }
    sb.append(String.format(Locale.ROOT, " · at %.2f s", elapsedSeconds));
    return sb.toString();
  }
}
