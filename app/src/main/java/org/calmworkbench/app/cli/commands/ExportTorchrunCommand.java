package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.calmworkbench.app.cli.Args;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.app.cli.Option;
import org.calmworkbench.backend.interop.TorchrunExport;

/** {@code calm export torchrun}: a run as a folder the official CALM code trains with torchrun. */
public final class ExportTorchrunCommand implements Command {
  @Override
  public String name() {
    return "export torchrun";
  }

  @Override
  public String summary() {
    return "turn a CALM or autoencoder run into a folder the official CALM code trains with torchrun on GPUs";
  }

  @Override
  public String description() {
    return summary() + """


        Writes autoencoder/ and calm/ (config.json with the official field names, model.safetensors with
        the official tensor names), tokenizer/ (loadable by AutoTokenizer), data/train.jsonl and
        data/valid.json, train_autoencoder.sh and train_calm.sh (torchrun command lines with the run's
        architecture and optimiser; NNODES, NPROC_PER_NODE and more as variables) and a README. The
        results come back through the Runs page and 'calm runs list'. See docs/INTEROP.md.""";
  }

  @Override
  public List<Option> options() {
    return List.of(
        Option.value("run", "DIR", "a workbench CALM or autoencoder run folder").required(),
        Option.list("corpus", "PATH", "text to train on (default: the run's corpus, from its split.json)"),
        Option.value("out", "DIR", "a new or empty folder").required());
  }

  @Override
  public int run(Args args, CliContext ctx) throws Exception {
    List<Path> corpus = args.has("corpus") ? args.paths("corpus") : List.of();
    TorchrunExport.Result r = TorchrunExport.run(new TorchrunExport.Request(args.path("run"), corpus, args.path("out")));
    ctx.out().printf(Locale.ROOT, "exported the %s run %s -> %s%n", r.runType().key(), args.path("run"), r.out());
    ctx.out().printf(Locale.ROOT, "data: %,d training documents (%,d chars), %,d validation documents (%,d chars)%n",
        r.trainDocuments(), r.trainChars(), r.validDocuments(), r.validChars());
    ctx.out().println("autoencoder overrides: " + r.aeOverrides());
    ctx.out().println("CALM overrides:        " + r.calmOverrides());
    r.warnings().forEach(w -> ctx.log("note: " + w));
    ctx.out().println("next: WORK_PATH=/path/to/the/official/calm " + r.out().resolve("train_calm.sh")
        + "   (README.md in the folder says more)");
    ctx.put("out", r.out().toAbsolutePath());
    ctx.put("run_type", r.runType().key());
    ctx.put("train_documents", r.trainDocuments());
    ctx.put("valid_documents", r.validDocuments());
    ctx.put("autoencoder_overrides", r.aeOverrides());
    ctx.put("calm_overrides", r.calmOverrides());
    ctx.put("warnings", r.warnings());
    return 0;
  }
}
