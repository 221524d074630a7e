#!/usr/bin/env bash
# Emulator throughput over loopback, the same workload through Microsoft's Rust SDK and
# Python SDK in one run, each against a fresh emulator (release build) on its own data dir.
# Usage: scripts/bench-emulator.sh [EVENTS_PER_PARTITION] [PARTITIONS] [EVENT_BYTES] [BATCH]
set -euo pipefail
cd "$(dirname "$0")/.."
per_partition=${1:-50000}
partitions=${2:-4}
size=${3:-256}
batch=${4:-100}

bash scripts/test-env.sh >/dev/null
cargo build --release --quiet --bin ehops --bench sdk_throughput
bench_bin=$(ls -t target/release/deps/sdk_throughput-* | grep -v '\.d$' | head -n 1)
source scripts/bench/emulator.sh

run_one() { # $1 = label, rest = client command (gets CS as first arg)
  local label=$1; shift
  start_emulator "$label"
  "$@" "$cs" bench "$per_partition" "$size" "$batch" "$partitions"
  stop_emulator
}

echo "machine: $(nproc) cores, $(uname -sr), $(load); $((per_partition * partitions)) events of $size bytes, batches of $batch, $partitions partitions"
run_one rust "$bench_bin"
run_one python $python scripts/bench/python_throughput.py
