#!/usr/bin/env bash
# The touchscreen's benchmark (docs/BENCHMARKS.md, "Touchscreen"): the real kiosk on the demo
# (demo camera at 1280x720 previewed every frame, the CJK-heavy demo event, badges to files) in a
# 1920x1080 window on its own Xvfb display for SECONDS (idle timers of 5 s from
# tests/bench/ui_bench.toml, so questions nobody answers give the camera back), writing the kiosk's --benchmark-json report
# (UI thread CPU per frame, start-up to ready, scan-to-screen) to OUT.
# Usage: scripts/bench-ui.sh [BUILD_DIR] [OUT] [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
build_dir=${1:-build}
out=${2:-docs/bench/ui_bench.json}
seconds=${3:-90}
kiosk="$build_dir/kiosk/ui/kiosk"
[[ -x "$kiosk" ]] || { echo "bench-ui: build the kiosk first: cmake --build $build_dir --target kiosk" >&2; exit 2; }

exec {display_fd}<> <(:)
Xvfb -displayfd "$display_fd" -screen 0 1920x1080x24 -nolisten tcp >/dev/null 2>&1 &
xvfb=$!
trap 'kill $xvfb 2>/dev/null || true' EXIT
read -r -t 10 display_number <&"$display_fd"
log=$(mktemp)
DISPLAY=":$display_number" SDL_AUDIODRIVER=dummy "$kiosk" --demo --config tests/bench/ui_bench.toml \
  --windowed --size 1920x1080 --run-seconds "$seconds" --benchmark-json "$out" --state-log "$log" 2>/dev/null
python3 - "$out" "$log" <<'PY'
import json, sys, os, subprocess
out, log = sys.argv[1], sys.argv[2]
report = json.load(open(out))
report["load_average_after"] = os.getloadavg()
report["commit"] = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
report["screens"] = sum(1 for line in open(log) if '"event":"screen"' in line)
json.dump(report, open(out, "w"), indent=2)
print(json.dumps(report, indent=2))
PY
cp "$log" "${out%.json}.state.jsonl"; rm -f "$log"
