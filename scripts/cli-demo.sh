#!/usr/bin/env bash
# A scripted session through kioskctl on the embedded demo event (assets/demo): what the kiosk
# decides, as JSON, without a screen. scripts/demo.sh runs the touchscreen itself.
set -euo pipefail
cd "$(dirname "$0")/.."

scripts/install-deps.sh
build_dir=${KIOSK_BUILD_DIR:-build}
cmake -S . -B "$build_dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build_dir" -j "$(nproc)" --target kioskctl
kioskctl="$build_dir/kiosk/cli/kioskctl"

workdir=$(mktemp -d)
trap 'rm -rf "$workdir"' EXIT
db="$workdir/demo.db"
ctl() { "$kioskctl" --db "$db" "$@"; }

step() { printf '\n\033[1m== %s\033[0m\n' "$*"; }
# Shows the command, its JSON answer and its exit code (0 admitted, 1 rejected or incomplete).
show() {
  printf '$ kioskctl %s\n' "$*"
  local code=0
  ctl "$@" || code=$?
  printf '  -> exit %d\n' "$code"
}

step "Import the demo event (pretix API JSON, organizer 'demo')"
show import assets/demo --organizer demo
step "The check-in lists in the store"
show lists

at="2027-03-16T09:30:00+01:00"
step "Main entrance (list 11), Tuesday 09:30: a paid conference pass is admitted"
show scan 8bmub2af8hgcku36aguwaaxpxzuhkdcq --list 11 --at "$at"
step "The same ticket again: already redeemed"
show scan 8bmub2af8hgcku36aguwaaxpxzuhkdcq --list 11 --at "2027-03-16T09:31:00+01:00"
step "A code nobody issued: invalid"
show scan uwnnce633x4ke8sxb3trp5bb9ps7kfs4 --list 11 --at "$at"
step "A ticket without a T-shirt size: incomplete, with the question to ask"
show scan gp5pwcvn8h72ut5dynhsyn6f55n4v5qs --list 11 --at "$at"
step "... answered at the kiosk (option 402 = M): admitted, answer stored and queued"
show scan gp5pwcvn8h72ut5dynhsyn6f55n4v5qs --list 11 --at "$at" --answer 301=402
step "A pending order: unpaid"
show scan 5dtgwmm9m27uk3t6jpqnm4rbbqrxy82y --list 11 --at "$at"
step "A canceled order, and a blocked ticket"
show scan g4txhhvv6kz29ywap7sxs23x7v5u2y9m --list 11 --at "$at"
show scan 2z8mw2bb2ytgaut7f2kve8n77m23vsmu --list 11 --at "$at"
step "A Wednesday day pass on Tuesday: invalid_time"
show scan jtgxkjzwwyssaprvr9738ttfdz8kc66g --list 11 --at "$at"
step "Workshop room (list 12, add-on matching): the conference ticket opens its workshop add-on"
show scan kuty65py9z5whjqtmqpp9sud9jbn4asy --list 12 --at "2027-03-16T13:50:00+01:00"
step "Speakers' lounge (list 13, rule: speakers only): a conference pass is refused by the rule"
show scan nrpqmbpwusdkq354j3nnbekkzz5ekehc --list 13 --at "$at"
step "A speaker at the main entrance: admitted, staff attention flagged"
show scan 4ztt24pk6zsxqw8jpdt432qn8md7nh8u --list 11 --at "$at"
step "Undo the first admission, then it scans again"
show undo 8bmub2af8hgcku36aguwaaxpxzuhkdcq --list 11 --at "2027-03-16T09:40:00+01:00"
show scan 8bmub2af8hgcku36aguwaaxpxzuhkdcq --list 11 --at "2027-03-16T09:41:00+01:00"
step "Staff lookup by name (at least 4 characters)"
show search "Müller" --list 11
step "Search ignores case and accents in every script"
show search "ФЁДОРОВ" --list 11
step "List status of the main entrance"
show stats --list 11
step "Upload queue: admissions waiting for the backend (the undone one, never sent, was settled here), failed scans for statistics"
show queue
