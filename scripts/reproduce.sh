#!/usr/bin/env bash
# The main job: builds iscsim and runs the default scenarios, writing one directory per scenario
# under out/ (results.json, bins.csv). Installs what it needs. ISCSIM_PCAP=1 also writes a pcap
# of the TCP bulk run's wires (out/tcp-bulk/wire.pcap, about 270 MB).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target iscsim

pcap=()
if [ "${ISCSIM_PCAP:-0}" = 1 ]; then
  pcap=(--pcap out/tcp-bulk/wire.pcap)
fi
./build/iscsim run scenarios/tcp-bulk.json -o out/tcp-bulk "${pcap[@]}"
# The paper's four workloads on the ideal host: the wire bound of iSCSI.
for s in ideal-read-64k ideal-write-64k ideal-read-8k ideal-write-8k; do
  ./build/iscsim run "scenarios/$s.json" -o "out/$s"
done
# The paper's SMP host (Linux 2.4, interrupts to CPU0) on the calibrated cost model: Table 1
# per run in out/<scenario>/table1.txt.
for s in smp-write-64k smp-read-64k smp-write-8k smp-read-8k; do
  ./build/iscsim run "scenarios/paper/$s.json" -o "out/$s"
done
