#!/usr/bin/env bash
# Wire-mode interop, by hand: `iscsim serve` against libiscsi's tools and test suite, Debian's
# tgtd as the reference target on the same iscsi-test-cu families, and `iscsim probe` against
# tgtd. Prints what README.md's "Wire mode" section reports. The same checks run as tests in
# tests/wire/ (ctest -R 'Libiscsi|Tgt').
#
#   bash scripts/interop.sh [path/to/iscsim]        (default: build/iscsim)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)
iscsim=${1:-build/iscsim}
[ -x "$iscsim" ] || { echo "interop: no iscsim binary at $iscsim (build first)" >&2; exit 2; }
for tool in iscsi-inq iscsi-test-cu tgtd tgtadm; do
  command -v "$tool" >/dev/null || { echo "interop: $tool missing; run scripts/install-deps.sh" >&2; exit 2; }
done

work=$(mktemp -d)
iqn=iqn.2004-01.org.iscsim:interop
tgt_iqn=iqn.2004-01.org.tgt:interop
ctl=$((20000 + $$ % 12000))                  # tgtd's control socket number (below 32768)
tgt_port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])')
serve_pid=""
tgtd_pid=""
cleanup() {
  [ -n "$serve_pid" ] && kill "$serve_pid" 2>/dev/null || true
  [ -n "$tgtd_pid" ] && kill -KILL "$tgtd_pid" 2>/dev/null || true   # tgtd ignores SIGTERM/SIGINT
  rm -rf "$work" "/dev/shm/iscsim-interop-$$.img"
}
trap cleanup EXIT

families=$(grep -v '^#' tests/wire/cu-families.txt | sed 's/#.*//' | grep -v '^ *$' | paste -sd, -)

echo "== iscsim serve"
"$iscsim" serve --listen 127.0.0.1:0 --target-name "$iqn" --lun-size 64M >"$work/serve.out" 2>"$work/serve.err" &
serve_pid=$!
for _ in $(seq 50); do grep -q listening "$work/serve.out" && break; sleep 0.1; done
port=$(grep -o '127.0.0.1:[0-9]*' "$work/serve.out" | cut -d: -f2)
url="iscsi://127.0.0.1:$port/$iqn/0"
echo "\$ iscsi-inq $url" && iscsi-inq "$url" | grep -E 'Device Type|Vendor|Product'
echo "\$ iscsi-readcapacity16 $url" && iscsi-readcapacity16 "$url" | grep -E 'BLOCK LENGTH|Total size'
echo "\$ iscsi-ls -s iscsi://127.0.0.1:$port" && iscsi-ls -s "iscsi://127.0.0.1:$port"
echo "\$ iscsi-perf -t 2 $url" && iscsi-perf -t 2 "$url" 2>&1 | tr '\r' '\n' | grep 'iops average' | tail -1
echo "\$ iscsi-test-cu --dataloss -t <families of tests/wire/cu-families.txt> $url"
iscsi-test-cu --dataloss -t "$families" "$url" >"$work/cu-iscsim.txt" 2>&1 || true
python3 scripts/cu-summary.py "$work/cu-iscsim.txt" --by-suite --failed

echo "== tgtd (reference)"
mkdir -p /var/run/tgtd
truncate -s 64M "/dev/shm/iscsim-interop-$$.img"
tgtd -f -C "$ctl" --iscsi portal=127.0.0.1:"$tgt_port" >"$work/tgtd.log" 2>&1 &
tgtd_pid=$!
disown "$tgtd_pid"  # no "Killed" notice when cleanup ends it
for _ in $(seq 100); do tgtadm -C "$ctl" --op show --mode sys >/dev/null 2>&1 && break; sleep 0.1; done
tgtadm -C "$ctl" --lld iscsi --op new --mode target --tid 1 -T "$tgt_iqn"
tgtadm -C "$ctl" --lld iscsi --op new --mode logicalunit --tid 1 --lun 1 -b "/dev/shm/iscsim-interop-$$.img"
tgtadm -C "$ctl" --lld iscsi --op bind --mode target --tid 1 -I ALL
tgt_url="iscsi://127.0.0.1:$tgt_port/$tgt_iqn/1"
echo "\$ iscsi-test-cu --dataloss -t <same families> $tgt_url"
iscsi-test-cu --dataloss -t "$families" "$tgt_url" >"$work/cu-tgt.txt" 2>&1 || true
python3 scripts/cu-summary.py "$work/cu-tgt.txt" --by-suite --failed
echo "\$ $iscsim probe $tgt_url"
"$iscsim" probe "$tgt_url"
echo "interop: done"
