package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.List;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Ranges;
import org.calmworkbench.backend.tokenizer.TokenizedText;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;
import picocli.CommandLine.Option;

/** {@code calm tokenizer encode}: a text's token ids and tokens, optionally grouped in K-token chunks. */
public final class TokenizerEncodeCommand implements Command {
  @Option(names = "--tokenizer", paramLabel = "DIR", required = true, description = "a tokenizer.json or a folder holding one (a run folder too)")
  Path tokenizerFile;
  @Option(names = "--text", paramLabel = "TEXT", required = true, description = "the text to encode")
  String text;
  @Option(names = "--patch-size", paramLabel = "K", description = "also show the text of each chunk of K tokens")
  Integer patchSize;

  @Override
  public String name() {
    return "tokenizer encode";
  }

  @Override
  public String summary() {
    return "show the token ids and tokens of a text (any Hugging Face tokenizer.json, Llama 3 included)";
  }

  @Override
  public String description() {
    return summary() + """


        No special tokens are added (no BOS), as in training; the text of a special token written in
        the input (e.g. <|end_of_text|>) becomes that token, as in Hugging Face's library. Tokens are
        printed as the vocabulary writes them ("Ġworld" is " world"). --patch-size K also shows the
        chunks of K tokens that one CALM latent vector carries. JSON: {"ids": [...], "tokens": [...],
        "pieces": [...]} (pieces: each token's own text).""";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    Tokenizer tokenizer = Tokenizers.load(tokenizerFile);
    try {
      TokenizedText t = TokenizedText.encode(tokenizer, text);
      TokenizerDecodeCommand.print(t, ctx);
      if (patchSize != null) {
        List<String> chunks = t.chunks(tokenizer, Ranges.check("patch-size", patchSize, 1, 64));
        ctx.out().println("chunks: " + String.join(" | ", chunks.stream().map(TokenizerDecodeCommand::visible).toList()));
        ctx.put("chunks", chunks);
      }
      return 0;
    } finally {
      if (tokenizer instanceof AutoCloseable c) {
        c.close();
      }
    }
  }
}
