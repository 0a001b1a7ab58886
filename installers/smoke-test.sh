#!/usr/bin/env bash
# Smoke test of a built or installed CALM Workbench, from an empty HOME and without a display:
#   1. version            reports DJL and PyTorch, the device, and the bundled native library
#   2. inspect forward    parity with ../shared/reference/energy (max abs difference < 1e-4)
#   3. bad input          exit code 2 and one error line, as ./calm
#   4. no argument        what the desktop entry runs: without a display, the headless demo, on the
#                         person's copy of the sample project (~/CALM Workbench/grammar-english)
#   and afterwards: nothing in the install folder changed, nothing extracted to ~/.djl.ai/pytorch.
#
#   installers/smoke-test.sh                       the app image in installers/target/app-image
#   installers/smoke-test.sh /usr/bin/calm-workbench   the installed .deb
#   SHARED=/path/to/shared installers/smoke-test.sh    where the parity vectors are (default ../shared)
#
# Takes about 5 minutes on 2 cores, most of it the demo's two 120-second training runs.
# Exit code 0 when every step passed (a step skipped for a missing ../shared is reported, not failed).
set -uo pipefail

here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
repo="$(cd "$here/.." && pwd)"
launcher="${1:-$here/target/app-image/calm-workbench/bin/calm-workbench}"
shared="${SHARED:-$repo/../shared}"

if [ ! -x "$launcher" ]; then
  echo "error: no launcher at $launcher; build it with: mvn -B -Pinstallers -DskipTests package" >&2
  exit 2
fi
launcher="$(readlink -f "$launcher")"
install_dir="$(cd "$(dirname "$launcher")/.." && pwd)"
command -v python3 > /dev/null || { echo "error: python3 is needed to compare the parity vectors" >&2; exit 2; }

work="$(mktemp -d "${TMPDIR:-/tmp}/calm-smoke.XXXXXX")"
export HOME="$work/home"
mkdir -p "$HOME"
# Java takes user.home from the password database, not from $HOME, and the launcher's options are
# fixed; _JAVA_OPTIONS is read by the JVM itself (which notes it on stderr: filtered out below).
export _JAVA_OPTIONS="-Duser.home=$HOME"
# Not from a clone's folder: the bundled sample is looked up in the working folder first.
cd "$HOME"
unset DISPLAY WAYLAND_DISPLAY
stamp="$work/stamp"
touch "$stamp"
files_before="$(find "$install_dir" | wc -l)"
sleep 1 # so that a file written in the same second as the stamp still counts as newer

passed=0
failed=0
skipped=0
pass() { echo "PASS  $1"; passed=$((passed + 1)); }
fail() { echo "FAIL  $1"; failed=$((failed + 1)); }
skip() { echo "SKIP  $1"; skipped=$((skipped + 1)); }
now() { date +%s.%N; }
seconds() { python3 -c "print(f'{$2 - $1:.1f}')"; }

echo "launcher: $launcher"
echo "install folder: $install_dir ($(du -sh "$install_dir" | cut -f1))"
echo "HOME: $HOME (empty)"
echo

# 1. version
t0="$(now)"
"$launcher" version > "$work/version.txt" 2> "$work/version.err"
code=$?
t1="$(now)"
sed 's/^/      /' "$work/version.txt"
if [ "$code" -eq 0 ] && grep -q "^DJL [0-9.]*, PyTorch [0-9.]*" "$work/version.txt" && grep -q "^Device: " "$work/version.txt"; then
  pass "version ($(seconds "$t0" "$t1") s)"
else
  fail "version: exit $code"; cat "$work/version.err"
fi

# 2. parity on the reference energy checkpoint
energy="$shared/reference/energy"
if [ -f "$energy/expected.json" ]; then
  python3 - "$energy/expected.json" "$work/energy-input.json" <<'PY'
