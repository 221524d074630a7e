"""kill -9 of the emulator: acknowledged produces and committed offsets survive."""

from confluent_kafka import Consumer, TopicPartition

from ehkafka import WAIT_S, consume, consumer_conf, produce
from ehtest import Emulator


def test_acknowledged_produces_and_commits_survive_kill_9(emulator, tmp_path):
    reports = produce(emulator, "single", [(None, b"e%d" % i, None, None) for i in range(6)],
                      **{"acks": "all"})
    assert all(error is None for error, _, _ in reports)
    first = Consumer(consumer_conf(emulator, "durable"))
    first.subscribe(["single"])
    try:
        assert len(consume(first, 3)) == 3
        first.commit(offsets=[TopicPartition("single", 0, 3)], asynchronous=False)
    finally:
        first.close()
    emulator.kill9()

    again = Emulator.start(tmp_path / "again", data=emulator.data)
    try:
        second = Consumer(consumer_conf(again, "durable"))
        second.subscribe(["single"])
        try:
            committed = second.committed([TopicPartition("single", 0)], timeout=WAIT_S)
            assert committed[0].offset == 3
            got = consume(second, 3)
            _, high = second.get_watermark_offsets(TopicPartition("single", 0), timeout=WAIT_S)
        finally:
            second.close()
        assert [(m.offset(), m.value()) for m in got] == [(3, b"e3"), (4, b"e4"), (5, b"e5")]
        assert high == 6
    finally:
        again.stop()
