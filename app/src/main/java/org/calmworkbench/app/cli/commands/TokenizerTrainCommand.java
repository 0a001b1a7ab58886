package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.tokenizer.BpeTrainer;
import org.calmworkbench.backend.tokenizer.ByteLevelBpeTokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;
import org.calmworkbench.backend.workflow.AeTraining;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code calm tokenizer train}: a byte-level BPE trained on a corpus, saved as tokenizer.json. */
public final class TokenizerTrainCommand implements Command {
  @Option(names = "--corpus", arity = "1..*", paramLabel = "PATH", description = "text files, folders or JSONL files"
      + " (default: the project's corpus)")
  List<Path> corpus;
  @Option(names = "--vocab-size", paramLabel = "N", description = "vocabulary size, including 2 special tokens and 256 bytes"
      + " (default: the project's presets.tokenizer.vocab_size, else " + AeTraining.DEFAULT_VOCAB_SIZE + ")")
  Integer vocabSize;
  @Option(names = "--out", paramLabel = "DIR", description = "folder to write tokenizer.json into (default with --project:"
      + " PROJECT/runs/tokenizer-yyyyMMdd-HHmmss)")
  Path out;
  @Mixin
  ProjectOption project;


  @Override
  public String name() {
    return "tokenizer train";
  }

  @Override
  public String summary() {
    return "train a byte-level BPE tokenizer and save DIR/tokenizer.json (Hugging Face format)";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    int vocab = AeTraining.vocabSize(project.project(),
        Ranges.check("vocab-size", vocabSize, BpeTrainer.MIN_VOCAB_SIZE, 1 << 20));
    List<Path> texts = project.corpus(corpus);
    Path folder = project.out(out, "tokenizer", false);
    long t0 = System.nanoTime();
    ByteLevelBpeTokenizer tok = AeTraining.trainTokenizer(texts, vocab);
    Path file = Tokenizers.save(tok, folder);
    double seconds = (System.nanoTime() - t0) / 1e9;
    ctx.out().printf("trained a %d-token byte-level BPE in %.1f s -> %s%n", tok.vocabSize(), seconds, file);
    ctx.put("vocab_size", tok.vocabSize());
    ctx.put("merges", tok.merges().size());
    ctx.put("seconds", seconds);
    ctx.put("tokenizer", file);
    return 0;
  }
}
