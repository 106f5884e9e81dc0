#!/usr/bin/env bash
# Installs the Debian 12 packages the kiosk needs to build and test, only those missing.
# Runs as root, or through sudo when it is available.
set -euo pipefail

packages=(
  build-essential cmake pkg-config git ca-certificates tzdata
  libsqlite3-dev sqlite3 nlohmann-json3-dev libsodium-dev libhowardhinnant-date-dev libcli11-dev libicu-dev
  libtomlplusplus-dev
  libcurl4-openssl-dev openssl
  libgtest-dev libgmock-dev libbenchmark-dev
  libopencv-dev libopencv-contrib-dev libzxing-dev libzbar-dev
  libcairo2-dev libpango1.0-dev libcups2-dev fonts-noto-core fonts-noto-cjk
  cups printer-driver-cups-pdf poppler-utils zbar-tools
  xvfb xdotool x11-apps imagemagick x11-utils
  libsdl2-dev libimgui-dev libfreetype-dev libgl-dev libgl1-mesa-dri libespeak-ng-dev espeak-ng-data xvfb xdotool
)

missing=()
for package in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${Status}' "$package" 2>/dev/null || true)
  [[ "$status" == "install ok installed" ]] || missing+=("$package")
done
if [[ ${#missing[@]} -eq 0 ]]; then
  echo "install-deps: all ${#packages[@]} packages present"
  exit 0
fi

as_root=()
if [[ $(id -u) -ne 0 ]]; then
  command -v sudo >/dev/null || { echo "install-deps: need root or sudo to install: ${missing[*]}" >&2; exit 2; }
  as_root=(sudo)
fi
echo "install-deps: installing ${missing[*]}"
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get update -q
"${as_root[@]}" env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"
