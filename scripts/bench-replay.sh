#!/usr/bin/env bash
# `ehops replay` throughput from a local emulator (release build): Microsoft's Python SDK
# ingests EVENTS events of EVENT_BYTES into one partition of hub "bench", then
# `ehops replay bench --partition 0 --from earliest --to-hub copies --execute` reads them all
# and sends each copy (provenance added) to hub "copies". The figure includes process start,
# the read and every acknowledged send, as an on-call engineer would wait for it.
# Usage: scripts/bench-replay.sh [EVENTS] [EVENT_BYTES]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-20000}
size=${2:-256}
partitions=1

bash scripts/test-env.sh >/dev/null
cargo build --release --quiet --bin ehops
source scripts/bench/emulator.sh
cat >> "$config" <<TOML
[[namespace.hub]]
name = "copies"
partitions = 1
consumer_groups = ["ehops"]
TOML

echo "machine: $(nproc) cores, $(uname -sr), $(load); $events events of $size bytes"
start_emulator replay
$python scripts/bench/python_throughput.py "$cs" bench "$events" "$size" 100 1 >/dev/null
started=$(date +%s%N)
summary=$(target/release/ehops --connection-string "$cs" --data "$work/cli" \
  replay bench --partition 0 --from earliest --to-hub copies --execute 2>/dev/null | tail -n 1)
elapsed_ns=$(( $(date +%s%N) - started ))
stop_emulator
if [ "$summary" != "replay: $events of $events sent" ]; then
  echo "benchmark failed: $summary" >&2
  exit 1
fi
echo "{\"client\": \"ehops replay\", \"events\": $events, \"event_bytes\": $size, \"events_per_s\": $(( events * 1000000000 / elapsed_ns )), \"machine\": \"$(load)\"}"
