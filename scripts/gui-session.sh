#!/usr/bin/env bash
# A long GUI session (issue 13, goal 5): the real window through CYCLES (default 100) cycles; in
# each, every kind of training job (a tiny autoencoder, CALM on it, the AR baseline on it) is started,
# paused, resumed and stopped (a checkpoint is saved) through the workbench service, the inspector's
# and generator's checkpoints are switched while a job trains, the new CALM and AR checkpoints
# generate 16 tokens, then every page is shown in turn. Prints one line per cycle (heap after a full
# GC, RSS, live NDArrays, seconds per job), summary lines (heap and RSS growth from cycle CYCLES/10
# and from cycle 1; FX pulse gaps over 50 ms by cause: service, GC, CPU starvation, page code,
# JavaFX), then closes the window during an autoencoder, a CALM and an AR baseline training job in
# turn (the window shown again between them) and checks that each job ends CANCELLED with a
# checkpoint that loads, the window closes and its exit action runs once:
#   gui-session: 100 cycles in 837 s ...; heap +0.7% and RSS +2.8% from cycle 10 to 100 ...
#   gui-session: closed the window during autoencoder training: job CANCELLED, window closed, ...
#   gui-session: closed the window during CALM training: ...
#   gui-session: closed the window during AR baseline training: ...
# Exit 0 only when every job stopped cleanly and the close step passed.
#
#   scripts/gui-session.sh [CYCLES] [PROJECT]      PROJECT defaults to sample-projects/grammar-english
#
# The project is copied to a temporary folder with only its sample-* runs (the checkpoints to switch
# between); each cycle deletes the runs of the cycle before the previous one. Without a DISPLAY it
# starts Xvfb (apt-get install xvfb libgtk-3-0) on :97 (or $GUI_SESSION_DISPLAY) and stops it at the end. Uses the build in app/target
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
