#!/usr/bin/env bash
# The README's test command: install what is missing, build with warnings as errors, run every test.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
build_dir=${KIOSK_BUILD_DIR:-build-ci}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DKIOSK_WERROR=ON -DKIOSK_BUILD_TESTS=ON
cmake --build "$build_dir" -j "$(nproc)"
# The UI tests need Xvfb, xdotool and ImageMagick, which install-deps.sh installed: here a UI test
# that cannot run fails instead of skipping.
KIOSK_UI_REQUIRED=1 ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)"
