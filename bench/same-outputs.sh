#!/usr/bin/env bash
# Checks that a speed change changed nothing a run reports: runs every scenario with two iscsim
# binaries (a baseline build and the changed one) and compares results.json outside run_info and
# run (which may differ between two runs of the same scenario), bins.csv, and the pcap of the
# simulated wire byte for byte. Prints one line per scenario; exits 1 if any differs.
#   bash bench/same-outputs.sh BASE_ISCSIM NEW_ISCSIM [--set PATH=VALUE]... [SCENARIO.json...]
# Scenarios default to the paper's eight and tcp-bulk.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

if [ $# -lt 2 ]; then
  echo "usage: bash bench/same-outputs.sh BASE_ISCSIM NEW_ISCSIM [--set PATH=VALUE]... [SCENARIO.json...]" >&2
  exit 2
fi
base=$1
new=$2
shift 2
for b in "$base" "$new"; do
  if [ ! -x "$b" ]; then
    echo "same-outputs: $b is not an executable iscsim" >&2
    exit 2
  fi
done
sets=()
scenarios=()
while [ $# -gt 0 ]; do
  case "$1" in
    --set) sets+=(--set "$2"); shift ;;
    -*) echo "same-outputs: unknown option $1; allowed: --set PATH=VALUE" >&2; exit 2 ;;
    *) scenarios+=("$1") ;;
  esac
  shift
done
if [ ${#scenarios[@]} -eq 0 ]; then
  source "$root/bench/default-scenarios.sh"
  mapfile -t scenarios < <(default_scenarios "$root")
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

status=0
for scenario in "${scenarios[@]}"; do
  for side in base new; do
    bin=$base
    [ "$side" = new ] && bin=$new
    "$bin" run "$scenario" "${sets[@]}" -o "$work/$side" --pcap "$work/$side.pcap" >/dev/null
    /usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
r.pop("run_info", None)
r.pop("run", None)
print(json.dumps(r, sort_keys=True, indent=1))
' "$work/$side/results.json" >"$work/$side.json"
  done
  verdict=identical
  cmp -s "$work/base.json" "$work/new.json" || verdict="results.json differs"
  cmp -s "$work/base/bins.csv" "$work/new/bins.csv" || verdict="$verdict; bins.csv differs"
  cmp -s "$work/base.pcap" "$work/new.pcap" || verdict="$verdict; pcap differs"
  if [ "$verdict" != identical ]; then
    verdict="${verdict#identical; }"
    status=1
    diff "$work/base.json" "$work/new.json" | head -20 >&2 || true
  fi
  echo "$(basename "$scenario" .json): $verdict ($(stat -c %s "$work/new.pcap") pcap bytes)"
  rm -rf "$work"/base* "$work"/new*
done
exit $status
