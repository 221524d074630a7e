#!/usr/bin/env bash
# `ehops search` with decoding and a CEL predicate over a hub of Avro CloudEvents in a local
# emulator (release build), beside the same search written with Microsoft's Python SDK and
# fastavro (scripts/bench/search_python.py), in the same run. The hub is loaded first
# (benches/search_load.rs: two schema versions, registered in the emulator's Schema Registry).
# `ehops search` is timed from process start to its summary, as a user would see it.
# Usage: scripts/bench-search.sh [EVENTS] [PARTITIONS]
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
partitions=${2:-4}
contact=cont-00042
expression="data.contactId == \"$contact\" && type.endsWith(\".purchased\")"

bash scripts/test-env.sh >/dev/null
cargo build --release --quiet --bin ehops
cargo build --release --quiet --bench search_load
loader=$(ls -t target/release/deps/search_load-* | grep -v '\.d$' | head -n 1)
source scripts/bench/emulator.sh
printf '[[namespace.schema_group]]\nname = "bench"\n' >> "$config"

echo "machine: $(nproc) cores, $(uname -sr), $(load); $events Avro CloudEvents, $partitions partitions"
mkfifo "$work/ready"
target/release/ehops emulator --config "$config" --data "$work/data" \
  --amqp 127.0.0.1:0 --http 127.0.0.1:0 --json > "$work/ready" &
emulator_pid=$!
ready=$(head -n 1 "$work/ready")
cs=$(echo "$ready" | $python -c 'import json,sys; print(json.load(sys.stdin)["namespaces"][0]["rules"][0]["connection_string"])')
http="http://$(echo "$ready" | $python -c 'import json,sys; print(json.load(sys.stdin)["http"])')"

"$loader" "$cs" "$http" bench "$events" "$partitions"
echo "search: $expression ($(load))"
started=$(date +%s%N)
target/release/ehops --connection-string "$cs" --catalog "$http" --data "$work/cli" \
  search bench --where "$expression" --json 2>"$work/search.err" | tail -n 1 > "$work/summary.json"
elapsed_ns=$(( $(date +%s%N) - started ))
$python - "$work/summary.json" "$elapsed_ns" "$(load)" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))["summary"]
seconds = int(sys.argv[2]) / 1e9
print(json.dumps({"client": "ehops search --json", "scanned": summary["scanned"],
                  "matched": summary["matched"], "undecodable": summary["undecodable"],
                  "seconds": round(seconds, 2), "events_per_s": round(summary["scanned"] / seconds),
                  "machine": sys.argv[3]}))
PY
echo "python: ($(load))"
$python scripts/bench/search_python.py "$cs" "$http" bench "$contact"
kill "$emulator_pid"; wait "$emulator_pid" 2>/dev/null || true
