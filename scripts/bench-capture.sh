#!/usr/bin/env bash
# Capture benchmarks, each side by side in one run (release build, loopback):
# 1. acknowledgements at a fixed ingest rate (default 50,000 events/s for 20 s, Microsoft's Rust
#    SDK, one paced task per partition) against an emulator without and with Capture on the
#    hub, and how long after the last acknowledgement the files hold every event;
# 2. `ehops capture read --json` (decoded) of every captured event (1,000,000 by default)
#    beside fastavro reading the same files.
#    The ingest runs alternate, ROUNDS times each (default 3): plain, capture, plain, capture...
#    so drift in the machine's load falls on both sides; the summary gives each side's median.
#    CAPTURE_DIR=DIR writes the capture files there instead of under the emulator's data
#    directory (another disk, or tmpfs standing in for one).
# Usage: [ROUNDS=N] [CAPTURE_DIR=DIR] scripts/bench-capture.sh [RATE] [SECONDS] [PARTITIONS] [EVENT_BYTES] [BATCH]
set -euo pipefail
cd "$(dirname "$0")/.."
rate=${1:-50000}
seconds=${2:-20}
partitions=${3:-4}
size=${4:-256}
batch=${5:-100}
rounds=${ROUNDS:-3}

bash scripts/test-env.sh >/dev/null
cargo build --release --quiet --bin ehops --bench capture_ingest
bench_bin=$(ls -t target/release/deps/capture_ingest-* | grep -v '\.d$' | head -n 1)
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
files="$work/data-capture/capture/capture"
if [ -n "${CAPTURE_DIR:-}" ]; then
  files="$CAPTURE_DIR/ehops-bench-$$"
  echo "directory = \"$files\"" >> "$capture_config"
  trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work" "$files"' EXIT
fi

# Events in the capture files, counted by ehops' own listing.
captured() {
  target/release/ehops capture ls bench --json --capture-dir "$files" --capture-namespace bench \
    --connection-string "$cs" --data "$work/console" 2>/dev/null \
    | $python -c 'import json,sys; print(sum(json.loads(l)["events"] for l in sys.stdin))'
}

echo "machine: $(nproc) cores, $(uname -sr), $(load); $rate events/s offered for $seconds s, $size bytes, batches of $batch, $partitions partitions"
: > "$work/acks"
for round in $(seq "$rounds"); do
  for label in plain capture; do
    if [ "$label" = capture ]; then config=$capture_config; else config=$plain_config; fi
    rm -rf "$work/data-$label" "$work/ready-$label"
    if [ "$label" = capture ]; then rm -rf "$files"; fi
    start_emulator "$label"
    result=$("$bench_bin" "$cs" bench "$rate" "$seconds" "$size" "$batch" "$partitions")
    echo "round $round, $label: $result ($(load))"
    echo "$label $result" >> "$work/acks"
    if [ "$label" = capture ]; then
      events=$(echo "$result" | $python -c 'import json,sys; print(json.load(sys.stdin)["events"])')
      acked=$(date +%s.%N)
      while [ "$(captured)" -lt "$events" ]; do sleep 0.5; done
      echo "capture: all $events events in files $(echo "$(date +%s.%N) - $acked" | bc) s after the last acknowledgement (windows of 5 s)"
      capture_cs=$cs
    fi
    # The last capture run's files are read below.
    if [ "$label" = plain ] || [ "$round" -lt "$rounds" ]; then stop_emulator; fi
  done
done
$python - "$work/acks" <<'PY'
import json, statistics, sys
runs = {}
for line in open(sys.argv[1]):
    label, result = line.split(" ", 1)
    runs.setdefault(label, []).append(json.loads(result))
median = {label: statistics.median(r["ack_ms_mean"] for r in rs) for label, rs in runs.items()}
p99 = {label: statistics.median(r["ack_ms_p99"] for r in rs) for label, rs in runs.items()}
slower = (median["capture"] / median["plain"] - 1) * 100
print(f"acknowledgement mean, median of {len(runs['plain'])} alternating runs: "
      f"{median['plain']:.2f} ms without Capture, {median['capture']:.2f} ms with it ({slower:+.0f}%); "
      f"p99 {p99['plain']:.2f} / {p99['capture']:.2f} ms")
PY

echo "reading the captured events ($(du -sh "$files" | cut -f1) in $(find "$files" -name '*.avro' | wc -l) files), $(load)"
start=$(date +%s.%N)
target/release/ehops capture read bench --json --capture-dir "$files" --capture-namespace bench \
  --connection-string "$capture_cs" --data "$work/console" > "$work/read.jsonl" 2>/dev/null || true
end=$(date +%s.%N)
lines=$(wc -l < "$work/read.jsonl")
echo "ehops capture read --json (decoded): $lines events in $(echo "$end - $start" | bc) s: $(echo "$lines / ($end - $start)" | bc) events/s"
$python scripts/bench/fastavro_read.py "$files"
stop_emulator
