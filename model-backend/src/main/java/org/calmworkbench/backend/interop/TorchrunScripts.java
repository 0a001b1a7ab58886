package org.calmworkbench.backend.interop;

import java.util.ArrayList;
import java.util.List;
import org.calmworkbench.backend.train.TrainConfig;

/**
 * The torchrun command lines of an export: {@code train_autoencoder.sh} and {@code train_calm.sh}
 * for the official {@code train.train_autoencoder} / {@code train.train_calm} (Hugging Face
 * Trainer scripts), and the folder's README. Every flag written here is one of the official
 * scripts' own (their {@code ModelArguments}, {@code DataTrainingArguments}) or of
 * {@code transformers.TrainingArguments} 4.43; {@code interop/official-script-flags.txt} in the
 * tests lists them with their source.
 */
public final class TorchrunScripts {
  private TorchrunScripts() {}

  /**
   * One training launch.
   *
   * @param module the official module ({@code train.train_autoencoder} or {@code train.train_calm})
   * @param name the checkpoint folder name under {@code $WORK_PATH/checkpoints}
   * @param modelFolder the exported model folder ({@code autoencoder} or {@code calm}) for
   *     {@code INIT_FROM_WORKBENCH=1}
   * @param configOverrides the architecture for training from scratch
   * @param blockSize tokens per training sequence
   * @param globalBatch sequences per optimiser step, as in the workbench run
   * @param train the run's optimiser, schedule, seed and evaluation interval
   * @param maxSteps optimiser steps
   */
  public record Launch(String module, String name, String modelFolder, String configOverrides, int blockSize,
      int globalBatch, TrainConfig train, long maxSteps) {
    boolean isCalm() {
      return module.endsWith("train_calm");
    }
  }

