#!/usr/bin/env bash
# `ehops trace` of one subject over several hubs whose producers key events by subject, with
# and without the key-hash shortcut (only the partition the key hashes to is read), in the
# same run against a local emulator (release build). Hubs are loaded with
# scripts/bench/search_load.py in its keyed mode: Avro CloudEvents, 1,000 subjects.
# Usage: scripts/bench-trace.sh [HUBS] [EVENTS_PER_HUB] [PARTITIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
hubs=${1:-5}
events=${2:-1000000}
partitions=${3:-4}
subject=cont-00042

bash scripts/test-env.sh >/dev/null
cargo build --release --quiet --bin ehops
source scripts/bench/emulator.sh
for h in $(seq 1 "$hubs"); do
  printf '[[namespace.hub]]\nname = "hub%s"\npartitions = %s\nconsumer_groups = ["ehops"]\n' "$h" "$partitions" >> "$config"
done
printf '[[namespace.schema_group]]\nname = "bench"\n' >> "$config"

echo "machine: $(nproc) cores, $(uname -sr), $(load); $hubs hubs x $events keyed events, $partitions partitions"
mkfifo "$work/ready"
target/release/ehops emulator --config "$config" --data "$work/data" \
  --amqp 127.0.0.1:0 --http 127.0.0.1:0 --kafka 127.0.0.1:0 --json > "$work/ready" &
emulator_pid=$!
ready=$(head -n 1 "$work/ready")
cs=$(echo "$ready" | $python -c 'import json,sys; print(json.load(sys.stdin)["namespaces"][0]["rules"][0]["connection_string"])')
http="http://$(echo "$ready" | $python -c 'import json,sys; print(json.load(sys.stdin)["http"])')"
names=""
for h in $(seq 1 "$hubs"); do
  $python scripts/bench/search_load.py "$cs" "$http" "hub$h" "$events" "$partitions" keyed
  names="$names${names:+,}hub$h"
done
for mode in shortcut full; do
  flag=""; [ "$mode" = full ] && flag="--no-key-hash"
  started=$(date +%s%N)
  found=$(target/release/ehops --connection-string "$cs" --catalog "$http" --data "$work/cli" \
    trace "$subject" --hubs "$names" $flag --json 2>"$work/trace-$mode.err" | wc -l)
  elapsed_ms=$(( ($(date +%s%N) - started) / 1000000 ))
  echo "{\"trace\": \"$mode\", \"events_found\": $((found - 1)), \"ms\": $elapsed_ms, \"machine\": \"$(load)\", \"note\": \"$(grep 'key-hash shortcut' "$work/trace-$mode.err")\"}"
done
kill "$emulator_pid"; wait "$emulator_pid" 2>/dev/null || true
