#!/usr/bin/env bash
# Builds the libFuzzer targets of tests/fuzz in their own tree (build-fuzz, Clang, ASan+UBSan)
# and fuzzes each one for a bounded time, starting from a copy of its seed corpus
# (tests/fuzz/corpus/<target without "fuzz_">/, never written to). Fails on any crash, leak,
# timeout or out-of-memory, and says where the input that caused it is.
#
# Every target declared in tests/fuzz/CMakeLists.txt is run (CMake lists them in
# build-fuzz/tests/fuzz/fuzz_targets.txt), so a new target needs only its iscsim_fuzz_target()
# line there (and, if it has seeds, a corpus directory named after it).
#
# By default the run is reproducible: each target runs a fixed number of inputs from a fixed
# random seed, the same inputs run after run of one build (a test command must not fail at
# random on a bug it merely happened to reach this time; another clone's build differs only in
# where the sanitizers keep its source paths, and explores nearly the same inputs). Exploring
# further is a choice:
#
# ISCSIM_FUZZ_RUNS     inputs per target in the reproducible run (default 100000: 7-20 s each
#                      on a 2-core VM)
# ISCSIM_FUZZ_SEED     its random seed (default 1)
# ISCSIM_FUZZ_SECONDS  explore instead: this many seconds per target from a fresh random seed
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

bash scripts/install-deps.sh
jobs=$(nproc)

build=build-fuzz
CXX=clang++ CC=clang cmake -S . -B "$build" -DISCSIM_FUZZ=ON -DISCSIM_BUILD_TESTS=OFF \
  -DISCSIM_BUILD_BENCH=OFF -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$build" --target iscsim_fuzz -j"$jobs"

# Every target of tests/fuzz/CMakeLists.txt, as CMake lists them (a binary left over from a
# removed target is not run).
list_file="$build/tests/fuzz/fuzz_targets.txt"
mapfile -t targets < <(grep -v '^$' "$list_file" | sort)
if [ ${#targets[@]} -eq 0 ]; then
  echo "fuzz: no fuzz targets listed in $list_file" >&2
  exit 1
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}

launch=()
positive() { [[ "$2" =~ ^[1-9][0-9]*$ ]] || { echo "fuzz: $1 must be a positive whole number, not '$2'" >&2; exit 1; }; }
if [ -n "${ISCSIM_FUZZ_SECONDS:-}" ]; then
  positive ISCSIM_FUZZ_SECONDS "$ISCSIM_FUZZ_SECONDS"
  bound=(-max_total_time="$ISCSIM_FUZZ_SECONDS")
  budget="${ISCSIM_FUZZ_SECONDS}s per target, random seed"
else
  runs_per_target=${ISCSIM_FUZZ_RUNS:-100000}
  seed=${ISCSIM_FUZZ_SEED:-1}
  positive ISCSIM_FUZZ_RUNS "$runs_per_target"
  positive ISCSIM_FUZZ_SEED "$seed"
  bound=(-runs="$runs_per_target" -seed="$seed" -reload=0)
  # libFuzzer feeds the values its targets compare back into its mutations, pointers among them:
  # the same addresses make the same inputs. So no address-space randomization, and a stack laid
  # out alike in every clone: a fixed environment, and paths relative to the fuzz tree.
  launch=(env -i PATH=/usr/bin:/bin "ASAN_OPTIONS=$ASAN_OPTIONS" "UBSAN_OPTIONS=$UBSAN_OPTIONS")
  if setarch "$(uname -m)" -R true 2>/dev/null; then launch+=(setarch "$(uname -m)" -R); fi
  budget="$runs_per_target inputs per target from seed $seed"
fi

# The targets run in the fuzz tree, on copies of their seeds under fuzz-work/ (removed after);
# crashing inputs outlive the run in fuzz-artifacts/, next to the binaries.
cd "$build"
work=fuzz-work
rm -rf "$work"
trap 'rm -rf "$root/$build/$work"' EXIT
artifacts=fuzz-artifacts

failed=()
summary=()
for target in "${targets[@]}"; do
  name=$(basename "$target")
  bin=./tests/fuzz/$name
  seeds="$root/tests/fuzz/corpus/${name#fuzz_}"
  corpus="$work/$name/corpus"
  mkdir -p "$corpus" "$artifacts/$name"
  seed_count=0
  if [ -d "$seeds" ]; then
    cp -R "$seeds/." "$corpus/"
    seed_count=$(find "$corpus" -type f | wc -l)
  fi
  log="$work/$name/log"
  echo "fuzz: $name, $budget, from $seed_count seeds (tests/fuzz/corpus/${name#fuzz_})"
  status=0
  "${launch[@]}" "$bin" "${bound[@]}" -max_len=16384 -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$artifacts/$name/" "$corpus" >"$log" 2>&1 || status=$?
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n1)
  rate=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$log" | tail -n1)
  size=$(find "$corpus" -type f | wc -l)
  if [ "$status" -ne 0 ]; then
    # Keep the whole log with the inputs; show the report without ASan's shadow-byte map.
    cp "$log" "$artifacts/$name/fuzz.log"
    echo "fuzz: $name FAILED (exit $status); its report (whole log: $root/$build/$artifacts/$name/fuzz.log):" >&2
    awk '/^==[0-9]+==ERROR|runtime error|deadly signal|ERROR: libFuzzer|^==[0-9]+== ERROR/ { on = 1 }
         /^Shadow bytes around/ { skip = 1 }
         /^==[0-9]+==ABORTING/ { skip = 0 }
         on && !skip' "$log" | head -n 150 >&2
    inputs=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log")
    if [ -n "$inputs" ]; then
      while IFS= read -r input; do
        echo "fuzz: $name: the failing input is $root/$build/$input" >&2
        echo "fuzz:   reproduce with: $root/$build/tests/fuzz/$name $root/$build/$input" >&2
      done <<<"$inputs"
    else
      echo "fuzz: $name: no input was written; see $root/$build/$artifacts/$name/" >&2
    fi
    failed+=("$name")
    summary+=("$name: FAILED")
  else
    summary+=("$name: ${runs:-?} runs, ${rate:-?} exec/s, corpus $seed_count -> $size inputs")
  fi
done

echo "fuzz: summary ($budget)"
printf '  %s\n' "${summary[@]}"
if [ ${#failed[@]} -ne 0 ]; then
  echo "fuzz: crashes in ${failed[*]}" >&2
  exit 1
fi
