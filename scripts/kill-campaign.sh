#!/usr/bin/env bash
# kill -9 during training (issue 13, goal 2), and two writers on one folder (goal 4).
#
#   scripts/kill-campaign.sh ae|lm|ar|experiment [KILLS]   KILLS (default 20) kill -9s of one trainer, or of
#                                                           'calm experiment run --jobs N' on a 3-cell grid
#                                                           (N = $KILL_GRID_JOBS, default 2; 1 runs every
#                                                           cell in the runner; see experiment_campaign below)
#   scripts/kill-campaign.sh two-writers                    a second writer is refused; a killed one's lock is taken over
#   scripts/kill-campaign.sh full-disk|read-only|corpus|folder ae|lm|ar|all
#                                                           hostile file systems (goal 3), see below
#
# Each round starts the training (fresh, or --resume once a checkpoint exists), kills it with
# SIGKILL either at a random moment (0-6 s after its first progress line) or, every other round, the
# moment a checkpoint save is in progress (OUT/.pending exists), then checks that the checkpoint
# loads (ae encode / generate) and that the next round's --resume starts. A final resume must end
# with exit 0 at the step target. Each round also measures the training lost to the kill: from
# the later of the kept checkpoint's save (its trainer_state.json's time) and the round's first
# progress line, to the kill; it must stay within one checkpoint interval (checkpoint_every = 1 s)
# plus $KILL_LOST_SLACK seconds (default 2: one step and one save on a loaded machine). Prints one
# line per round and a summary line:
#   kill-campaign ae: 20/20 kills resumable (11 during a save), final step 400, 0 failures;
#     training lost per kill: median 0.61 s, max 1.48 s (bound 1 s + 2 s)
# Tiny shapes, OMP_NUM_THREADS=1, one training process at a time. Work folder: $KILL_WORK or a
# temp folder (kept on failure). Exit 0 when every round passed, 1 otherwise.
#
# Hostile file systems (issue 13, goal 3), each for one trainer or all three, on real mounts in a
# private mount namespace (unshare -m; root or user namespaces needed, else the mode says so):
#   full-disk  training into a 64 MB tmpfs that another program fills (dd) after the first checkpoint
#   read-only  a fresh run and a --resume into a read-only mount are refused; a run whose folder is
#              made read-only mid-run (a read-only bind mount over it) stops at its next save
#   corpus     the corpus deleted mid-run (the run goes on from its token cache), then a --resume
#              without it is refused naming it
#   folder     the run folder deleted mid-run, and moved mid-run (then resumed from its new place)
# Each refused run must exit 1 (2 for the missing corpus) with one "error:" line naming the path,
# leave no .pending and no temp file, keep the last checkpoint loadable, and resume to exit 0 once
# the space, the write access or the corpus is back. One line per case and a summary line:
#   fault-campaign full-disk ae: 1/1 cases ok, 0 failures
set -uo pipefail

root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
fault=""
case "${1:-}" in
  full-disk|read-only|corpus|folder)
    fault="$1"
    if [ -z "${KILL_CAMPAIGN_NS:-}" ]; then
      # a private mount namespace: the tmpfs and read-only mounts are seen by this script alone
      if [ "$(id -u)" -eq 0 ]; then ns=(unshare -m --propagation private); else ns=(unshare -rm --propagation private); fi
      "${ns[@]}" true 2> /dev/null || { echo "kill-campaign $1: cannot make a mount namespace (unshare -m); not run" >&2; exit 1; }
      KILL_CAMPAIGN_NS=1 exec "${ns[@]}" "$0" "$@"
    fi
    set -- "${2:?usage: kill-campaign.sh $fault ae|lm|ar|all}" ;;
esac
mode="${1:?usage: kill-campaign.sh ae|lm|ar|experiment|two-writers [KILLS]}"
kills="${2:-20}"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
calm="${CALM:-$root/calm}" # CALM=/copy/of/calm: a build that later edits here do not replace under a campaign
work="${KILL_WORK:-$(mktemp -d "${TMPDIR:-/tmp}/kill-campaign.XXXXXX")}"
mkdir -p "$work"
sample="$root/sample-projects/grammar-english"
tok="$sample/runs/sample-autoencoder/tokenizer.json"
corpus="$work/corpus.jsonl"
head -n 400 "$sample/corpus/train.jsonl" > "$corpus"
target=100000 # steps: never reached while killing; the final round lowers it
checkpoint_every=1
common=(--preset tiny --set checkpoint_every=$checkpoint_every --set eval_every=1000000 --seed 7)

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
  cmd+=("${extra[@]}")
}
extra=() # more options for train_cmd

