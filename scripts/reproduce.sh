#!/usr/bin/env bash
# The main job: builds iscsim and runs the default scenarios, writing one directory per scenario
# under out/ (results.json, bins.csv) plus a pcap of the TCP bulk run. Installs what it needs.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$(nproc)" --target iscsim

mkdir -p out/tcp-bulk
./build/iscsim run scenarios/tcp-bulk.json -o out/tcp-bulk --pcap out/tcp-bulk/wire.pcap
# The paper's four workloads on the ideal host: the wire bound of iSCSI.
for s in ideal-read-64k ideal-write-64k ideal-read-8k ideal-write-8k; do
  ./build/iscsim run "scenarios/$s.json" -o "out/$s"
done