  /** The bash script of {@code launch}; runs from any directory, reads its settings from variables. */
  public static String script(Launch l, String runName) {
    int perDevice = Math.max(1, Math.min(l.globalBatch(), l.isCalm() ? 4 : 8));
    long saveSteps = l.train().evalEvery() * Math.max(1, ceilDiv(l.maxSteps(), 5L * l.train().evalEvery()));
    List<String> flags = new ArrayList<>();
    if (l.isCalm()) {
      flags.add("--ae_name_or_path \"$AE_PATH\"");
    }
    flags.add("--tokenizer_name \"$EXPORT_PATH/tokenizer\"");
    flags.add("\"${MODEL_ARGS[@]}\"");
    flags.add("--train_file \"$EXPORT_PATH/data/" + TorchrunExport.TRAIN_FILE + "\"");
    flags.add("--validation_file \"$EXPORT_PATH/data/" + TorchrunExport.VALID_FILE + "\"");
    flags.add("--keep_linebreaks True");
    flags.add("--block_size " + l.blockSize());
    flags.add("--learning_rate " + number(l.train().lr()));
    // The workbench warms up linearly, then holds the rate: "constant" would skip the warmup.
    flags.add("--lr_scheduler_type constant_with_warmup");
    flags.add("--warmup_steps " + l.train().warmupSteps());
    flags.add("--weight_decay " + number(l.train().weightDecay()));
    flags.add("--adam_beta1 " + number(l.train().beta1()));
    flags.add("--adam_beta2 " + number(l.train().beta2()));
    flags.add("--max_grad_norm " + number(l.train().gradClip()));
    flags.add("--seed " + l.train().seed());
    flags.add("--per_device_train_batch_size \"$PER_DEVICE_BATCH\"");
    flags.add("--per_device_eval_batch_size 1");
    flags.add("--gradient_accumulation_steps \"$ACCUM\"");
    flags.add("--num_train_epochs 1");
    flags.add("--max_steps \"$MAX_STEPS\"");
    flags.add("--save_strategy steps");
    flags.add("--save_steps " + saveSteps);
    flags.add("--evaluation_strategy steps");
    flags.add("--eval_steps " + l.train().evalEvery());
    flags.add("--logging_steps " + Math.max(1, Math.min(100, l.train().evalEvery())));
    flags.add("--do_train");
    flags.add("--do_eval");
    flags.add("--save_safetensors False");
    flags.add("--output_dir \"$OUTPUT_DIR\"");
    flags.add("--overwrite_output_dir");
    flags.add("--bf16 \"$BF16\"");

    StringBuilder s = new StringBuilder();
    s.append("#!/bin/bash\n");
    s.append("# ").append(l.isCalm() ? "The CALM language model" : "The autoencoder").append(" of workbench run ")
        .append(runName).append(", trained by the official CALM code\n");
    s.append("# (https://github.com/shaochenze/calm) with the run's settings. Written by `calm export torchrun`; see README.md.\n");
    s.append("# Every setting below can be overridden from the environment, e.g. NNODES=2 NPROC_PER_NODE=8 ./")
        .append(l.isCalm() ? "train_calm.sh" : "train_autoencoder.sh").append("\n");
    s.append("set -euo pipefail\n\n");
    s.append("WORK_PATH=${WORK_PATH:?set WORK_PATH to your clone of https://github.com/shaochenze/calm}\n");
    s.append("EXPORT_PATH=${EXPORT_PATH:-$(cd \"$(dirname \"$0\")\" && pwd)}\n");
    s.append("NNODES=${NNODES:-1}                  # machines\n");
    s.append("NODE_RANK=${NODE_RANK:-0}            # this machine's rank, 0..NNODES-1\n");
    s.append("NPROC_PER_NODE=${NPROC_PER_NODE:-8}  # GPUs per machine\n");
    s.append("MASTER_ADDR=${MASTER_ADDR:-127.0.0.1}\n");
    s.append("MASTER_PORT=${MASTER_PORT:-29500}\n");
    s.append("GLOBAL_BATCH=${GLOBAL_BATCH:-").append(l.globalBatch()).append("}  # sequences of ")
        .append(l.blockSize()).append(" tokens per optimiser step (the workbench run's)\n");
    s.append("PER_DEVICE_BATCH=${PER_DEVICE_BATCH:-").append(perDevice).append("}\n");
    s.append("MAX_STEPS=${MAX_STEPS:-").append(l.maxSteps()).append("}\n");
    s.append("BF16=${BF16:-True}                   # False on GPUs without bfloat16\n");
    if (l.isCalm()) {
      s.append("AE_PATH=${AE_PATH:-$EXPORT_PATH/autoencoder}  # or $WORK_PATH/checkpoints/")
          .append(runName).append("-autoencoder after train_autoencoder.sh\n");
    }
    s.append("OUTPUT_DIR=${OUTPUT_DIR:-$WORK_PATH/checkpoints/").append(l.name()).append("}\n");
    s.append("INIT_FROM_WORKBENCH=${INIT_FROM_WORKBENCH:-0}  # 1: start from the workbench weights in $EXPORT_PATH/")
        .append(l.modelFolder()).append("\n\n");
    s.append("# Gradient accumulation keeps GLOBAL_BATCH whatever the GPU count (at least one sequence per GPU).\n");
    s.append("PER_STEP=$((PER_DEVICE_BATCH * NNODES * NPROC_PER_NODE))\n");
    s.append("ACCUM=$(((GLOBAL_BATCH + PER_STEP - 1) / PER_STEP))\n");
    s.append("if [[ \"$INIT_FROM_WORKBENCH\" == 1 ]]; then\n");
    s.append("  MODEL_ARGS=(--model_name_or_path \"$EXPORT_PATH/").append(l.modelFolder()).append("\")\n");
    s.append("else\n");
    s.append("  MODEL_ARGS=(--config_overrides \"").append(l.configOverrides()).append("\")\n");
    s.append("fi\n\n");
    s.append("cd \"$WORK_PATH\"\n");
    s.append("torchrun --nnodes \"$NNODES\" --node_rank \"$NODE_RANK\" --nproc_per_node \"$NPROC_PER_NODE\" \\\n");
    s.append("    --master_addr \"$MASTER_ADDR\" --master_port \"$MASTER_PORT\" \\\n");
    s.append("    -m ").append(l.module()).append(" \\\n");
    for (int i = 0; i < flags.size(); i++) {
      s.append("    ").append(flags.get(i)).append(i + 1 < flags.size() ? " \\\n" : "\n");
    }
    return s.toString();
  }