check_loads() {
  case "$mode" in
    ae) "$calm" ae encode --checkpoint "$out" --text "The little robot found a red ball." > "$work/load.log" 2>&1 ;;
    lm|ar) "$calm" generate --checkpoint "$out" --prompt "The little robot" --max-tokens 4 --seed 1 > "$work/load.log" 2>&1 ;;
  esac
}

mtime() { stat -c %.3Y "$1" 2> /dev/null || echo 0; } # seconds, to the millisecond

state_step() { # the "step" of OUT/trainer_state.json (one-line JSON), or none; cheap enough to poll
  local s
  s="$(sed -n 's/.*"step":\([0-9][0-9]*\).*/\1/p' "$out/trainer_state.json" 2> /dev/null)"
  echo "${s:-none}"
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
  local ok=0 failures=0 during_save=0 lost_all=()
  local slack="${KILL_LOST_SLACK:-2}"
  for ((i = 1; i <= kills; i++)); do
    before="$(state_step)"
    train_cmd "$target"
    "${cmd[@]}" > "$work/train-$i.log" 2>&1 &
    pid=$!
    # From the first training step (JVM start, tokenizing and engine start-up take seconds on a busy
    # machine; a kill in them is tried too, by the rounds whose step shows in no progress line yet).
    started=0
    for _ in $(seq 1 2400); do
      if grep -qE ' [0-9]+/[0-9]+ ' "$work/train-$i.log" 2>/dev/null; then started="$(date +%s.%N)"; break; fi
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.05
    done
    if ((i % 2 == 0)); then
      how="$(kill_during_save "$pid" 30)"
    else
      sleep "$(python3 -c "import random; print(round(random.uniform(0.0, 6.0), 2))")"
      kill -9 "$pid" 2>/dev/null
      how=random
    fi
    killed_at="$(date +%s.%N)"
    wait "$pid" 2>/dev/null
    code=$?
    after="$(state_step)"
    # training lost: since the later of the kept save and this round's first progress line (none: 0)
    lost="$(python3 -c "import sys; k, s, c = map(float, sys.argv[1:]); print('%.2f' % (max(0.0, k - max(s, c)) if s > 0 else 0.0))" \
      "$killed_at" "$started" "$(mtime "$out/trainer_state.json")")"
    lost_all+=("$lost")
    [ "$how" = save ] && during_save=$((during_save + 1))
    verdict=ok
    if [ "$code" -ne 137 ] && [ "$code" -ne 0 ]; then
      verdict="training exited $code before the kill (see $work/train-$i.log)"
    elif [ "$after" != none ] && ! check_loads; then
      verdict="checkpoint does not load: $(tail -n 1 "$work/load.log")"
    elif [ "$before" != none ] && [ "$after" = none ]; then
      verdict="the checkpoint of step $before is gone"
    elif python3 -c "import sys; sys.exit(0 if float(sys.argv[1]) > float(sys.argv[2]) + float(sys.argv[3]) else 1)" \
        "$lost" "$checkpoint_every" "$slack"; then
      verdict="$lost s of training lost, more than checkpoint_every ($checkpoint_every s) + $slack s"
    fi
    if [ "$verdict" = ok ]; then ok=$((ok + 1)); else failures=$((failures + 1)); fi
    echo "round $i: killed ($how), step $before -> $after, $lost s of training lost, $verdict"
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
  lost_summary="$(python3 -c "import statistics, sys; v = [float(x) for x in sys.argv[1:]]; print('median %.2f s, max %.2f s' % (statistics.median(v), max(v)))" "${lost_all[@]}")"
  echo "kill-campaign $mode: $ok/$kills kills resumable ($during_save during a save), final resume to step $final $([ $final_ok = 1 ] && echo ok || echo FAILED), $failures failures; training lost per kill: $lost_summary (bound $checkpoint_every s + $slack s) ($(date -u +%FT%TZ))"
  [ "$failures" -eq 0 ] && rm -rf "$work"
  [ "$failures" -eq 0 ]
}

