#!/usr/bin/env bash
# Rebuilds the small trained runs bundled with the grammar-english sample project
# (sample-projects/grammar-english/runs/sample-{autoencoder,calm,ar}), so the Generator, Inspector and
# Latent explorer work the moment the project opens. The shipped recipe, fixed seeds (autoencoder 42,
# language models 1: a seed whose CALM learned, see docs/EXPERIMENTS.md's seed spread), one PyTorch
# thread (results do not depend on the machine's core count), then `calm compact` to bf16 weights
# without optimizer state. About 12 minutes on one core (25 on a shared one).
#
#   scripts/make-sample-runs.sh            # writes the three runs (replacing them)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
project="$root/sample-projects/grammar-english"
corpus="$project/corpus/train.jsonl"
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT
export OMP_NUM_THREADS=1
calm() { "$root/calm" "$@"; }

calm ae train --corpus "$corpus" --out "$work/ae" --preset laptop --steps "${AE_STEPS:-600}" --seed 42
calm lm train --autoencoder "$work/ae" --corpus "$corpus" --out "$work/calm" --preset tiny \
  --steps "${LM_STEPS:-12000}" --seed 1 --set eval_every=3000 --set eval_positions=1000
calm ar train --tokenizer "$work/ae" --corpus "$corpus" --out "$work/ar" --preset tiny \
  --steps "${AR_STEPS:-3000}" --seed 1 --set eval_every=3000 --set eval_positions=1000

for run in autoencoder:ae calm:calm ar:ar; do
  name="${run%%:*}"
  rm -rf "$project/runs/sample-$name"
  calm compact --checkpoint "$work/${run##*:}" --out "$project/runs/sample-$name"
  # The corpus is found through the path relative to the run (compact re-roots it); the absolute
  # fallback would only name this machine's checkout, so it is not shipped.
  sed -i 's/,"corpus_absolute":\[[^]]*\]//' "$project/runs/sample-$name/split.json"
done
du -sh "$project"/runs/sample-*
