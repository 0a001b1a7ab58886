package org.calmworkbench.backend.workflow;

import java.util.List;
import org.calmworkbench.backend.CalmException;
import org.calmworkbench.backend.data.TokenIds;
import org.calmworkbench.backend.data.TokenizedCorpus;

/**
 * The part of a corpus {@code ae eval} and {@code eval} score ({@code --split}): everything in order
 * (both parts of the train/validation split, back to back), or only the held-out part.
 */
public enum EvalSplit {
  ALL,
  VALID;

  /** {@code "all"} or {@code "valid"}; anything else is refused naming the option. */
  public static EvalSplit parse(String name) {
    return switch (name) {
      case "all" -> ALL;
      case "valid" -> VALID;
      default -> throw new CalmException("--split must be 'all' or 'valid', got '" + name + "'");
    };
  }

  /** The token streams this split reads from {@code corpus}, in order. */
  public List<TokenIds> parts(TokenizedCorpus corpus) {
    return this == ALL ? List.of(corpus.train(), corpus.validation()) : List.of(corpus.validation());
  }
}
