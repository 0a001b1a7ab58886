#!/usr/bin/env bash
# kill -9 during training (issue 13, goal 2), and two writers on one folder (goal 4).
#
#   scripts/kill-campaign.sh ae|lm|ar|experiment [KILLS]   KILLS (default 20) kill -9s of one trainer
#   scripts/kill-campaign.sh two-writers                    a second writer is refused; a killed one's lock is taken over
#
# Each round starts the training (fresh, or --resume once a checkpoint exists), kills it with
# SIGKILL either at a random moment (0-6 s after its first progress line) or, every other round, the
# moment a checkpoint save is in progress (OUT/.pending exists), then checks that the checkpoint
# loads (ae encode / generate) and that the next round's --resume starts. A final resume must end
# with exit 0 at the step target. Prints one line per round and a summary line:
#   kill-campaign ae: 20/20 kills resumable (11 during a save), final step 400, 0 failures
# Tiny shapes, OMP_NUM_THREADS=1, one training process at a time. Work folder: $KILL_WORK or a
# temp folder (kept on failure). Exit 0 when every round passed, 1 otherwise.
set -uo pipefail

root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
mode="${1:?usage: kill-campaign.sh ae|lm|ar|experiment|two-writers [KILLS]}"
kills="${2:-20}"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
calm="$root/calm"
work="${KILL_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/kill-campaign.XXXXXX")}"
mkdir -p "$work"
sample="$root/sample-projects/grammar-english"
tok="$sample/runs/sample-autoencoder/tokenizer.json"
corpus="$work/corpus.jsonl"
head -n 400 "$sample/corpus/train.jsonl" > "$corpus"
target=100000 # steps: never reached while killing; the final round lowers it
common=(--preset tiny --set checkpoint_every=1 --set eval_every=1000000 --seed 7)

"$calm" version > /dev/null || { echo "kill-campaign: ./calm does not run" >&2; exit 1; }
export CALM_NO_BUILD=1 # built once above; an edit during the campaign must not rebuild under it

# A tiny autoencoder for the language model (built once, not killed).
ae_for_lm() {
  if [ ! -f "$work/ae/trainer_state.json" ]; then
    "$calm" ae train --corpus "$corpus" --tokenizer "$tok" --out "$work/ae" --preset tiny --steps 40 \
      --set eval_every=1000 > "$work/ae.log" 2>&1 || { echo "kill-campaign: the autoencoder for lm failed, see $work/ae.log" >&2; exit 1; }
  fi
}

out="$work/run"
# Sets cmd to the training command line: fresh, or --resume once OUT holds a checkpoint. $1: steps.
train_cmd() {
  local first=()
  if [ -f "$out/trainer_state.json" ]; then
    first=(--resume)
  elif [ "$mode" = lm ]; then
    first=(--autoencoder "$work/ae")
  else
    first=(--tokenizer "$tok")
  fi
  case "$mode" in
    ae) cmd=("$calm" ae train --corpus "$corpus" "${first[@]}" --out "$out" "${common[@]}" --steps "$1") ;;
    lm|ar) cmd=("$calm" "$mode" train --corpus "$corpus" "${first[@]}" --out "$out" "${common[@]}" --set eval_positions=0 --steps "$1") ;;
  esac
}

check_loads() {
  case "$mode" in
    ae) "$calm" ae encode --checkpoint "$out" --text "The little robot found a red ball." > "$work/load.log" 2>&1 ;;
    lm|ar) "$calm" generate --checkpoint "$out" --prompt "The little robot" --max-tokens 4 --seed 1 > "$work/load.log" 2>&1 ;;
  esac
}

state_step() {
  python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["step"])' "$out/trainer_state.json" 2>/dev/null || echo none
}

# Kills $pid the moment OUT/.pending appears (a save in progress), or after at most $1 seconds.
kill_during_save() {
  local pid=$1 limit=$2 waited=0
  while kill -0 "$pid" 2>/dev/null; do
    if [ -d "$out/.pending" ]; then
      kill -9 "$pid" 2>/dev/null && echo save && return
    fi
    sleep 0.005
    waited=$((waited + 1))
    [ "$waited" -gt $((limit * 200)) ] && break
  done
  kill -9 "$pid" 2>/dev/null
  echo random
}