# "ok" when results.jsonl and results.csv are whole (every line a row, each cell at most once, the
# same cells in both), no row is failed, and every cell finished in the snapshot file $1 (from an
# earlier round; none if missing) still has the same result row and the same files (sha256, all but
# .lock); else what was wrong. Writes the snapshot of now to $2 and the number of finished cells to
# $work/finished.
cells_untouched() {
  python3 - "$gout" "$1" "$2" "$work/finished" << 'PY'
import csv, hashlib, json, os, sys
out, before_file, after_file, count_file = sys.argv[1:5]
problems, rows, ids = [], {}, []
results = os.path.join(out, "results.jsonl")
if os.path.exists(results):
    text = open(results, encoding="utf-8").read()
    if text and not text.endswith("\n"):
        problems.append("results.jsonl ends in a torn line")
    for n, line in enumerate(text.splitlines(), 1):
        try:
            row = json.loads(line)
            ids.append(row["cell_id"])
            rows[row["cell_id"]] = line.strip()
            if row["status"] != "ok":
                problems.append("cell %s failed: %s" % (row["cell_id"], row.get("error")))
        except (ValueError, KeyError) as e:
            problems.append("results.jsonl line %d is not a row (%s)" % (n, e))
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        problems.append("results.jsonl holds these cells more than once: " + ", ".join(twice))
    try:
        in_csv = [r["cell_id"] for r in csv.DictReader(open(os.path.join(out, "results.csv"), encoding="utf-8"))]
        if in_csv != ids:
            problems.append("results.csv holds %s, results.jsonl %s" % (in_csv, ids))
    except (OSError, KeyError) as e:
        problems.append("results.csv unreadable (%s)" % e)
snap = {}
for cell, row in rows.items():
    files, top = {}, os.path.join(out, "cells", cell)
    for base, _, names in os.walk(top):
        for n in names:
            if n != ".lock":
                p = os.path.join(base, n)
                files[os.path.relpath(p, top)] = hashlib.sha256(open(p, "rb").read()).hexdigest()
    snap[cell] = {"row": row, "files": files}
before = json.load(open(before_file)) if os.path.exists(before_file) else {}
changed = [c for c in before if snap.get(c) != before[c]]
if changed:
    problems.append("finished cells changed: " + ", ".join(changed))
json.dump(snap, open(after_file, "w"))
open(count_file, "w").write(str(len(snap)))
print("; ".join(problems) or "ok")
PY
}

# The measured columns of results.jsonl (BrierLM, Brier-1..4, FLOPs, steps, tokens seen), one line
# per cell in grid order: what an interrupted grid must end with, equal to an uninterrupted one.
measured() {
  python3 -c 'import json, sys
for line in open(sys.argv[1]):
    r = json.loads(line)
    print(r["cell_id"], r["status"], *(r.get(k) for k in ("brier_lm", "brier_1", "brier_2", "brier_3", "brier_4",
          "positions", "ae_train_flops", "lm_train_flops", "lm_steps", "lm_tokens_seen")))' "$1/results.jsonl"
}

# Cells of the grid in $gout seen finished: result.json files of workers plus rows in results.jsonl.
finished_marks() {
  local files rows
  files="$(find "$gout/cells" -name result.json 2> /dev/null | wc -l)"
  rows="$(cat "$gout/results.jsonl" 2> /dev/null | wc -l)"
  echo $((files + rows))
}

# Worker processes of the grid in $gout still running (orphans of a killed runner), as "pid pid ...".
workers_of_grid() {
  local p ws=""
  for p in $(pgrep -f "experiment worker .*--out $gout " 2> /dev/null); do ws="$ws $p"; done
  echo "${ws# }"
}

