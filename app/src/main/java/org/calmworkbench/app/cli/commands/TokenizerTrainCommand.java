package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.app.cli.Args;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Option;
import org.calmworkbench.backend.tokenizer.BpeTrainer;
import org.calmworkbench.backend.tokenizer.ByteLevelBpeTokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;
import org.calmworkbench.backend.workflow.AeTraining;

/** {@code calm tokenizer train}: a byte-level BPE trained on a corpus, saved as tokenizer.json. */
public final class TokenizerTrainCommand implements Command {
  @Override
  public String name() {
    return "tokenizer train";
  }

  @Override
  public String summary() {
    return "train a byte-level BPE tokenizer and save DIR/tokenizer.json (Hugging Face format)";
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.list("corpus", "PATH", "text files, folders or JSONL files").required(),
        Option.value("vocab-size", "N", "vocabulary size, including 2 special tokens and 256 bytes")
            .withDefault(AeTraining.DEFAULT_VOCAB_SIZE),
        Option.value("out", "DIR", "folder to write tokenizer.json into").required());
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    List<Path> corpus = args.paths("corpus");
    int vocab = args.integer("vocab-size", BpeTrainer.MIN_VOCAB_SIZE, 1 << 20);
    long t0 = System.nanoTime();
    ByteLevelBpeTokenizer tok = AeTraining.trainTokenizer(corpus, vocab);
    Path file = Tokenizers.save(tok, args.path("out"));
    double seconds = (System.nanoTime() - t0) / 1e9;
    ctx.out().printf("trained a %d-token byte-level BPE in %.1f s -> %s%n", tok.vocabSize(), seconds, file);
    ctx.put("vocab_size", tok.vocabSize());
    ctx.put("merges", tok.merges().size());
    ctx.put("seconds", seconds);
    ctx.put("tokenizer", file);
    return 0;
  }
}