campaign() {
  [ "$mode" = lm ] && ae_for_lm
  local ok=0 failures=0 during_save=0
  for ((i = 1; i <= kills; i++)); do
    before="$(state_step)"
    train_cmd "$target"
    "${cmd[@]}" > "$work/train-$i.log" 2>&1 &
    pid=$!
    # From the first training step (JVM start, tokenizing and engine start-up take seconds on a busy
    # machine; a kill in them is tried too, by the rounds whose step shows in no progress line yet).
    for _ in $(seq 1 2400); do
      grep -qE ' [0-9]+/[0-9]+ ' "$work/train-$i.log" 2>/dev/null || ! kill -0 "$pid" 2>/dev/null && break
      sleep 0.05
    done
    if ((i % 2 == 0)); then
      how="$(kill_during_save "$pid" 30)"
    else
      sleep "$(python3 -c "import random; print(round(random.uniform(0.0, 6.0), 2))")"
      kill -9 "$pid" 2>/dev/null
      how=random
    fi
    wait "$pid" 2>/dev/null
    code=$?
    after="$(state_step)"
    [ "$how" = save ] && during_save=$((during_save + 1))
    verdict=ok
    if [ "$code" -ne 137 ] && [ "$code" -ne 0 ]; then
      verdict="training exited $code before the kill (see $work/train-$i.log)"
    elif [ "$after" != none ] && ! check_loads; then
      verdict="checkpoint does not load: $(tail -n 1 "$work/load.log")"
    elif [ "$before" != none ] && [ "$after" = none ]; then
      verdict="the checkpoint of step $before is gone"
    fi
    if [ "$verdict" = ok ]; then ok=$((ok + 1)); else failures=$((failures + 1)); fi
    echo "round $i: killed ($how), step $before -> $after, $verdict"
  done
  # The last round: resume to a close step target and finish cleanly.
  final=$(( $(state_step 2>/dev/null | grep -E '^[0-9]+$' || echo 0) + 20 ))
  train_cmd "$final"
  if "${cmd[@]}" > "$work/final.log" 2>&1 && [ "$(state_step)" = "$final" ] && check_loads; then
    final_ok=1
  else
    final_ok=0
    failures=$((failures + 1))
    echo "final resume failed: $(tail -n 2 "$work/final.log")"
  fi
  echo "kill-campaign $mode: $ok/$kills kills resumable ($during_save during a save), final resume to step $final $([ $final_ok = 1 ] && echo ok || echo FAILED), $failures failures ($(date -u +%FT%TZ))"
  [ "$failures" -eq 0 ] && rm -rf "$work"
  [ "$failures" -eq 0 ]
}

experiment_campaign() {
  local x="$work/grid.json" gout="$work/grid" ok=0 failures=0
  cat > "$x" <<EOF
{"name": "kill-campaign", "corpus": "$corpus", "tokenizer": {"path": "$tok"},
 "autoencoder": {"preset": "tiny"},
 "lm": {"preset": "tiny", "context_tokens": 32, "set": {"batch_size": 8, "checkpoint_every": 1}},
 "grid": {"patch_sizes": [2, 4], "heads": ["energy"], "inputs": ["discrete"], "latent_sizes": [32], "seeds": [1],
          "include_ar_baseline": true},
 "budget": {"steps": 60, "autoencoder_steps": 60},
 "evaluation": {"positions": 50, "generation_tokens": 8}}
EOF
  for ((i = 1; i <= kills; i++)); do
    "$calm" experiment run "$x" --out "$gout" > "$work/exp-$i.log" 2>&1 &
    pid=$!
    sleep "$(python3 -c "import random; print(round(random.uniform(1.0, 8.0), 2))")"
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    code=$?
    if [ "$code" -eq 137 ] || [ "$code" -eq 0 ]; then ok=$((ok + 1)); v=ok; else failures=$((failures + 1)); v="exit $code: $(tail -n 1 "$work/exp-$i.log")"; fi
    echo "round $i: killed, $v"
  done
  if "$calm" experiment run "$x" --out "$gout" > "$work/exp-final.log" 2>&1; then final=ok; else final="FAILED: $(tail -n 2 "$work/exp-final.log")"; failures=$((failures + 1)); fi
  echo "kill-campaign experiment: $ok/$kills kills followed by a clean restart, final run $final, $failures failures ($(date -u +%FT%TZ))"
  [ "$failures" -eq 0 ] && rm -rf "$work"
  [ "$failures" -eq 0 ]
}

two_writers() {
  local failures=0
  "$calm" ae train --corpus "$corpus" --tokenizer "$tok" --out "$out" "${common[@]}" --steps "$target" > "$work/first.log" 2>&1 &
  first=$!
  for _ in $(seq 1 600); do [ -s "$out/.lock" ] && [ -f "$out/trainer_state.json" ] && break; sleep 0.1; done
  "$calm" ae train --corpus "$corpus" --out "$out" --resume "${common[@]}" --steps "$target" > "$work/second.log" 2>&1
  code=$?
  msg="$(grep '^error' "$work/second.log" | head -n 1)"
  echo "second writer: exit $code: $msg"
  { [ "$code" -eq 2 ] && [[ "$msg" == *"pid $first "* ]]; } || { failures=$((failures + 1)); echo "FAILED: expected exit 2 naming pid $first"; }
  kill -9 "$first"; wait "$first" 2>/dev/null
  "$calm" ae train --corpus "$corpus" --out "$out" --resume "${common[@]}" --steps "$(( $(state_step) + 5 ))" > "$work/third.log" 2>&1
  code=$?
  took="$(grep -c "took over the lock of a run that was killed: pid $first " "$work/third.log")"
  echo "after kill -9 of pid $first: resume exit $code, stale lock taken over: $([ "$took" -ge 1 ] && echo yes || echo no)"
  { [ "$code" -eq 0 ] && [ "$took" -ge 1 ]; } || failures=$((failures + 1))
  echo "two-writers: $failures failures ($(date -u +%FT%TZ))"
  [ "$failures" -eq 0 ] && rm -rf "$work"
  [ "$failures" -eq 0 ]
}

case "$mode" in
  ae|lm|ar) campaign ;;
  experiment) experiment_campaign ;;
  two-writers) two_writers ;;
  *) echo "usage: kill-campaign.sh ae|lm|ar|experiment|two-writers [KILLS]" >&2; exit 2 ;;
esac
