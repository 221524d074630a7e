"""kafka-python (pure Python, its own protocol code) against the emulator's Kafka endpoint."""

from kafka import KafkaConsumer, KafkaProducer, TopicPartition
from kafka.errors import KafkaError as ClientError
from kafka.structs import OffsetAndMetadata

from ehkafka import WAIT_S, kafka_python

import pytest


def _producer(emulator, **extra):
    return KafkaProducer(**kafka_python(emulator, **extra))


def _consumer(emulator, group, **extra):
    return KafkaConsumer(**kafka_python(
        emulator, group_id=group, auto_offset_reset="earliest", enable_auto_commit=False,
        consumer_timeout_ms=WAIT_S * 1000, **extra))


def test_produce_and_consume_with_keys_and_headers(emulator):
    producer = _producer(emulator)
    for i in range(5):
        producer.send("single", key=b"k%d" % i, value=b"v%d" % i, headers=[("h", b"x")])
    producer.flush(WAIT_S)
    producer.close()
    consumer = _consumer(emulator, "kp")
    consumer.subscribe(["single"])
    got = []
    for message in consumer:
        got.append(message)
        if len(got) == 5:
            break
    consumer.close()
    assert [(m.offset, m.key, m.value, m.headers) for m in got] == [
        (i, b"k%d" % i, b"v%d" % i, [("h", b"x")]) for i in range(5)]


def test_commit_and_resume(emulator):
    producer = _producer(emulator)
    for i in range(6):
        producer.send("single", value=b"e%d" % i)
    producer.flush(WAIT_S)
    producer.close()
    first = _consumer(emulator, "kp-resume")
    first.assign([TopicPartition("single", 0)])
    first.commit({TopicPartition("single", 0): OffsetAndMetadata(2, "", -1)})
    first.close()
    second = _consumer(emulator, "kp-resume")
    second.assign([TopicPartition("single", 0)])
    assert second.committed(TopicPartition("single", 0)) == 2
    message = next(iter(second))
    second.close()
    assert (message.offset, message.value) == (2, b"e2")


def test_a_wrong_password_fails_fast(emulator):
    with pytest.raises(ClientError):
        _producer(emulator, sasl_plain_password=emulator.conn_with_wrong_key(),
                  max_block_ms=10000).send("single", b"x").get(timeout=WAIT_S)