# kill -9 of 'calm experiment run --jobs N' on a 3-cell grid (K = 2, K = 4, AR baseline: three
# groups; N = $KILL_GRID_JOBS, default 2: two workers at a time; 1: every cell in the runner's own
# process, no workers; the reference run uses the same N), 2-12 s after its start or, every fifth
# round, the moment a cell has finished (a worker has written its cells/ID/result.json, or the
# runner has recorded the row of a cell it ran itself). Odd rounds kill the runner alone (its
# workers, orphaned, must stop by themselves; the next round starts at once, beside them), even
# rounds the runner and its workers (its process group). After each kill: results.jsonl and
# results.csv whole, each cell at most once, no failed row, finished cells untouched. When a grid
# ends before the kills are all made, a last run checks it and a new grid starts: each cell exactly
# once, ok, with the same BrierLM, FLOPs and steps as an uninterrupted run of the same file;
# nothing half-written (.pending, *.tmp); every LM checkpoint loads; no worker left running.
experiment_campaign() {
  local x="$work/grid.json" ok=0 failures=0 i=0 grids=0 untouched final ref="$work/reference" cells=3 orphans
  local results when how jobs="${KILL_GRID_JOBS:-2}"
  cat > "$x" << EOF
{"name": "kill-campaign", "corpus": "$corpus", "tokenizer": {"path": "$tok"},
 "autoencoder": {"preset": "tiny"},
 "lm": {"preset": "tiny", "context_tokens": 32, "set": {"batch_size": 8, "checkpoint_every": 1}},
 "grid": {"patch_sizes": [2, 4], "heads": ["energy"], "inputs": ["discrete"], "latent_sizes": [32], "seeds": [1],
          "include_ar_baseline": true},
 "budget": {"steps": ${KILL_GRID_STEPS:-800}, "autoencoder_steps": ${KILL_GRID_AE_STEPS:-400}},
 "evaluation": {"positions": 50, "generation_tokens": 8}}
EOF
  local t0=$SECONDS
  "$calm" experiment run "$x" --out "$ref" --jobs "$jobs" > "$work/reference.log" 2>&1 \
    || { echo "kill-campaign experiment: the uninterrupted reference run failed, see $work/reference.log" >&2; exit 1; }
  echo "reference: the uninterrupted grid took $((SECONDS - t0)) s"
  while ((i < kills)); do
    grids=$((grids + 1))
    if ((grids > kills + 2)); then # every grid ended before its kill: the script's kill timing is broken
      echo "kill-campaign experiment: $grids grids for $i kills; stopping"; failures=$((failures + 1)); break
    fi
    gout="$work/grid-$grids"
    local first=$((i + 1))
    while ((i < kills)); do
      i=$((i + 1))
      setsid "$calm" experiment run "$x" --out "$gout" --jobs "$jobs" > "$work/exp-$i.log" 2>&1 &
      pid=$! # setsid: its own process group, so that even rounds can kill the runner and its workers
      if ((i % 5 == 0)); then
        # the moment a cell has finished: a worker has written its result.json (the runner may not
        # have recorded it yet), or the runner has recorded a row of a cell it ran itself (--jobs 1,
        # or the last group: no result.json; it may not have rewritten results.csv yet)
        when="as a cell finished"
        results="$(finished_marks)"
        for _ in $(seq 1 18000); do
          [ "$(finished_marks)" -gt "$results" ] && break
          kill -0 "$pid" 2> /dev/null || break
          sleep 0.01
        done
      else
        # 2-12 s: JVM start and tokenizing take a few, so most kills land in a training or an evaluation
        when="at random"
        sleep "$(python3 -c "import random; print(round(random.uniform(2.0, 12.0), 2))")"
      fi
      orphans="$(workers_of_grid)"
      if ((i % 2 == 0)); then
        how="runner and workers"
        kill -9 -- "-$pid" 2> /dev/null
      else
        how="runner alone, workers left: ${orphans:-none}"
        kill -9 "$pid" 2> /dev/null
      fi
      wait "$pid" 2> /dev/null
      code=$?
      untouched="$(cells_untouched "$work/snap-$grids-$((i - 1)).json" "$work/snap-$grids-$i.json")"
      if [ "$code" -eq 0 ]; then
        i=$((i - 1)) # the grid ended before the kill: not a kill
        [ "$untouched" = ok ] || { failures=$((failures + 1)); echo "grid $grids: ended, $untouched"; }
        mv "$work/snap-$grids-$((i + 1)).json" "$work/snap-$grids-$i.json"
        echo "grid $grids: the run ended before the kill"
        break
      fi
      if [ "$code" -eq 137 ] && [ "$untouched" = ok ]; then
        ok=$((ok + 1))
        v=ok
      else
        failures=$((failures + 1))
        v="exit $code, $untouched: $(tail -n 1 "$work/exp-$i.log")"
      fi
      echo "grid $grids, kill $i: killed $when ($how), $(cat "$work/finished") of $cells cells finished, $v"
    done
    # The grid's last run: to the end, then the checks (kills $first..$i were made in it).
    if "$calm" experiment run "$x" --out "$gout" --jobs "$jobs" > "$work/exp-final-$grids.log" 2>&1; then
      untouched="$(cells_untouched "$work/snap-$grids-$i.json" "$work/snap-$grids-final.json")"
      local left loads=ok c
      left="$(clean "$gout")"
      for c in "$gout"/cells/*/lm; do
        out="$c"
        mode=lm; [[ "$c" == */ar-* ]] && mode=ar
        check_loads || loads="$c does not load: $(tail -n 1 "$work/load.log")"
      done
      mode=experiment
      if [ "$untouched" != ok ] || [ "$(cat "$work/finished")" != "$cells" ]; then
        final="FAILED: $untouched, $(cat "$work/finished") of $cells cells"
      elif ! diff <(measured "$ref") <(measured "$gout") > "$work/measured.diff"; then
        final="FAILED: the results differ from the uninterrupted run's: $(tr '\n' ' ' < "$work/measured.diff")"
      elif [ "$left" != ok ] || [ "$loads" != ok ]; then
        final="FAILED: $left, $loads"
      else
        final=ok
      fi
    else
      final="FAILED: $(tail -n 2 "$work/exp-final-$grids.log")"
    fi
    sleep 2
    orphans="$(workers_of_grid)"
    [ -z "$orphans" ] || final="FAILED: workers still running after the last run: $orphans"
    [ "$final" = ok ] || failures=$((failures + 1))
    echo "grid $grids (kills $first-$i): last run $final"
  done
  echo "kill-campaign experiment --jobs $jobs: $ok/$kills kills followed by a whole results.jsonl with the finished cells untouched, $grids grids each ending with every cell once and the uninterrupted run's numbers, $failures failures ($(date -u +%FT%TZ))"
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

