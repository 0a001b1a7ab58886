package org.calmworkbench.app.cli.commands;

import java.util.List;
import org.calmworkbench.app.cli.Args;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Option;
import org.calmworkbench.backend.tokenizer.TokenizedText;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;

/** {@code calm tokenizer encode}: a text's token ids and tokens, optionally grouped in K-token chunks. */
public final class TokenizerEncodeCommand implements Command {
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
  public List<Option> options() {
    return List.of(
        Option.value("tokenizer", "DIR", "a tokenizer.json or a folder holding one (a run folder too)").required(),
        Option.value("text", "TEXT", "the text to encode").required(),
        Option.value("patch-size", "K", "also show the text of each chunk of K tokens"));
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    Tokenizer tokenizer = Tokenizers.load(args.path("tokenizer"));
    try {
      TokenizedText t = TokenizedText.encode(tokenizer, args.string("text"));
      TokenizerDecodeCommand.print(t, ctx);
      if (args.has("patch-size")) {
        List<String> chunks = t.chunks(tokenizer, args.integer("patch-size", 1, 64));
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