  /** The export folder's README: what is in it, how to train on a cluster, how to bring the run back. */
  public static String readme(String runName, String runType, boolean calmWeights, List<String> warnings) {
    StringBuilder s = new StringBuilder();
    s.append("# ").append(runName).append(": scale-out with the official CALM code\n\n");
    s.append("Exported by `calm export torchrun` from a workbench ").append(runType).append(" run. Trains as it is\n");
    s.append("with the official repository (PyTorch, Hugging Face Trainer, torchrun).\n\n");
    s.append("| path | what |\n|---|---|\n");
    s.append("| `autoencoder/` | config.json (official `AutoencoderConfig` fields) and model.safetensors (official names) |\n");
    s.append("| `calm/` | config.json (official `CALMConfig` fields)")
        .append(calmWeights ? " and model.safetensors (official names, the frozen autoencoder under `ae_model.*`)"
            : "; no weights (the run was an autoencoder run: train_calm.sh trains CALM from scratch)").append(" |\n");
    s.append("| `tokenizer/` | tokenizer.json, tokenizer_config.json, special_tokens_map.json (`AutoTokenizer` loads it) |\n");
    s.append("| `data/train.jsonl`, `data/valid.json` | `{\"text\": ...}` per line; the validation file ends in `.json` because"
        + " the official scripts accept only csv/json/txt there |\n");
    s.append("| `train_autoencoder.sh`, `train_calm.sh` | torchrun command lines with the run's architecture and optimiser |\n\n");
    s.append("## Train on a cluster\n\n```bash\n");
    s.append("git clone https://github.com/shaochenze/calm && cd calm && pip install -r requirements.txt\n");
    s.append("export WORK_PATH=$PWD                      # the official code\n");
    s.append("export NNODES=1 NPROC_PER_NODE=8           # machines and GPUs per machine (NODE_RANK, MASTER_ADDR on each)\n");
    s.append("bash /path/to/this/folder/train_autoencoder.sh  # optional: the run's autoencoder is already in autoencoder/\n");
    s.append("bash /path/to/this/folder/train_calm.sh         # AE_PATH=$WORK_PATH/checkpoints/")
        .append(runName).append("-autoencoder to use the new one\n```\n\n");
    s.append("Both scripts train from scratch with the run's architecture (`--config_overrides`);\n");
    s.append("`INIT_FROM_WORKBENCH=1` starts from the workbench weights instead (`--model_name_or_path`).\n");
    s.append("`GLOBAL_BATCH`, `PER_DEVICE_BATCH`, `MAX_STEPS`, `BF16` and `OUTPUT_DIR` can be set the same way;\n");
    s.append("gradient accumulation keeps the run's global batch whatever the GPU count.\n\n");
    s.append("## Bring the results back\n\n");
    s.append("Copy the output folder (`$WORK_PATH/checkpoints/...`, with its `trainer_state.json` and `checkpoint-N/`)\n");
    s.append("into the project's `runs/` folder: the Runs page and `calm runs list` show its loss and evaluation\n");
    s.append("curves beside the local runs.\n\n");
    s.append("## One GPU, no cluster\n\n");
    s.append("The workbench itself trains on one NVIDIA GPU: build it with `mvn -Pcuda` and pass `--device gpu`\n");
    s.append("(see the workbench's docs/GPU.md).\n");
    if (!warnings.isEmpty()) {
      s.append("\n## Differences from the workbench run\n\n");
      warnings.forEach(w -> s.append("- ").append(w).append('\n'));
    }
    return s.toString();
  }

  private static long ceilDiv(long a, long b) {
    return (a + b - 1) / b;
  }

  /** A number as Python reads it, without a trailing ".0" on integers ("0.1", "0.95", "3e-4" as "3.0e-4"). */
  static String number(double v) {
    if (v == Math.rint(v) && Math.abs(v) < 1e15) {
      return Long.toString((long) v);
    }
    return OfficialConfig.floatText(v);
  }
}
