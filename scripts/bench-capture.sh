#!/usr/bin/env bash
# Capture benchmarks, each side by side in one run (release build, loopback):
# 1. ingest acknowledged by the emulator without and with Capture on the hub (Microsoft's Rust
#    SDK as the client, scripts/bench/emulator.sh's workload), and how long after the last
#    acknowledgement the capture files hold every event;
# 2. `ehops capture read --json` (decoded) of every captured event beside fastavro reading
#    the same files.
# Usage: scripts/bench-capture.sh [EVENTS_PER_PARTITION] [PARTITIONS] [EVENT_BYTES] [BATCH]
set -euo pipefail
cd "$(dirname "$0")/.."
per_partition=${1:-250000}
partitions=${2:-4}
size=${3:-256}
batch=${4:-100}
total=$((per_partition * partitions))

bash scripts/test-env.sh >/dev/null
cargo build --release --quiet --bin ehops --bench sdk_throughput
bench_bin=$(ls -t target/release/deps/sdk_throughput-* | grep -v '\.d$' | head -n 1)
source scripts/bench/emulator.sh

plain_config=$config
capture_config="$work/capture.toml"
cp "$plain_config" "$capture_config"
cat >> "$capture_config" <<TOML
[namespace.hub.capture]
encoding = "Avro"
interval_seconds = 60
window = "5s"
size_limit_bytes = 10485760
skip_empty_archives = true
TOML

# Events in the capture files, counted by ehops' own listing.
captured() {
  target/release/ehops capture ls bench --json --capture-dir "$work/data-capture/capture/capture" \
    --capture-namespace bench --connection-string "$cs" --data "$work/console" 2>/dev/null \
    | $python -c 'import json,sys; print(sum(json.loads(l)["events"] for l in sys.stdin))'
}

echo "machine: $(nproc) cores, $(uname -sr), $(load); $total events of $size bytes, batches of $batch, $partitions partitions"
for label in plain capture; do
  if [ "$label" = capture ]; then config=$capture_config; else config=$plain_config; fi
  start_emulator "$label"
  result=$("$bench_bin" "$cs" bench "$per_partition" "$size" "$batch" "$partitions")
  echo "$label: $result"
  if [ "$label" = capture ]; then
    acked=$(date +%s.%N)
    while [ "$(captured)" -lt "$total" ]; do sleep 0.5; done
    echo "capture: every event in files $(echo "$(date +%s.%N) - $acked" | bc) s after the run ended (windows of 5 s)"
    capture_cs=$cs
    stop_emulator
  else
    stop_emulator
  fi
done

files="$work/data-capture/capture/capture"
echo "reading $total captured events ($(du -sh "$files" | cut -f1) of files), $(load)"
start=$(date +%s.%N)
target/release/ehops capture read bench --json --capture-dir "$files" --capture-namespace bench \
  --connection-string "$capture_cs" --data "$work/console" > "$work/read.jsonl" 2>/dev/null || true
end=$(date +%s.%N)
lines=$(wc -l < "$work/read.jsonl")
echo "ehops capture read --json (decoded): $lines events in $(echo "$end - $start" | bc) s: $(echo "$lines / ($end - $start)" | bc) events/s"
$python scripts/bench/fastavro_read.py "$files"
