#!/usr/bin/env bash
# Wall time from process launch to the workbench window's first pulse, as a person sees it:
# the ./calm wrapper, JVM start, JavaFX start, building the window and opening the sample project.
#
#   scripts/bench-gui-startup.sh [RUNS]          (default 3 runs; needs a display)
#   xvfb-run -a scripts/bench-gui-startup.sh     (on a server)
#
# Each run launches `./calm bench gui --startup-only --json`, which prints the epoch time of the
# window's first pulse; this script subtracts its own clock reading taken just before the launch.
# CALM_NO_BUILD=1 is set so a rebuild never counts as start-up (build once before: ./calm version).
set -euo pipefail
root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
runs="${1:-3}"
for i in $(seq 1 "$runs"); do
  t0=$(date +%s%3N)
  json=$(CALM_NO_BUILD=1 "${CALM:-$root/calm}" bench gui --startup-only --json 2>/dev/null)
  python3 - "$t0" "$json" <<'PY'
import json, sys
t0 = int(sys.argv[1]); r = json.loads(sys.argv[2])
if "error" in r:
    sys.exit("error: " + r["error"])
print(f"launch to first pulse {r['first_pulse_epoch_ms'] - t0} ms  (JVM start to first pulse {r['jvm_to_first_pulse_ms']} ms;"
      f" CPU {r['process_cpu_ms_at_first_pulse']} ms process, {r['fx_thread_cpu_ms_at_first_pulse']} ms FX thread;"
      f" PyTorch loaded: {r['engine_loaded_at_first_pulse']})")
PY
done
