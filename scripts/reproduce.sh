#!/usr/bin/env bash
# The main job: installs what it needs, builds iscsim and reproduces the paper into out/:
#   * tcp-bulk and the paper's four workloads on the ideal host (the wire bounds);
#   * the eight paper configurations, scenarios/paper/{smp,amp}-{read,write}-{8k,64k}.json
#     (Table 1 per run), and iscsim compare of AMP against SMP for each workload (Table 2);
#   * the sweeps: Fig 4 (scenarios/sweeps/fig4-frequency.json, SMP and AMP at 1.6-3.2 GHz) and
#     the chip-multiprocessor study (scenarios/sweeps/cmp-{smp,amp}.json);
#   * the figures (out/figures: PNG, SVG and FIG.data.csv) and tables (out/tables) of analysis/,
#     and the report, out/report.html (iscsim report).
# Runs and sweep points go $(nproc) at a time; each run's output is in out/logs/NAME.log.
# ISCSIM_PCAP=1 also writes a pcap of the TCP bulk run's wires (out/tcp-bulk/wire.pcap, about
# 270 MB). ISCSIM_OUT and ISCSIM_BUILD_DIR change out/ and build/.
set -euo pipefail
cd "$(dirname "$0")/.."
out=${ISCSIM_OUT:-out}
build=${ISCSIM_BUILD_DIR:-build}
jobs=$(nproc)
logs=$out/logs
bin=$build/iscsim
python=/usr/bin/python3  # Debian's, with matplotlib and pandas
SECONDS=0

bash scripts/install-deps.sh
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$jobs" --target iscsim
mkdir -p "$logs"

# start NAME SCENARIO [OPTION...]: `iscsim run SCENARIO -o out/NAME` in the background, at most
# $jobs at once; finish waits for them all and stops the job if one failed.
started=()
start() {
  local name=$1 scenario=$2
  shift 2
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  rm -f "$logs/$name.status"
  (
    status=0
    "$bin" run "$scenario" -o "$out/$name" "$@" >"$logs/$name.log" 2>&1 || status=$?
    echo "$status" >"$logs/$name.status"
  ) &
  started+=("$name")
}
finish() {
  wait
  local name failed=0
  for name in "${started[@]}"; do
    if [ "$(cat "$logs/$name.status")" != 0 ]; then
      echo "reproduce: $name failed; the end of $logs/$name.log:" >&2
      tail -n 5 "$logs/$name.log" >&2
      failed=1
    fi
    rm -f "$logs/$name.status"
  done
  started=()
  [ "$failed" = 0 ] || exit 1
}

echo "reproduce: runs ($jobs at a time; logs in $logs)"
pcap=()
if [ "${ISCSIM_PCAP:-0}" = 1 ]; then
  pcap=(--pcap "$out/tcp-bulk/wire.pcap")
fi
start tcp-bulk scenarios/tcp-bulk.json "${pcap[@]}"
# The paper's four workloads on the ideal host: the wire bound of iSCSI.
for s in ideal-read-64k ideal-write-64k ideal-read-8k ideal-write-8k; do
  start "$s" "scenarios/$s.json"
done
# The paper's eight configurations: Table 1 per run in out/<scenario>/table1.txt.
for w in read-64k write-64k read-8k write-8k; do
  for a in smp amp; do
    start "$a-$w" "scenarios/paper/$a-$w.json"
  done
done
finish

echo "reproduce: Table 2, AMP against SMP"
for w in read-64k write-64k read-8k write-8k; do
  "$bin" compare "$out/smp-$w" "$out/amp-$w" -o "$out/compare-smp-$w-vs-amp-$w" >"$logs/compare-$w.log"
done

for sweep in fig4-frequency cmp-smp cmp-amp; do
  echo "reproduce: sweep $sweep"
  "$bin" sweep "scenarios/sweeps/$sweep.json" -j "$jobs" -o "$out/$sweep"
done

echo "reproduce: figures and tables"
figures=(-o "$out/figures")
$python analysis/throughput.py "$out"/{smp,amp}-{read,write}-{8k,64k} "${figures[@]}" --name fig3-throughput
$python analysis/hotspots.py "$out/smp-read-64k" "$out/amp-read-64k" "${figures[@]}" --name fig5-hotspots-read-64k
$python analysis/hotspots.py "$out/smp-write-64k" "$out/amp-write-64k" "${figures[@]}" --name fig6-hotspots-write-64k
$python analysis/scaling.py "$out/fig4-frequency" "${figures[@]}" --name fig4-frequency
$python analysis/cmp_study.py "$out/cmp-smp" "$out/cmp-amp" "${figures[@]}" --name cmp-study
$python analysis/tables.py "$out"/{smp,amp}-{read,write}-{8k,64k} "$out"/compare-smp-*-vs-amp-* -o "$out/tables" >/dev/null

"$bin" report "$out"
echo "reproduce: done in $((SECONDS / 60)) min $((SECONDS % 60)) s: $out/report.html"
