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
python=target/test-env/venv/bin/python

work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

config="$work/bench.toml"
cat > "$config" <<TOML
[[namespace]]
name = "bench"
[[namespace.rule]]
name = "RootManageSharedAccessKey"
key = "bench-key"
rights = ["Listen", "Send", "Manage"]
[[namespace.hub]]
name = "bench"
partitions = $partitions
TOML

run_one() { # $1 = label, rest = client command (gets CS as first arg)
  local label=$1; shift
  local data="$work/data-$label"
  mkfifo "$work/ready-$label"
  target/release/ehops emulator --config "$config" --data "$data" \
    --amqp 127.0.0.1:0 --http 127.0.0.1:0 --json > "$work/ready-$label" &
  local pid=$!
  local cs
  cs=$(head -n 1 "$work/ready-$label" | $python -c 'import json,sys; print(json.load(sys.stdin)["namespaces"][0]["rules"][0]["connection_string"])')
  "$@" "$cs" bench "$per_partition" "$size" "$batch" "$partitions"
  kill "$pid"; wait "$pid" 2>/dev/null || true
}

echo "machine: $(nproc) cores, $(uname -sr); $((per_partition * partitions)) events of $size bytes, batches of $batch, $partitions partitions"
run_one rust "$bench_bin"
run_one python $python scripts/bench/python_throughput.py
