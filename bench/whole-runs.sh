#!/usr/bin/env bash
# Whole-run speed of the shipped scenarios, measured as issue 15 defines it: `taskset -c 0
# iscsim run SCENARIO` from start to exit (prepare, drain and read-back included); the real-time
# factor is summary.sim_time_s over those wall seconds. Prints one Markdown table row per
# scenario: factor, calendar events per wall second and peak RSS (best of --repeat runs: the
# machine may be shared, and other work only ever slows a run down).
#   bash bench/whole-runs.sh [--iscsim BINARY] [--repeat N] [--cpu C] [--set PATH=VALUE]... [SCENARIO.json...]
# Scenarios default to scenarios/paper/{smp,amp}-{read,write}-{8k,64k}.json and scenarios/tcp-bulk.json.
# A figure to read, not a test: nothing here asserts a speed.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"

iscsim="$root/build/iscsim"
repeat=3
cpu=0
sets=()
scenarios=()
while [ $# -gt 0 ]; do
  case "$1" in
    --iscsim) iscsim=$2; shift ;;
    --repeat) repeat=$2; shift ;;
    --cpu) cpu=$2; shift ;;
    --set) sets+=(--set "$2"); shift ;;
    -*) echo "whole-runs: unknown option $1; allowed: --iscsim BINARY, --repeat N, --cpu C, --set PATH=VALUE" >&2; exit 2 ;;
    *) scenarios+=("$1") ;;
  esac
  shift
done
if [ ! -x "$iscsim" ]; then
  echo "whole-runs: $iscsim is not an executable iscsim; build it or pass --iscsim BINARY" >&2
  exit 2
fi
if ! [[ "$repeat" =~ ^[1-9][0-9]*$ ]]; then
  echo "whole-runs: --repeat must be a positive integer, got '$repeat'" >&2
  exit 2
fi
if [ ${#scenarios[@]} -eq 0 ]; then
  source "$root/bench/default-scenarios.sh"
  mapfile -t scenarios < <(default_scenarios "$root")
fi

work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

echo "| scenario | real-time factor | wall s | calendar events per wall s | peak RSS MB |"
echo "|---|---|---|---|---|"
for scenario in "${scenarios[@]}"; do
  for ((i = 0; i < repeat; i++)); do
    # GNU time measures the whole process from exec to exit; %e wall s, %M peak RSS in KB.
    /usr/bin/time -f "%e %M" -o "$work/time" taskset -c "$cpu" "$iscsim" run "$scenario" "${sets[@]}" \
      -o "$work/out" >/dev/null
    echo "$(cat "$work/time") $(/usr/bin/python3 -c '
import json, sys
r = json.load(open(sys.argv[1]))
print(r["scenario"]["name"], r["summary"]["sim_time_s"], r["run_info"]["events"])
' "$work/out/results.json")" >>"$work/samples"
    rm -rf "$work/out"
  done
  /usr/bin/python3 - "$work/samples" <<'EOF'
import sys
rows = [line.split() for line in open(sys.argv[1])]
best = min(rows, key=lambda r: float(r[0]))
wall, rss_kb, name, sim_s, events = float(best[0]), int(best[1]), best[2], float(best[3]), int(best[4])
print(f"| {name} | {sim_s / wall:.2f}x | {wall:.2f} | {events / wall:,.0f} | {rss_kb / 1024:.0f} |")
EOF
  rm -f "$work/samples"
done