# ---- hostile file systems (goal 3) ----------------------------------------------------------

mnt="$work/mnt"
mkdir -p "$mnt"

# Starts the training of $mode into $out (fresh, or --resume) in the background, log $1; pid in
# $pid. Returns once it has saved a checkpoint of step 1 or more (1 if it ended or took 2 minutes).
start_training() {
  train_cmd "$target"
  "${cmd[@]}" > "$1" 2>&1 &
  pid=$!
  for _ in $(seq 1 1200); do
    local st
    st="$(state_step)"
    [ "$st" != none ] && [ "$st" -ge 1 ] && return 0
    kill -0 "$pid" 2> /dev/null || return 1
    sleep 0.1
  done
  return 1
}

# Waits up to 2 minutes for $pid to end; its exit code in $code (124 if it had to be killed).
finish() {
  for _ in $(seq 1 1200); do kill -0 "$pid" 2> /dev/null || break; sleep 0.1; done
  if kill -0 "$pid" 2> /dev/null; then kill -9 "$pid"; wait "$pid" 2> /dev/null; code=124; else wait "$pid"; code=$?; fi
}

# "ok" when the run of log $1 ended with exit code $2 and one "error:" line containing $3, and no
# stack trace or "internal error"; else what was wrong.
refused() {
  local line
  line="$(grep '^error:' "$1" | tail -n 1)"
  if [ "$code" -ne "$2" ]; then
    echo "exit $code, expected $2: $(tail -n 1 "$1")"
  elif [ -z "$line" ] || [[ "$line" != *"$3"* ]]; then
    echo "no error line naming '$3': $(tail -n 1 "$1")"
  elif [ "$(grep -c '^error:' "$1")" -ne 1 ] || grep -qE '^internal error|^[[:space:]]+at |Exception' "$1"; then
    echo "more than one error line, a stack trace or an internal error in $1"
  else
    echo ok
  fi
}

# "ok" when folder $1 holds nothing half-written: no .pending, no temp file.
clean() {
  local left
  left="$(find "$1" \( -name .pending -o -name '*.tmp' \) 2> /dev/null | head -n 3 | tr '\n' ' ')"
  if [ -z "$left" ]; then echo ok; else echo "left behind: $left"; fi
}

