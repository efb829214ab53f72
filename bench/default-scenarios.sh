# The scenarios bench/whole-runs.sh and bench/same-outputs.sh cover unless told others: the
# paper's eight configurations and tcp-bulk. Sourced; `default_scenarios ROOT` prints one path a line.
default_scenarios() {
  local root=$1 arch op size
  for arch in smp amp; do
    for op in read write; do
      for size in 64k 8k; do echo "$root/scenarios/paper/$arch-$op-$size.json"; done
    done
  done
  echo "$root/scenarios/tcp-bulk.json"
}
