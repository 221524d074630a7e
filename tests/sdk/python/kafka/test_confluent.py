"""confluent-kafka (librdkafka 2.x) against the emulator's Kafka endpoint."""

import time

from confluent_kafka import Consumer, KafkaError, Producer, TopicPartition

from ehkafka import WAIT_S, confluent, consume, consumer_conf, produce


def test_produce_and_consume_with_keys_and_headers(emulator):
    records = [(b"k%d" % i, b"v%d" % i, [("h", b"x%d" % i)], None) for i in range(10)]
    reports = produce(emulator, "single", records)
    assert [(e, p, o) for e, p, o in reports] == [(None, 0, i) for i in range(10)]

    consumer = Consumer(consumer_conf(emulator, "read-all"))
    consumer.subscribe(["single"])
    try:
        got = consume(consumer, 10)
    finally:
        consumer.close()
    assert [m.offset() for m in got] == list(range(10))
    assert [m.key() for m in got] == [b"k%d" % i for i in range(10)]
    assert [m.value() for m in got] == [b"v%d" % i for i in range(10)]
    assert [m.headers() for m in got] == [[("h", b"x%d" % i)] for i in range(10)]


def _assigned(consumer) -> set:
    return {tp.partition for tp in consumer.assignment()}


def _poll_until(consumers, predicate, timeout=WAIT_S):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        for consumer in consumers:
            consumer.poll(0.2)
        if predicate():
            return True
    return False


def test_a_group_of_two_rebalances_on_join_and_leave(emulator):
    first = Consumer(consumer_conf(emulator, "pair"))
    second = Consumer(consumer_conf(emulator, "pair"))
    try:
        first.subscribe(["orders"])
        assert _poll_until([first], lambda: _assigned(first) == {0, 1, 2, 3}), _assigned(first)
        second.subscribe(["orders"])
        split = lambda: (len(_assigned(first)) == 2 and len(_assigned(second)) == 2  # noqa: E731
                         and _assigned(first) | _assigned(second) == {0, 1, 2, 3})
        assert _poll_until([first, second], split), (_assigned(first), _assigned(second))
        second.close()
        assert _poll_until([first], lambda: _assigned(first) == {0, 1, 2, 3}), _assigned(first)
    finally:
        first.close()


_MEMBER = """
import json, sys, time
from confluent_kafka import Consumer
consumer = Consumer(json.loads(sys.argv[1]))
consumer.subscribe(["orders"])
while True:
    consumer.poll(0.2)
    print(len(consumer.assignment()), flush=True)
"""


def test_a_member_that_dies_is_expired_after_its_session_timeout(emulator):
    import json
    import subprocess
    import sys

    first = Consumer(consumer_conf(emulator, "expiry"))
    first.subscribe(["orders"])
    member = subprocess.Popen([sys.executable, "-c", _MEMBER,
                               json.dumps(consumer_conf(emulator, "expiry"))],
                              stdout=subprocess.PIPE, text=True)
    try:
        assert _poll_until([first], lambda: len(_assigned(first)) == 2), _assigned(first)
        # SIGKILL: no LeaveGroup, no more heartbeats; only the session timeout (6 s) can hand
        # its partitions back.
        member.kill()
        member.wait()
        assert _poll_until([first], lambda: _assigned(first) == {0, 1, 2, 3}), _assigned(first)
    finally:
        member.kill()
        first.close()


def test_commit_then_resume_exactly_after_the_committed_offset(emulator):
    produce(emulator, "single", [(None, b"e%d" % i, None, None) for i in range(10)])
    first = Consumer(consumer_conf(emulator, "resume"))
    first.subscribe(["single"])
    try:
        got = consume(first, 4)
        assert [m.offset() for m in got] == [0, 1, 2, 3]
        first.commit(offsets=[TopicPartition("single", 0, 4)], asynchronous=False)
    finally:
        first.close()
    second = Consumer(consumer_conf(emulator, "resume"))
    second.subscribe(["single"])
    try:
        committed = second.committed([TopicPartition("single", 0)], timeout=WAIT_S)
        assert committed[0].offset == 4
        got = consume(second, 6)
    finally:
        second.close()
    assert [m.offset() for m in got] == [4, 5, 6, 7, 8, 9]
    assert got[0].value() == b"e4"


def test_a_wrong_password_is_an_authentication_error_not_a_hang(emulator):
    errors = []
    producer = Producer(confluent(emulator, emulator.conn_with_wrong_key(),
                                  error_cb=lambda e: errors.append(e)))
    started = time.monotonic()
    while not errors and time.monotonic() - started < WAIT_S:
        producer.poll(0.2)
    assert errors, "no error reported"
    assert errors[0].code() == KafkaError._AUTHENTICATION, errors[0]
    assert "SharedAccessKey does not match" in errors[0].str()


def test_produce_without_send_is_refused_as_not_authorized(emulator):
    reports = produce(emulator, "orders", [(None, b"x", None, 0)], conn=emulator.conn("orders-listen"))
    error = reports[0][0]
    assert error is not None and error.code() == KafkaError.TOPIC_AUTHORIZATION_FAILED, error


def test_listen_only_may_consume(emulator):
    produce(emulator, "orders", [(None, b"x", None, 1)])
    consumer = Consumer(confluent(emulator, emulator.conn("orders-listen"), **{
        "group.id": "listener", "auto.offset.reset": "earliest", "enable.auto.commit": False}))
    consumer.subscribe(["orders"])
    try:
        got = consume(consumer, 1)
    finally:
        consumer.close()
    assert [m.value() for m in got] == [b"x"]


def test_an_unknown_topic_is_reported_as_unknown(emulator):
    producer = Producer(confluent(emulator))
    metadata = producer.list_topics("no-such-hub", timeout=WAIT_S)
    assert metadata.topics["no-such-hub"].error.code() == KafkaError.UNKNOWN_TOPIC_OR_PART
    everything = producer.list_topics(timeout=WAIT_S)
    assert {"orders", "single", "keys"} <= set(everything.topics)
    assert len(everything.topics["orders"].partitions) == 4


def test_gzip_batches_round_trip_and_codecs_not_served_are_refused_by_name(emulator):
    # librdkafka compresses whole batches: 20 records of repetitive JSON in one gzip batch.
    values = [b'{"order": %d, "note": "%s"}' % (i, b"x" * 200) for i in range(20)]
    reports = produce(emulator, "single", [(None, v, None, 0) for v in values],
                      **{"compression.type": "gzip", "linger.ms": 50})
    assert [(e, o) for e, _, o in reports] == [(None, i) for i in range(20)]
    consumer = Consumer(consumer_conf(emulator, "gzip-reader"))
    consumer.subscribe(["single"])
    try:
        got = consume(consumer, 20)
    finally:
        consumer.close()
    assert [m.value() for m in got] == values

    # zstd is not accepted (docs/kafka.md): the delivery report names the reason.
    producer = Producer(confluent(emulator, **{"compression.type": "zstd"}))
    failures = []
    producer.produce("single", value=b"z" * 500, partition=0,
                     on_delivery=lambda e, m: failures.append(e))
    producer.flush(WAIT_S)
    assert len(failures) == 1 and failures[0] is not None, failures
    assert failures[0].code() == KafkaError.UNSUPPORTED_COMPRESSION_TYPE, failures[0]
