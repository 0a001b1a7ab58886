#!/usr/bin/env bash
# One row of the CALM recipe ablation (docs/EXPERIMENTS.md, "Recipe ablation"): trains an
# autoencoder (or reuses one trained with the same settings), then a CALM model on it, and prints
# one table row from the run's metrics.jsonl: BrierLM, Brier-1..4, the held-out energy loss next to
# its marginal and oracle levels, the on-manifold fraction, LM training FLOPs and wall time.
#
#   scripts/ablation-row.sh NAME "AE --set keys" "LM --set keys" [extra lm train flags...]
#   scripts/ablation-row.sh base "" ""
#   scripts/ablation-row.sh lr3e-3 "" "lr=0.003"
#   scripts/ablation-row.sh l16 "latent_size=16" ""
#
# Environment: CORPUS (default the bundled grammar-english sample), AE_PRESET (tiny), LM_PRESET
# (tiny), AE_STEPS (1500), LM_STEPS (1500), VOCAB (512), SEED (1), OUT (/tmp/ablation), and
# LM_BASE ("context_chunks=8 batch_size=8 target_samples=8": the K sweep's classroom settings).
# AE_DIR=DIR reuses an autoencoder checkpoint (AE settings are then ignored).
# AR=1 trains the AR baseline with the same backbone instead of CALM (AE settings still pick the tokenizer).
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
name="${1:?usage: $0 NAME AE_SETS LM_SETS [lm train flags]}"
ae_sets="${2:-}"
lm_sets="${3:-}"
shift 3 || true
corpus="${CORPUS:-$root/sample-projects/grammar-english/corpus/train.jsonl}"
out="${OUT:-/tmp/ablation}"
seed="${SEED:-1}"
ae_preset="${AE_PRESET:-tiny}"
lm_preset="${LM_PRESET:-tiny}"
lm_base="${LM_BASE-context_chunks=8 batch_size=8 target_samples=8}"
mkdir -p "$out"

sets() { for kv in $1; do printf -- '--set %s ' "$kv"; done; }

ae_key="$(printf '%s|%s|%s|%s|%s|%s' "$corpus" "$ae_preset" "${AE_STEPS:-1500}" "${VOCAB:-512}" "$seed" "$ae_sets" | sha256sum | cut -c1-10)"
ae="${AE_DIR:-$out/ae-$ae_key}"   # AE_DIR: use this trained autoencoder instead
if [ ! -f "$ae/model.safetensors" ]; then
  rm -rf "$ae"
  # shellcheck disable=SC2046
  "$root/calm" ae train --corpus "$corpus" --out "$ae" --preset "$ae_preset" --vocab-size "${VOCAB:-512}" \
    --steps "${AE_STEPS:-1500}" --seed "$seed" $(sets "$ae_sets") --json > "$ae.json" 2> "$ae.log"
fi
run="$out/$name-s$seed"
rm -rf "$run"
start=$(date +%s)
if [ -n "${AR:-}" ]; then
  # shellcheck disable=SC2046
  "$root/calm" ar train --tokenizer "$ae" --corpus "$corpus" --out "$run" --preset "$lm_preset" \
    --steps "${LM_STEPS:-1500}" --seed "$seed" $(sets "${lm_base/target_samples=8/} $lm_sets") "$@" --json > "$run.json" 2> "$run.log"
else
  # shellcheck disable=SC2046
  "$root/calm" lm train --autoencoder "$ae" --corpus "$corpus" --out "$run" --preset "$lm_preset" \
    --steps "${LM_STEPS:-1500}" --seed "$seed" $(sets "$lm_base $lm_sets") "$@" --json > "$run.json" 2> "$run.log"
fi
end=$(date +%s)
python3 "$root/scripts/metrics-row.py" "$name" "$run" "$((end - start))" "ae: $ae_sets; lm: $lm_sets $*" | tee -a "$out/rows.md"
