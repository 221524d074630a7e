#!/usr/bin/env bash
# Decode throughput on one core, ehops' codec beside fastavro (C-accelerated) on the same
# payloads in the same run: the demo's Avro CloudEvents, written by benches/decode.rs.
# Usage: scripts/bench-decode.sh [MEASUREMENT_SECONDS]
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-10}

bash scripts/test-env.sh >/dev/null
python=target/test-env/venv/bin/python
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# One core for both sides.
pin=(taskset -c 0)
command -v taskset >/dev/null || pin=()

if ! EHOPS_DECODE_PAYLOADS="$work/payloads.json" "${pin[@]}" \
  cargo bench --quiet --bench decode -- --measurement-time "$seconds" --noplot \
  >"$work/criterion.txt" 2>&1; then
  cat "$work/criterion.txt" >&2
  exit 1
fi
python_json=$("${pin[@]}" "$python" scripts/bench/decode_fastavro.py "$work/payloads.json")

"$python" - "$python_json" target/criterion/decode <<'PY'
import json, sys
fast = json.loads(sys.argv[1])
def rate(name):
    with open(f"{sys.argv[2]}/{name}/new/estimates.json") as f:
        ns = json.load(f)["mean"]["point_estimate"]
    with open(f"{sys.argv[2]}/{name}/new/benchmark.json") as f:
        elements = json.load(f)["throughput"]["Elements"]
    return elements / (ns / 1e9)
rust = rate("avro_datum")
whole = rate("event_to_json")
print(f"ehops codec, Avro datum:        {rust:12,.0f} events/s")
print(f"ehops codec, event to JSON:     {whole:12,.0f} events/s")
print(f"fastavro {fast['fastavro']} (compiled: {fast['compiled']}): {fast['events_per_second']:12,.0f} events/s")
print(f"ratio (Avro datum / fastavro):  {rust / fast['events_per_second']:.2f}x")
PY
