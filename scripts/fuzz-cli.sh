#!/usr/bin/env bash
# CLI arguments out of process (issue 13, goal 1): what CliArgsFuzzTest cannot give in-process,
# bytes that are not UTF-8 in argv (the JVM decodes them before main), through the real ./calm.
#
#   scripts/fuzz-cli.sh
#
# For every command of 'calm help --json': an unknown option whose name holds the bytes FF FE; then
# a few values with them: a number, a missing file, and a corpus file whose name holds them (it
# exists, but Java cannot name it: its name does not decode). Each must exit 2 with exactly one
# "error:" line on stderr, no stack trace, no "internal error". One line per failure and a summary:
#   fuzz-cli: 35 command lines, 0 failures
# Work folder: a temp folder (removed). Exit 0 when nothing failed.
set -uo pipefail

root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
calm="${CALM:-$root/calm}"
export OMP_NUM_THREADS=1
"$calm" version > /dev/null || { echo "fuzz-cli: ./calm does not run" >&2; exit 1; }
export CALM_NO_BUILD=1
work="$(mktemp -d "${TMPDIR:-/tmp}/fuzz-cli.XXXXXX")"
trap 'rm -rf "$work"' EXIT
bad=$'\xff\xfe'
sample="$root/sample-projects/grammar-english"
cp "$sample/corpus/train.jsonl" "$work/corpus-$bad.jsonl"

tried=0
failures=0
# Runs calm with the arguments given; the run must be refused as bad input, one line, no trace.
refused() {
  tried=$((tried + 1))
  "$calm" "$@" > "$work/out" 2> "$work/err" < /dev/null
  local code=$? why=""
  if [ "$code" -ne 2 ]; then
    why="exit $code"
  elif [ "$(grep -c '^error: ' "$work/err")" -ne 1 ] || [ "$(grep -cv '^$' "$work/err")" -ne 1 ]; then
    why="not exactly one 'error:' line"
  elif grep -qE '^[[:space:]]+at |Exception|^internal error' "$work/err"; then
    why="a stack trace or an internal error"
  fi
  if [ -n "$why" ]; then
    failures=$((failures + 1))
    echo "FAILED: calm $(printf '%q ' "$@"): $why: $(head -c 300 "$work/err" | tr '\n' '|')"
  fi
}

commands="$("$calm" help --json | python3 -c 'import json, sys; print("\n".join(c["name"] for c in json.load(sys.stdin)["commands"]))')"
while IFS= read -r c; do
  # shellcheck disable=SC2086 # the command's words, split on purpose
  refused $c "--no-such-$bad"
done <<< "$commands"

refused generate --checkpoint "$sample/runs/sample-calm" --prompt The --max-tokens "$bad"
refused generate --checkpoint "$work/missing-$bad" --prompt The
refused tokenizer encode --tokenizer "$work/$bad" --text The
refused ae train --corpus "$work/corpus-$bad.jsonl" --tokenizer "$sample/runs/sample-autoencoder/tokenizer.json" \
  --out "$work/run" --preset tiny --steps 1
refused experiment run "$work/$bad.json" --out "$work/grid"

echo "fuzz-cli: $tried command lines, $failures failures ($(date -u +%FT%TZ))"
[ "$failures" -eq 0 ]
