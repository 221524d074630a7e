#!/usr/bin/env bash
# How long `ehops tail --from earliest --count 3` takes from process start to exit against a
# local emulator (release build) holding three events: connecting, authorizing each receiver,
# reading. Ten runs, milliseconds each. EHOPS_BIN=path runs another ehops build (emulator and
# tail both), to compare before and after.
# Usage: scripts/bench-tail-latency.sh [RUNS]
set -euo pipefail
cd "$(dirname "$0")/.."
runs=${1:-10}
partitions=4

bash scripts/test-env.sh >/dev/null
cargo build --release --quiet --bin ehops
source scripts/bench/emulator.sh
ehops=${EHOPS_BIN:-target/release/ehops}

mkfifo "$work/ready"
"$ehops" emulator --config "$config" --data "$work/data" \
  --amqp 127.0.0.1:0 --http 127.0.0.1:0 --json > "$work/ready" &
ready=$(head -n 1 "$work/ready")
cs=$(echo "$ready" | $python -c 'import json,sys; print(json.load(sys.stdin)["namespaces"][0]["rules"][0]["connection_string"])')
http="http://$(echo "$ready" | $python -c 'import json,sys; print(json.load(sys.stdin)["http"])')"
$python - "$cs" <<'PY'
import sys
from azure.eventhub import EventData, EventHubProducerClient

with EventHubProducerClient.from_connection_string(sys.argv[1], eventhub_name="bench") as producer:
    batch = producer.create_batch(partition_id="0")
    for i in range(3):
        batch.add(EventData(f"event {i}"))
    producer.send_batch(batch)
PY

echo "machine: $(nproc) cores, $(load); ehops tail --count 3, $runs runs (ms):"
for _ in $(seq 1 "$runs"); do
  start=$(date +%s%N)
  "$ehops" --connection-string "$cs" --catalog "$http" --data "$work/console" \
    tail bench --from earliest --count 3 --json --no-decode --consumer-group ehops > /dev/null
  echo -n "$(( ($(date +%s%N) - start) / 1000000 )) "
done
echo