# "ok" when $out's checkpoint loads and metrics.jsonl ends, untorn, at the checkpoint's step.
intact() {
  if ! check_loads; then
    echo "the checkpoint does not load: $(tail -n 1 "$work/load.log")"
  elif ! python3 -c 'import json, sys
lines = open(sys.argv[1]).read().split("\n")
step = json.load(open(sys.argv[2]))["step"]
sys.exit(0 if lines[-1] == "" and json.loads(lines[-2])["step"] == step else 1)' "$out/metrics.jsonl" "$out/trainer_state.json" 2> /dev/null; then
    echo "metrics.jsonl is torn or does not end at step $(state_step)"
  else
    echo ok
  fi
}

# "ok" when $out resumes to 3 steps past its checkpoint and ends with exit 0 (log $1).
resumes() {
  local to=$(( $(state_step) + 3 ))
  train_cmd "$to"
  if "${cmd[@]}" > "$1" 2>&1 && [ "$(state_step)" = "$to" ]; then echo ok; else echo "resume failed: $(tail -n 1 "$1")"; fi
}

# Prints the error line of log $1, indented, for the record.
show() {
  grep '^error:' "$1" | tail -n 1 | sed 's/^/    /'
}

cases_ok=0
case_failures=0
# Records one case: $1 its name, then the checks' verdicts (each "ok" or what was wrong).
report() {
  local name=$1 bad=""
  shift
  for v in "$@"; do [ "$v" = ok ] || bad="$bad; $v"; done
  if [ -z "$bad" ]; then
    cases_ok=$((cases_ok + 1))
    echo "$mode $name: ok"
  else
    case_failures=$((case_failures + 1))
    echo "$mode $name: FAILED${bad}"
  fi
}

full_disk() {
  mount -t tmpfs -o size=64m tmpfs "$mnt"
  out="$mnt/run"
  local log="$work/$mode-full-disk.log"
  if start_training "$log"; then
    dd if=/dev/zero of="$mnt/filler" bs=1M > /dev/null 2>&1 # until the disk is full
    finish
    local kept
    kept="$(state_step)"
    report "full disk (kept step $kept, $(df --output=avail -k "$mnt" | tail -n 1 | tr -d ' ') kB free)" \
      "$(refused "$log" 1 "in $out: no space left on device")" "$(clean "$out")" "$(intact)" \
      "$(rm -f "$mnt/filler"; resumes "$work/$mode-full-disk-resume.log")" "$(clean "$out")"
    show "$log"
  else
    kill -9 "$pid" 2> /dev/null
    report "full disk" "no first checkpoint: $(tail -n 1 "$log")"
  fi
  umount "$mnt"
}

read_only() {
  mount -t tmpfs -o size=64m tmpfs "$mnt"
  out="$mnt/run"
  local log="$work/$mode-read-only.log"
  if start_training "$log"; then
    # The kernel refuses to remount a file system read-only while a file on it is open for writing
    # (the run's .lock); a read-only bind mount over the folder is made read-only all the same.
    mount --bind "$out" "$out" && mount -o remount,bind,ro "$out"
    finish
    report "folder made read-only mid-run (kept step $(state_step))" \
      "$(refused "$log" 1 "in $out: read-only file system")" "$(clean "$out")" "$(intact)"
    show "$log"
    train_cmd "$target"
    "${cmd[@]}" > "$work/$mode-read-only-resume.log" 2>&1
    code=$?
    report "--resume into the read-only folder" \
      "$(refused "$work/$mode-read-only-resume.log" 1 "cannot write to $out: read-only file system")" "$(intact)"
    show "$work/$mode-read-only-resume.log"
    umount "$out"
    report "--resume once writable again" "$(resumes "$work/$mode-read-only-rw.log")" "$(clean "$out")"
  else
    kill -9 "$pid" 2> /dev/null
    report "read-only" "no first checkpoint: $(tail -n 1 "$log")"
  fi
  umount "$mnt"
  mount -t tmpfs -o ro,size=1m tmpfs "$mnt"
  out="$mnt/run"
  train_cmd "$target"
  "${cmd[@]}" > "$work/$mode-read-only-fresh.log" 2>&1
  code=$?
  report "a fresh run into a read-only mount" "$(refused "$work/$mode-read-only-fresh.log" 1 "cannot write to $out: read-only file system")"
  show "$work/$mode-read-only-fresh.log"
  umount "$mnt"
}

