"""confluent-kafka's side of scripts/bench-kafka.sh: the same workload as
scripts/bench/python_throughput.py (every record acknowledged by the emulator, then consumed
from the start), through the emulator's Kafka endpoint, printed as one JSON line."""

import json
import sys
import time

import confluent_kafka
from confluent_kafka import Consumer, Producer, TopicPartition


def conf(bootstrap, cs, **extra):
    return {"bootstrap.servers": bootstrap, "security.protocol": "SASL_PLAINTEXT",
            "sasl.mechanisms": "PLAIN", "sasl.username": "$ConnectionString",
            "sasl.password": cs, **extra}


def main():
    bootstrap, cs, topic = sys.argv[1], sys.argv[2], sys.argv[3]
    per_partition, size, batch, partitions = (int(a) for a in sys.argv[4:8])
    total = per_partition * partitions
    # acks=all: a record counts once the emulator stored it durably, as an AMQP send does.
    producer = Producer(conf(bootstrap, cs, **{"acks": "all", "linger.ms": 5,
                                               "batch.num.messages": batch}))
    body = b"x" * size
    failed = []
    started = time.perf_counter()
    for i in range(total):
        while True:
            try:
                producer.produce(topic, body, partition=i % partitions,
                                 on_delivery=lambda e, _m: e and failed.append(e))
                break
            except BufferError:
                producer.poll(0.01)
    if producer.flush(600) or failed:
        print(f"benchmark failed: {len(failed)} errors", file=sys.stderr)
        sys.exit(1)
    ingest_s = time.perf_counter() - started

    consumer = Consumer(conf(bootstrap, cs, **{"group.id": "bench", "enable.auto.commit": False}))
    consumer.assign([TopicPartition(topic, p, 0) for p in range(partitions)])
    received = 0
    started = time.perf_counter()
    deadline = started + 600
    while received < total and time.perf_counter() < deadline:
        for message in consumer.consume(1000, 1.0):
            if message.error() is None:
                received += 1
    consume_s = time.perf_counter() - started
    consumer.close()
    if received < total:
        print(f"benchmark failed: consumed {received} of {total}", file=sys.stderr)
        sys.exit(1)
    print(json.dumps({
        "client": f"confluent-kafka {confluent_kafka.__version__} (librdkafka {confluent_kafka.libversion()[0]})",
        "events": total,
        "event_bytes": size,
        "batch": batch,
        "partitions": partitions,
        "ingest_events_per_s": round(total / ingest_s),
        "consume_events_per_s": round(total / consume_s),
    }))


if __name__ == "__main__":
    main()
