#!/usr/bin/env bash
# Kafka against AMQP on the emulator, same run, same machine: confluent-kafka (librdkafka)
# through the Kafka endpoint, then Microsoft's Python SDK (azure-eventhub) through AMQP, each
# against a fresh release emulator on its own data dir, with the same workload: every event
# durably acknowledged, then all consumed from the start.
# Usage: scripts/bench-kafka.sh [EVENTS_PER_PARTITION] [PARTITIONS] [EVENT_BYTES] [BATCH]
set -euo pipefail
cd "$(dirname "$0")/.."
per_partition=${1:-25000}
partitions=${2:-4}
size=${3:-256}
batch=${4:-100}

bash scripts/test-env.sh >/dev/null
cargo build --release --quiet --bin ehops
source scripts/bench/emulator.sh

echo "machine: $(nproc) cores, $(uname -sr), $(load); $((per_partition * partitions)) events of $size bytes, batches of $batch, $partitions partitions"
start_emulator kafka
$python scripts/bench/kafka_throughput.py "$kafka" "$cs" bench "$per_partition" "$size" "$batch" "$partitions"
stop_emulator
start_emulator python
$python scripts/bench/python_throughput.py "$cs" bench "$per_partition" "$size" "$batch" "$partitions"
stop_emulator
echo "after: $(load)"
