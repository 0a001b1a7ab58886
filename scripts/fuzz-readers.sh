#!/usr/bin/env bash
# The long run of the reader fuzzing (issue 13, goal 1); CI runs 200 inputs per reader.
#   scripts/fuzz-readers.sh [INPUTS_PER_READER] [SEED]     e.g. scripts/fuzz-readers.sh 20000 7
# Prints one line per reader: inputs, how many read and how many were refused cleanly, seconds.
# A failing input is kept in model-backend/target/fuzz-failures/.
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
mvn -o -q -B test -pl model-backend -am -Dsurefire.failIfNoSpecifiedTests=false -Dtest=ReaderFuzzTest \
  -Dcalm.fuzz.iterations="${1:-5000}" -Dcalm.fuzz.seed="${2:-$(date +%s)}" 2>&1 | grep -a -o -E 'fuzz [a-zA-Z].*|FAIL.*|input [0-9]+ \(seed.*' || true
