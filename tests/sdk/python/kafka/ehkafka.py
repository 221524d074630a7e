"""Kafka client settings for the emulator, as Event Hubs documents them for its Kafka
endpoint: SASL PLAIN, username `$ConnectionString`, the connection string as password (the
emulator speaks SASL_PLAINTEXT where Azure speaks SASL_SSL on 9093)."""

import subprocess
import time

from ehtest import ehops_bin

USERNAME = "$ConnectionString"
WAIT_S = 30


def confluent(emulator, conn: str | None = None, **extra) -> dict:
    """librdkafka (confluent-kafka) configuration."""
    conf = {
        "bootstrap.servers": emulator.kafka,
        "security.protocol": "SASL_PLAINTEXT",
        "sasl.mechanisms": "PLAIN",
        "sasl.username": USERNAME,
        "sasl.password": conn or emulator.conn(),
        # Refusals and timeouts surface in seconds, not librdkafka's default minutes.
        "socket.timeout.ms": 10000,
        "message.timeout.ms": 15000,
    }
    conf.update(extra)
    return conf


def consumer_conf(emulator, group: str, **extra) -> dict:
    return confluent(emulator, **{
        "group.id": group,
        "auto.offset.reset": "earliest",
        "enable.auto.commit": False,
        "session.timeout.ms": 6000,
        "heartbeat.interval.ms": 500,
        **extra,
    })


def kafka_python(emulator, conn: str | None = None, **extra) -> dict:
    """kafka-python keyword arguments."""
    kwargs = dict(
        bootstrap_servers=emulator.kafka,
        security_protocol="SASL_PLAINTEXT",
        sasl_mechanism="PLAIN",
        sasl_plain_username=USERNAME,
        sasl_plain_password=conn or emulator.conn(),
        request_timeout_ms=15000,
    )
    kwargs.update(extra)
    return kwargs


def produce(emulator, topic: str, records, conn: str | None = None, **extra) -> list:
    """Produces (key, value, headers, partition) tuples; returns the delivery reports as
    (error, partition, offset), in order, after a bounded flush."""
    from confluent_kafka import Producer

    producer = Producer(confluent(emulator, conn, **extra))
    reports = []
    for key, value, headers, partition in records:
        kwargs = {"key": key, "value": value, "headers": headers,
                  "on_delivery": lambda e, m: reports.append(
                      (e, m.partition() if m else None, m.offset() if m else None))}
        if partition is not None:
            kwargs["partition"] = partition
        producer.produce(topic, **kwargs)
    left = producer.flush(WAIT_S)
    assert left == 0, f"{left} records undelivered after {WAIT_S}s"
    return reports


def consume(consumer, count: int, timeout: float = WAIT_S) -> list:
    """Polls until `count` messages arrived (errors fail the test) or the time is up."""
    got = []
    deadline = time.monotonic() + timeout
    while len(got) < count and time.monotonic() < deadline:
        message = consumer.poll(0.5)
        if message is None:
            continue
        assert message.error() is None, message.error()
        got.append(message)
    return got


def read_as_group(emulator, group: str, topic: str, count: int, **extra) -> list:
    """Joins `group` on `topic` with a confluent-kafka consumer, reads `count` messages (see
    `consume`) and leaves."""
    from confluent_kafka import Consumer

    consumer = Consumer(consumer_conf(emulator, group, **extra))
    consumer.subscribe([topic])
    try:
        return consume(consumer, count)
    finally:
        consumer.close()


def ehops(emulator, tmp_path, *args, stdin=None):
    """Runs `ehops ARGS` against the emulator, its Kafka endpoint included, with a data
    directory (audit trail, logs) under `tmp_path/console`."""
    argv = [str(ehops_bin()), *args, "--connection-string", emulator.conn(),
            "--catalog", f"http://{emulator.http}", "--kafka-endpoint", emulator.kafka,
            "--data", str(tmp_path / "console")]
    return subprocess.run(argv, capture_output=True, text=True, timeout=120, input=stdin)
