#!/usr/bin/env bash
# A project on a read-only medium (issue 13, goal 3): a copy of the bundled sample project, with its
# trained runs, behind a read-only bind mount in a private mount namespace (unshare -m: root, or
# user namespaces). What reads must work; what writes must be refused with one line naming the path:
#
#   ae eval, eval (CALM and AR), generate   exit 0 (the token cache goes to CALM_CACHE_DIR, a temp folder here)
#   ae train --project, lm train --project  exit 1, one "error: cannot write to PROJECT/runs/...: read-only file system"
#
#   scripts/read-only-project.sh          prints one line per case and a summary; exit 0 when all pass
#
# The GUI on such a project was checked by hand under Xvfb (docs/RELIABILITY.md, section 3).
set -uo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
if [ -z "${RO_PROJECT_NS:-}" ]; then
  if [ "$(id -u)" -eq 0 ]; then ns=(unshare -m --propagation private); else ns=(unshare -rm --propagation private); fi
  "${ns[@]}" true 2> /dev/null || { echo "read-only-project: cannot make a mount namespace (unshare -m); not run" >&2; exit 1; }
  RO_PROJECT_NS=1 exec "${ns[@]}" "$0" "$@"
fi
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1
calm="${CALM:-$root/calm}"
work="$(mktemp -d "${TMPDIR:-/tmp}/ro-project.XXXXXX")"
export CALM_CACHE_DIR="$work/user-cache"
mkdir -p "$work/src" "$work/ro"
cp -r "$root/sample-projects/grammar-english/." "$work/src/"
rm -rf "$work/src/.calm-cache"
mount --bind "$work/src" "$work/ro" && mount -o remount,bind,ro "$work/ro" || { echo "read-only-project: mount failed" >&2; exit 1; }
touch "$work/ro/probe" 2> /dev/null && { echo "read-only-project: the mount is writable" >&2; exit 1; }
P="$work/ro"
R="$P/runs"
ok=0
failed=0

# case NAME EXPECTED_EXIT [GREP_IN_STDERR] -- COMMAND...
case_() {
  local name=$1 want=$2 pattern=$3
  shift 4
  "$calm" "$@" > "$work/out" 2> "$work/err"
  local code=$?
  local errors
  errors="$(grep -c '^error:\|internal error' "$work/err")"
  local verdict=ok
  if [ "$code" -ne "$want" ]; then
    verdict="exit $code, wanted $want: $(grep -v 'Warning: AutoNonVariable' "$work/err" | tail -n 1)"
  elif [ "$want" -ne 0 ] && { [ "$errors" -ne 1 ] || ! grep -q "$pattern" "$work/err" || grep -q 'internal error' "$work/err"; }; then
    verdict="wanted one error line with '$pattern', got: $(grep -v 'Warning: AutoNonVariable' "$work/err" | tail -n 2 | tr '\n' ' ')"
  fi
  if [ "$verdict" = ok ]; then ok=$((ok + 1)); else failed=$((failed + 1)); fi
  echo "$name: exit $code, $verdict"
}

case_ "ae eval" 0 "" -- ae eval --project "$P" --checkpoint "$R/sample-autoencoder" --max-patches 200 --noise 0,0.3
case_ "eval CALM" 0 "" -- eval --project "$P" --checkpoint "$R/sample-calm" --positions 16
case_ "eval AR" 0 "" -- eval --project "$P" --checkpoint "$R/sample-ar" --positions 16
case_ "generate" 0 "" -- generate --checkpoint "$R/sample-calm" --prompt "The little robot" --max-tokens 12
case_ "runs list" 0 "" -- runs list --project "$P"
case_ "ae train" 1 "cannot write to $R/ae-.*read-only file system" -- ae train --project "$P" --preset tiny --steps 3
case_ "lm train" 1 "cannot write to $R/lm-.*read-only file system" -- lm train --project "$P" --autoencoder "$R/sample-autoencoder" --preset tiny --steps 3
[ -d "$CALM_CACHE_DIR/tokens" ] && echo "token caches written to CALM_CACHE_DIR: $(ls "$CALM_CACHE_DIR/tokens" | wc -l)"
echo "read-only-project: $ok/$((ok + failed)) cases ok, $failed failures ($(date -u +%FT%TZ))"
umount "$work/ro"
[ "$failed" -eq 0 ] && rm -rf "$work"
[ "$failed" -eq 0 ]
