"""Kafka and AMQP on one hub, as Microsoft's article "Exchange events between consumers and
producers that use different protocols: AMQP, Kafka, and HTTPS" describes it: headers and
application properties map to each other (values as byte arrays), the Kafka key arrives as
the annotation `x-opt-kafka-key`, the AMQP partition key as the header `x-opt-partition-key`,
and neither key becomes the other."""

from azure.eventhub import EventData
from confluent_kafka import Consumer

from ehkafka import consume, consumer_conf, produce
from ehsync import Receiver, consumer, producer
from ehtest import body_bytes


def test_kafka_to_amqp(emulator):
    produce(emulator, "single", [(b"the-key", b"the-value", [("h", b"bytes")], None)])
    with Receiver(consumer(emulator.conn(), "single"), starting_position="-1") as receiver:
        assert receiver.wait_for(lambda r: len(r.events) >= 1), receiver.errors
        event = receiver.events[0][1]
    assert body_bytes(event) == b"the-value"
    assert event.properties == {b"h": b"bytes"}
    annotations = event.raw_amqp_message.annotations
    assert annotations[b"x-opt-kafka-key"] == b"the-key"
    assert event.partition_key is None
    assert event.sequence_number == 0


def test_amqp_to_kafka(emulator):
    with producer(emulator.conn(), "single") as client:
        batch = client.create_batch(partition_key="amqp-key")
        event = EventData(b"from-amqp")
        event.properties = {"raw": b"bytes", "text": "str"}
        batch.add(event)
        client.send_batch(batch)
    kafka = Consumer(consumer_conf(emulator, "from-amqp"))
    kafka.subscribe(["single"])
    try:
        got = consume(kafka, 1)
    finally:
        kafka.close()
    assert len(got) == 1
    message = got[0]
    assert message.value() == b"from-amqp"
    assert message.key() is None
    headers = dict(message.headers())
    assert headers["raw"] == b"bytes"
    # A string property reaches Kafka in its AMQP encoding (str8-utf8: 0xa1, length, bytes).
    assert headers["text"] == b"\xa1\x03str"
    assert headers["x-opt-partition-key"] == b"amqp-key"
    assert message.offset() == 0
