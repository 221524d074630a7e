#!/usr/bin/env bash
# Headless `ehops tail HUB --from earliest --count N --json` throughput from a local emulator
# (release build), beside Microsoft's Python SDK receiving the same events in the same run:
# the Python SDK first ingests the events and reads them back (scripts/bench/python_throughput.py),
# then `ehops tail` reads them all, every JSON line counted through a pipe. The tail's time
# includes process start and connecting, as a user would see it.
# Usage: scripts/bench-tail.sh [EVENTS_PER_PARTITION] [PARTITIONS] [EVENT_BYTES] [BATCH]
# EHOPS_TAIL_BIN=path runs the tail with another ehops build (to compare before and after).
set -euo pipefail
cd "$(dirname "$0")/.."
per_partition=${1:-50000}
partitions=${2:-4}
size=${3:-256}
batch=${4:-100}
total=$((per_partition * partitions))

bash scripts/test-env.sh >/dev/null
cargo build --release --quiet --bin ehops
source scripts/bench/emulator.sh

echo "machine: $(nproc) cores, $(uname -sr), $(load); $total events of $size bytes, $partitions partitions"
start_emulator tail
$python scripts/bench/python_throughput.py "$cs" bench "$per_partition" "$size" "$batch" "$partitions"
started=$(date +%s%N)
lines=$("${EHOPS_TAIL_BIN:-target/release/ehops}" --connection-string "$cs" --data "$work/cli" \
  tail bench --from earliest --count "$total" --json | wc -l)
elapsed_ns=$(( $(date +%s%N) - started ))
stop_emulator
if [ "$lines" -ne "$total" ]; then
  echo "benchmark failed: ehops tail printed $lines of $total events" >&2
  exit 1
fi
echo "{\"client\": \"ehops tail --json\", \"events\": $total, \"event_bytes\": $size, \"partitions\": $partitions, \"events_per_s\": $(( total * 1000000000 / elapsed_ns )), \"machine\": \"$(load)\"}"
