#!/usr/bin/env bash
# `ehops search` with decoding and a CEL predicate over a hub of Avro CloudEvents in a local
# emulator (release build), beside the same search written with Microsoft's Python SDK and
# fastavro (scripts/bench/search_python.py), in the same run. The hub is loaded first
# (scripts/bench/search_load.py: two schema versions, registered in the emulator's Schema Registry).
# `ehops search` is timed from process start to its summary, as a user would see it. Beside
# both: Microsoft's Rust SDK receiving the same events and doing nothing with them
# (benches/sdk_throughput.rs in `consume` mode), the ceiling of any client built on that SDK
# here, with the CPU each process spent.
# Usage: scripts/bench-search.sh [EVENTS] [PARTITIONS]   (PROFILE=1 adds a perf profile of both sides)
set -euo pipefail
cd "$(dirname "$0")/.."
events=${1:-1000000}
partitions=${2:-4}
contact=cont-00042
expression="data.contactId == \"$contact\" && type.endsWith(\".purchased\")"

bash scripts/test-env.sh >/dev/null
cargo build --release --quiet --bin ehops --bench sdk_throughput
sdk_bin=$(ls -t target/release/deps/sdk_throughput-* | grep -v '\.d$' | head -n 1)
source scripts/bench/emulator.sh
printf '[[namespace.schema_group]]\nname = "bench"\n' >> "$config"

echo "machine: $(nproc) cores, $(uname -sr), $(load); $events Avro CloudEvents, $partitions partitions"
mkfifo "$work/ready"
target/release/ehops emulator --config "$config" --data "$work/data" \
  --amqp 127.0.0.1:0 --http 127.0.0.1:0 --kafka 127.0.0.1:0 --json > "$work/ready" &
emulator_pid=$!
ready=$(head -n 1 "$work/ready")
cs=$(echo "$ready" | $python -c 'import json,sys; print(json.load(sys.stdin)["namespaces"][0]["rules"][0]["connection_string"])')
http="http://$(echo "$ready" | $python -c 'import json,sys; print(json.load(sys.stdin)["http"])')"

# CPU seconds (user + system) a process has used so far, from /proc: where the time goes.
cpu() { awk '{ printf "%.2f", ($14 + $15) / 100 }' "/proc/$1/stat"; }

$python scripts/bench/search_load.py "$cs" "$http" bench "$events" "$partitions"
echo "search: $expression ($(load))"
emulator_before=$(cpu "$emulator_pid")
started=$(date +%s%N)
/usr/bin/env time -f "%U %S %M" -o "$work/search.time" \
  target/release/ehops --connection-string "$cs" --catalog "$http" --data "$work/cli" \
  search bench --where "$expression" --json 2>"$work/search.err" | tail -n 1 > "$work/summary.json"
elapsed_ns=$(( $(date +%s%N) - started ))
emulator_after=$(cpu "$emulator_pid")
$python - "$work/summary.json" "$elapsed_ns" "$(load)" "$work/search.time" "$emulator_before" "$emulator_after" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))["summary"]
seconds = int(sys.argv[2]) / 1e9
user, system, max_kb = open(sys.argv[4]).read().split()[-3:]
print(json.dumps({"client": "ehops search --json", "scanned": summary["scanned"],
                  "matched": summary["matched"], "undecodable": summary["undecodable"],
                  "seconds": round(seconds, 2), "events_per_s": round(summary["scanned"] / seconds),
                  "search_cpu_s": round(float(user) + float(system), 2), "search_max_rss_mb": round(int(max_kb) / 1024),
                  "emulator_cpu_s": round(float(sys.argv[6]) - float(sys.argv[5]), 2),
                  "machine": sys.argv[3]}))
PY
# Memory with many matches: one event in ten matches; the earliest --limit are kept.
/usr/bin/env time -f "%M" -o "$work/many.time" target/release/ehops --connection-string "$cs" \
  --catalog "$http" --data "$work/cli" search bench --where 'data.amount < 10.0' --json \
  2>/dev/null | tail -n 1 > "$work/many.json"
$python - "$work/many.json" "$work/many.time" <<'PY'
import json, sys
summary = json.load(open(sys.argv[1]))["summary"]
print(json.dumps({"memory": "ehops search, 1 in 10 matching", "scanned": summary["scanned"],
                  "matched": summary["matched"], "kept": 1000,
                  "max_rss_mb": round(int(open(sys.argv[2]).read().split()[-1]) / 1024)}))
PY
echo "rust sdk alone, the same events: ($(load))"
emulator_before=$(cpu "$emulator_pid")
/usr/bin/env time -f "%U %S" -o "$work/sdk.time" \
  "$sdk_bin" "$cs" bench $((events / partitions)) 0 0 "$partitions" consume > "$work/sdk.json"
$python - "$work/sdk.json" "$work/sdk.time" "$emulator_before" "$(cpu "$emulator_pid")" <<'PY'
import json, sys
sdk = json.load(open(sys.argv[1]))
user, system = open(sys.argv[2]).read().split()[-2:]
print(json.dumps({"client": sdk["client"] + ", receiving only", "events": sdk["events"],
                  "events_per_s": sdk["consume_events_per_s"],
                  "client_cpu_s": round(float(user) + float(system), 2),
                  "emulator_cpu_s": round(float(sys.argv[4]) - float(sys.argv[3]), 2)}))
PY
echo "python: ($(load))"
emulator_before=$(cpu "$emulator_pid")
$python scripts/bench/search_python.py "$cs" "$http" bench "$contact"
echo "{\"emulator_cpu_s_during_python\": $(echo "$(cpu "$emulator_pid") - $emulator_before" | bc)}"
if [ -n "${PROFILE:-}" ]; then
  # Where the time goes: one more search, sampled with perf in both processes (not timed).
  perf record -q -F 499 -g -p "$emulator_pid" -o "$work/emulator.perf" 2>/dev/null &
  perf_pid=$!
  perf record -q -F 499 -g -o "$work/search.perf" -- target/release/ehops --connection-string "$cs" \
    --catalog "$http" --data "$work/cli" search bench --where "$expression" --json >/dev/null 2>&1
  kill -INT "$perf_pid"; wait "$perf_pid" 2>/dev/null || true
  for side in search emulator; do
    echo "--- $side: top functions (self time)"
    perf report -i "$work/$side.perf" --stdio --no-children --sort dso,sym --percent-limit 2 2>/dev/null \
      | grep -E '^ +[0-9.]+%' | head -n 15
  done
fi
kill "$emulator_pid"; wait "$emulator_pid" 2>/dev/null || true