corpus_deleted() {
  local kept_corpus="$corpus" log="$work/$mode-corpus.log"
  corpus="$work/corpus-$mode.jsonl"
  cp "$kept_corpus" "$corpus"
  out="$work/run-corpus-$mode"
  extra=(--time-limit 6)
  if start_training "$log"; then
    rm "$corpus"
    finish
    extra=()
    # the corpus was tokenized into the token cache at the start: the run ends normally
    local ended=ok
    [ "$code" -eq 0 ] || ended="exit $code after the corpus was deleted: $(tail -n 1 "$log")"
    report "corpus deleted mid-run: the run goes on from its token cache" "$ended" "$(intact)" "$(clean "$out")"
    train_cmd "$target"
    "${cmd[@]}" > "$work/$mode-corpus-resume.log" 2>&1
    code=$?
    report "--resume without the corpus" "$(refused "$work/$mode-corpus-resume.log" 2 "$corpus")" "$(intact)"
    show "$work/$mode-corpus-resume.log"
    cp "$kept_corpus" "$corpus"
    report "--resume once the corpus is back" "$(resumes "$work/$mode-corpus-back.log")"
  else
    kill -9 "$pid" 2> /dev/null
    report "corpus" "no first checkpoint: $(tail -n 1 "$log")"
  fi
  extra=()
  corpus="$kept_corpus"
}

folder_deleted() {
  out="$work/run-folder-$mode"
  local log="$work/$mode-folder.log" gone
  if start_training "$log"; then
    for _ in 1 2 3 4 5; do rm -rf "$out" 2> /dev/null && break; done # a save may add files while it deletes
    finish
    gone=ok
    [ ! -e "$out" ] || gone="$out was recreated"
    report "run folder deleted mid-run" "$(refused "$log" 1 "$out")" "$(grep -q 'deleted or moved' "$log" && echo ok || echo "the error does not say deleted or moved")" "$gone"
    show "$log"
  else
    kill -9 "$pid" 2> /dev/null
    report "run folder deleted" "no first checkpoint: $(tail -n 1 "$log")"
  fi
  rm -rf "$out" "$out.moved"
  log="$work/$mode-folder-moved.log"
  if start_training "$log"; then
    mv "$out" "$out.moved"
    finish
    gone=ok
    [ ! -e "$out" ] || gone="$out was recreated"
    local verdict
    verdict="$(refused "$log" 1 "$out")"
    out="$out.moved"
    report "run folder moved mid-run, resumed from its new place" "$verdict" "$gone" "$(intact)" \
      "$(resumes "$work/$mode-folder-moved-resume.log")" "$(clean "$out")"
    show "$log"
  else
    kill -9 "$pid" 2> /dev/null
    report "run folder moved" "no first checkpoint: $(tail -n 1 "$log")"
  fi
}

fault_campaign() {
  local trainers=("$mode")
  [ "$mode" = all ] && trainers=(ae lm ar)
  for mode in "${trainers[@]}"; do
    [ "$mode" = lm ] && ae_for_lm
    case "$fault" in
      full-disk) full_disk ;;
      read-only) read_only ;;
      corpus) corpus_deleted ;;
      folder) folder_deleted ;;
    esac
  done
  echo "fault-campaign $fault ${trainers[*]}: $cases_ok/$((cases_ok + case_failures)) cases ok, $case_failures failures ($(date -u +%FT%TZ))"
  [ "$case_failures" -eq 0 ] && rm -rf "$work"
  [ "$case_failures" -eq 0 ]
}

if [ -n "$fault" ]; then
  case "$mode" in
    ae|lm|ar|all) fault_campaign; exit ;;
    *) echo "usage: kill-campaign.sh $fault ae|lm|ar|all" >&2; exit 2 ;;
  esac
fi

case "$mode" in
  ae|lm|ar) campaign ;;
  experiment) experiment_campaign ;;
  two-writers) two_writers ;;
  *) echo "usage: kill-campaign.sh ae|lm|ar|experiment|two-writers [KILLS]" >&2; exit 2 ;;
esac
