#!/usr/bin/env bash
# Screenshot of the installed app's window, started from its desktop entry under Xvfb, from an
# empty HOME (so the first start copies the sample project and opens it):
#
#   installers/screenshot.sh [DESKTOP_FILE] [OUT.png]
#   default: /usr/share/applications/calm-workbench-calm-workbench.desktop (installed by the .deb),
#            docs/screenshots/installed-app.png
#
# Needs xvfb, xdotool, imagemagick and dex (apt-get install xvfb xdotool imagemagick dex).
set -euo pipefail
here="$(cd -P "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
desktop="${1:-/usr/share/applications/calm-workbench-calm-workbench.desktop}"
out="${2:-$here/../docs/screenshots/installed-app.png}"
[ -f "$desktop" ] || { echo "error: no desktop entry at $desktop (install the .deb first)" >&2; exit 2; }

display=":77"
Xvfb "$display" -ac -screen 0 1280x800x24 > /dev/null 2>&1 &
xvfb=$!
home="$(mktemp -d "${TMPDIR:-/tmp}/calm-shot.XXXXXX")"
cleanup() { [ -n "${app:-}" ] && kill "$app" 2> /dev/null; kill "$xvfb" 2> /dev/null; true; }
trap cleanup EXIT
sleep 2
# user.home follows the empty HOME (Java reads the password database otherwise; see smoke-test.sh);
# started in HOME, as a desktop menu starts programs
(cd "$home" && DISPLAY="$display" HOME="$home" _JAVA_OPTIONS="-Duser.home=$home" exec dex "$desktop") > "$home/app.log" 2>&1 &
app=$!
DISPLAY="$display" timeout 300 xdotool search --sync --name "CALM Workbench" > /dev/null
sleep "${SETTLE_SECONDS:-20}" # the project opens and its statistics job fills the page
mkdir -p "$(dirname "$out")"
DISPLAY="$display" /usr/bin/import -window root "$out"
DISPLAY="$display" xprop -id "$(DISPLAY="$display" xdotool search --name "CALM Workbench" | head -1)" WM_CLASS WM_NAME || true
echo "saved $out"
