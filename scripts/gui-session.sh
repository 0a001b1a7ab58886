#!/usr/bin/env bash
# A long GUI session (issue 13, goal 5): the real window through CYCLES (default 100) cycles of open
# the project, train a tiny autoencoder through the workbench service, pause, resume, stop (a
# checkpoint is saved), then every page in turn; prints one line per cycle (heap after a full GC,
# RSS, live NDArrays) and a summary line with the heap and RSS growth and the FX pulse gaps:
#   gui-session: 100 cycles in 1234 s, 100 DONE; heap +1.2% and RSS +0.8% from cycle 10 to 100 ...
#
#   scripts/gui-session.sh [CYCLES] [PROJECT]      PROJECT defaults to sample-projects/grammar-english
#
# The project is copied (without its runs) to a temporary folder. Without a DISPLAY it starts Xvfb
# on :97 (or $GUI_SESSION_DISPLAY) and stops it at the end. Uses the build in app/target
# (./calm builds it when needed). OMP_NUM_THREADS=1.
set -euo pipefail

root="$(cd -P "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cycles="${1:-100}"
project="${2:-$root/sample-projects/grammar-english}"
export OMP_NUM_THREADS=1 MKL_NUM_THREADS=1

"$root/calm" version > /dev/null
jar="$(ls "$root"/app/target/app-*.jar | grep -v -e '-sources' -e '-tests' | head -n 1)"

xvfb=""
if [ -z "${DISPLAY:-}" ]; then
  display="${GUI_SESSION_DISPLAY:-:97}"
  Xvfb "$display" -screen 0 1280x800x24 > /dev/null 2>&1 &
  xvfb=$!
  trap 'kill "$xvfb" 2> /dev/null || true' EXIT
  export DISPLAY="$display"
  sleep 2
  kill -0 "$xvfb" 2> /dev/null || { echo "gui-session: Xvfb did not start on $display" >&2; exit 1; }
fi

java -Dai.djl.offline=true -Dcalm.home="$root" -Dprism.order=sw -Xmx2g \
  -cp "$jar:$root/app/target/lib/*" org.calmworkbench.app.gui.bench.GuiSession "$project" "$cycles"
