"""Kafka consumer groups for the console's test (tests/console_kafka_groups.rs), made by
confluent-kafka (librdkafka) against an emulator's Kafka endpoint: 10 events on a one-partition
hub; group `console-idle` reads 7, commits offset 7 and leaves (an inactive group with
committed offsets); group `console-live` (client id `live-reader`) reads 4, commits offset 4
and stays a member, polling without committing, until its stdin closes.

Usage: console_reader.py KAFKA_ADDRESS CONNECTION_STRING TOPIC
Prints one JSON line once both groups committed."""

import json
import select
import sys
import time

from confluent_kafka import Consumer, Producer, TopicPartition

WAIT_S = 30


def settings(address: str, conn: str, **extra) -> dict:
    conf = {
        "bootstrap.servers": address,
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanisms": "PLAIN",
        "sasl.username": "$ConnectionString",
        "sasl.password": conn,
        "socket.timeout.ms": 10000,
    }
    conf.update(extra)
    return conf


def read_and_commit(base: dict, topic: str, group: str, client: str, count: int) -> Consumer:
    consumer = Consumer({**base, "group.id": group, "client.id": client,
                         "auto.offset.reset": "earliest", "enable.auto.commit": False,
                         "session.timeout.ms": 6000, "heartbeat.interval.ms": 500})
    consumer.subscribe([topic])
    read = 0
    deadline = time.monotonic() + WAIT_S
    while read < count:
        if time.monotonic() > deadline:
            sys.exit(f"{group} read {read} of {count} events in {WAIT_S}s")
        message = consumer.poll(0.5)
        if message is None:
            continue
        if message.error():
            sys.exit(f"{group}: {message.error()}")
        read += 1
    consumer.commit(offsets=[TopicPartition(topic, 0, count)], asynchronous=False)
    return consumer


def main() -> None:
    address, conn, topic = sys.argv[1:4]
    base = settings(address, conn)
    producer = Producer({**base, "message.timeout.ms": 15000})
    for i in range(10):
        producer.produce(topic, value=b"event-%d" % i, partition=0)
    if producer.flush(WAIT_S) != 0:
        sys.exit("events undelivered")
    read_and_commit(base, topic, "console-idle", "idle-reader", 7).close()
    live = read_and_commit(base, topic, "console-live", "live-reader", 4)
    print(json.dumps({"committed": {"console-idle": 7, "console-live": 4}}), flush=True)
    # Heartbeats ride on poll: keep polling (and never commit) until the test closes stdin.
    while not select.select([sys.stdin], [], [], 0.2)[0]:
        live.poll(0.2)
    live.close()


if __name__ == "__main__":
    main()
