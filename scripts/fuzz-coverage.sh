#!/usr/bin/env bash
# Coverage-guided fuzzing of the readers with Jazzer (issue 13, goal 1): each @FuzzTest of
# ReaderCoverageFuzzTest in turn, SECONDS each (one target per JVM: Jazzer fuzzes one per run).
#   scripts/fuzz-coverage.sh [SECONDS_PER_TARGET] [TARGET...]     e.g. scripts/fuzz-coverage.sh 120 safetensors
# Target cliArgs is the command-line parser (app's CliArgsCoverageFuzzTest#commandLines); the others are
# ReaderCoverageFuzzTest's. Needs the modules installed once: mvn -o install -DskipTests.
# Prints one line per target: executions, seconds, coverage edges (libFuzzer's cov:) and features
# (ft:), corpus size, and the findings. A finding (an exception other than a CalmException naming the
# file on one line, an OutOfMemoryError in the 1 GiB heap, a hang over 10 s) is written by Jazzer to
# model-backend/src/test/resources/org/calmworkbench/backend/fuzz/ReaderCoverageFuzzTestInputs/<target>/
# as crash-*/timeout-*, where every `mvn verify` (regression mode) runs it from then on.
# The generated corpus grows in model-backend/.cifuzz-corpus/ (git-ignored) and is reused by the next run.
# Full logs: model-backend/target/fuzz-coverage/<target>.log.
set -uo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"
seconds="${1:-60}"
shift || true
all=(safetensors autoencoderConfig calmConfig arConfig projectJson experimentFile tokenizerJson metricsJsonl
  trainerState splitJson jsonlCorpus textCorpus torchStateDict hfTrainerState cliArgs)
[ $# -gt 0 ] && targets=("$@") || targets=("${all[@]}")
export OMP_NUM_THREADS="${OMP_NUM_THREADS:-1}"
logs="$root/model-backend/target/fuzz-coverage"
mkdir -p "$logs"
# compile the model-backend classes and tests (csv, its dependency, must be installed: mvn -o install -DskipTests)
mvn -o -q -B -pl model-backend,app -am test-compile > "$logs/build.log" 2>&1 || { cat "$logs/build.log"; exit 1; }
printf '%-18s %10s %8s %6s %6s %10s  %s\n' target executions seconds edges ft corpus findings
status=0
for t in "${targets[@]}"; do
  if [ "$t" = cliArgs ]; then
    module=app test="CliArgsCoverageFuzzTest#commandLines" method=commandLines instrument='org.calmworkbench.**,picocli.**' 
    inputs="$root/app/src/test/resources/org/calmworkbench/app/cli/CliArgsCoverageFuzzTestInputs"
  else
    module=model-backend test="ReaderCoverageFuzzTest#$t" method=$t instrument='org.calmworkbench.**,com.google.gson.**' 
    inputs="$root/model-backend/src/test/resources/org/calmworkbench/backend/fuzz/ReaderCoverageFuzzTestInputs"
  fi
  before=$(ls "$inputs/$method" 2>/dev/null | grep -c -E '^(crash|timeout|oom|slow-unit)-' || true)
  start=$(date +%s)
  # jazzer.internal.arg.N: libFuzzer's command line (argv0 first); these come after the annotation's
  # -max_total_time, so they win. Gson is instrumented too: the JSON readers' branches are mostly its.
  JAZZER_FUZZ=1 mvn -o -B -Dstyle.color=never -pl "$module" surefire:test -Dtest="$test" \
    -Dcalm.test.heap=1g -Djazzer.hooks=true -Djazzer.instrument="$instrument" \
    -Djazzer.internal.arg.0=fuzz -Djazzer.internal.arg.1=-max_total_time="$seconds" \
    -Djazzer.internal.arg.2=-timeout=10 -Djazzer.internal.arg.3=-print_final_stats=1 \
    > "$logs/$t.log" 2>&1
  rc=$?
  elapsed=$(( $(date +%s) - start ))
  done_line=$(grep -a -E '^#[0-9]+[[:space:]]+DONE' "$logs/$t.log" | tail -1)
  [ -z "$done_line" ] && done_line=$(grep -a -E '^#[0-9]+[[:space:]]+(pulse|NEW|REDUCE|INITED)' "$logs/$t.log" | tail -1)
  execs=$(grep -a -o -E '^stat::number_of_executed_units: [0-9]+' "$logs/$t.log" | tail -1 | grep -o -E '[0-9]+$')
  [ -z "$execs" ] && execs=$(echo "$done_line" | grep -o -E '^#[0-9]+' | tr -d '#')
  fuzz_seconds=$(grep -a -o -E 'Done [0-9]+ runs in [0-9]+ second' "$logs/$t.log" | tail -1 | grep -o -E 'in [0-9]+' | tr -d 'in ')
  cov=$(echo "$done_line" | grep -o -E 'cov: [0-9]+' | grep -o -E '[0-9]+')
  ft=$(echo "$done_line" | grep -o -E 'ft: [0-9]+' | grep -o -E '[0-9]+')
  corp=$(echo "$done_line" | grep -o -E 'corp: [0-9]+/[0-9]+[a-zA-Z]*' | sed 's/corp: //')
  after=$(ls "$inputs/$method" 2>/dev/null | grep -c -E '^(crash|timeout|oom|slow-unit)-' || true)
  finding=$(grep -a -m1 -E '== Java Exception:|==[0-9]+== ERROR: libFuzzer|Java Assertion|FuzzTestFindingException' "$logs/$t.log" | cut -c1-160)
  if [ "$rc" -ne 0 ] || [ "$after" -gt "$before" ]; then
    status=1
    summary="$((after - before)) new (exit $rc) ${finding:-see $logs/$t.log}"
  else
    summary=0
  fi
  printf '%-18s %10s %8s %6s %6s %10s  %s\n' "$t" "${execs:-?}" "${fuzz_seconds:-$elapsed}" "${cov:-?}" "${ft:-?}" \
    "${corp:-?}" "$summary"
done
exit $status