import json, sys
e = json.load(open(sys.argv[1]))
json.dump({"input_ids": e["input_ids"], "generator_noise": e["generator_noise"]}, open(sys.argv[2], "w"))
PY
  t0="$(now)"
  "$launcher" inspect forward --checkpoint "$energy" --input "$work/energy-input.json" --json > "$work/forward.json" 2> "$work/forward.err"
  code=$?
  t1="$(now)"
  if [ "$code" -eq 0 ] && python3 - "$energy/expected.json" "$work/forward.json" <<'PY'
import json, sys
expected, got = json.load(open(sys.argv[1])), json.load(open(sys.argv[2]))
def worst(a, b):
    if isinstance(a, list):
        assert len(a) == len(b), "shape differs"
        return max((worst(x, y) for x, y in zip(a, b)), default=0.0)
    return abs(a - b)
bad = False
for key in ("patch_embeddings", "hidden_states", "generator_output"):
    w = worst(expected[key], got[key])
    print(f"      {key}: max abs difference {w:.2e}")
    bad |= not w < 1e-4
sys.exit(1 if bad else 0)
PY
  then
    pass "inspect forward matches ../shared/reference/energy to 1e-4 ($(seconds "$t0" "$t1") s)"
  else
    fail "inspect forward: exit $code"; cat "$work/forward.err"
  fi
else
  skip "parity: no $energy/expected.json (set SHARED=...)"
fi

# 3. bad input: exit code 2 and one error line
"$launcher" ae eval --checkpoint "$work/no-such-run" --corpus "$work/no-such-corpus" > /dev/null 2> "$work/bad.raw"
code=$?
grep -v "^Picked up _JAVA_OPTIONS" "$work/bad.raw" > "$work/bad.err"
if [ "$code" -eq 2 ] && [ "$(wc -l < "$work/bad.err")" -eq 1 ] && grep -q "^error: " "$work/bad.err"; then
  pass "bad input gives exit 2 and one line: $(cat "$work/bad.err")"
else
  fail "bad input: exit $code"; cat "$work/bad.err"
fi

# 4. no argument, no display: the headless demo on the person's copy of the sample project
t0="$(now)"
"$launcher" > "$work/demo.txt" 2> "$work/demo.err"
code=$?
t1="$(now)"
copy="$HOME/CALM Workbench/grammar-english"
sed 's/^/      /' "$work/demo.txt" | grep -E "demo on project|sigma 0\.0|T=1\.0|T=0\.5" | head -6
if [ "$code" -eq 0 ] && grep -q "^note: no display found" "$work/demo.err" \
    && grep -qF "demo on project 'grammar-english' ($copy)" "$work/demo.txt" \
    && grep -q "4. Generation" "$work/demo.txt" && [ -f "$copy/runs/demo-lm/config.json" ]; then
  pass "headless demo (no argument, no display) on $copy ($(seconds "$t0" "$t1") s)"
else
  fail "headless demo: exit $code"; tail -20 "$work/demo.err"
fi

# Nothing written inside the install folder; the native library was not extracted to ~/.djl.ai.
changed="$(find "$install_dir" -newer "$stamp" | head -5)"
files_after="$(find "$install_dir" | wc -l)"
if [ -z "$changed" ] && [ "$files_before" -eq "$files_after" ]; then
  pass "install folder unchanged ($files_after entries)"
else
  fail "install folder changed: $files_before -> $files_after entries; newer: $changed"
fi
if [ ! -e "$HOME/.djl.ai/pytorch" ]; then
  pass "PyTorch loaded from the install folder (nothing under ~/.djl.ai/pytorch; ~/.djl.ai holds: $(ls "$HOME/.djl.ai" 2>/dev/null | tr '\n' ' '))"
else
  fail "PyTorch was extracted to ~/.djl.ai/pytorch: $(ls "$HOME/.djl.ai/pytorch")"
fi

echo
echo "$passed passed, $failed failed, $skipped skipped (logs in $work)"
[ "$failed" -eq 0 ]
