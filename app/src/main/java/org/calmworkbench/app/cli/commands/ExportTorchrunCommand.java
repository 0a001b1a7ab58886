package org.calmworkbench.app.cli.commands;

import java.nio.file.Path;
import java.util.List;
import java.util.Locale;
import org.calmworkbench.app.cli.CliContext;
import org.calmworkbench.app.cli.Command;
import org.calmworkbench.backend.interop.TorchrunExport;
import picocli.CommandLine.Option;

/** {@code calm export torchrun}: a run as a folder the official CALM code trains with torchrun. */
public final class ExportTorchrunCommand implements Command {
  @Option(names = "--run", paramLabel = "DIR", required = true, description = "a workbench CALM or autoencoder run folder")
  Path run;
  @Option(names = "--corpus", arity = "1..*", paramLabel = "PATH", description = "text to train on (default: the run's corpus, from its split.json)")
  List<Path> corpus;
  @Option(names = "--out", paramLabel = "DIR", required = true, description = "a new or empty folder")
  Path out;

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
  public int run(CliContext ctx) throws Exception {
    TorchrunExport.Result r = TorchrunExport.run(new TorchrunExport.Request(run, corpus == null ? List.of() : corpus, out));
    ctx.out().printf(Locale.ROOT, "exported the %s run %s -> %s%n", r.runType().key(), run, r.out());
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
