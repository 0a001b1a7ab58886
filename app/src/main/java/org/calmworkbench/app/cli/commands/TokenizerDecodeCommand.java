package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.backend.tokenizer.TokenizedText;
import org.calmworkbench.backend.tokenizer.Tokenizer;
import org.calmworkbench.backend.tokenizer.Tokenizers;
import picocli.CommandLine.Option;

/** {@code calm tokenizer decode}: the text of token ids, with each id's token. */
public final class TokenizerDecodeCommand implements Command {
  @Option(names = "--tokenizer", paramLabel = "DIR", required = true, description = "a tokenizer.json or a folder holding one (a run folder too)")
  Path tokenizerFile;
  @Option(names = "--ids", paramLabel = "ID,ID,...", required = true, description = "comma-separated token ids, e.g. 9906,1917,0")
  String idList;

  @Override
  public String name() {
    return "tokenizer decode";
  }

  @Override
  public String summary() {
    return "show the text of token ids (special tokens as their text)";
  }


  @Override
  public int run(CliContext ctx) throws Exception {
    int[] ids = TokenizedText.parseIds(idList, "--ids");
    Tokenizer tokenizer = Tokenizers.load(tokenizerFile);
    try {
      print(TokenizedText.of(tokenizer, ids), ctx);
      return 0;
    } finally {
      if (tokenizer instanceof AutoCloseable c) {
        c.close();
      }
    }
  }

  /** The human table (id, token, piece) and the JSON result shared by encode and decode. */
  static void print(TokenizedText t, CliContext ctx) {
    ctx.out().println("text:   " + t.text());
    ctx.out().println(t.ids().length + " tokens");
    for (int i = 0; i < t.ids().length; i++) {
      ctx.out().printf("%8d  %-24s %s%n", t.ids()[i], t.tokens().get(i), visible(t.pieces().get(i)));
    }
    ctx.put("ids", t.ids());
    ctx.put("tokens", t.tokens());
    ctx.put("pieces", t.pieces());
    ctx.put("text", t.text());
  }

  /** A piece with its whitespace made visible, in quotes. */
  static String visible(String piece) {
    return "\"" + piece.replace("\n", "\\n").replace("\t", "\\t").replace("\r", "\\r") + "\"";
  }
}
