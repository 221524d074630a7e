"""What the sync consumer receives: event contents, start positions, runtime metrics."""

import datetime
import time

import pytest
from azure.eventhub import EventData

from ehtest import body_bytes
from ehsync import Receiver, consumer, probe_until_live, producer, receive_all


def test_event_round_trip(emulator):
    sent = EventData(b"\x00\xffpayload")
    sent.properties = {"team": "billing", "attempt": 3}
    sent.content_type = "application/json"
    sent.correlation_id = "corr-1"
    sent.message_id = "msg-1"
    before = datetime.datetime.now(datetime.timezone.utc)
    with producer(emulator.conn(), "single") as prod:
        prod.send_event(sent, partition_key="pk-1")
    after = datetime.datetime.now(datetime.timezone.utc)

    [(pid, got)] = receive_all(emulator.conn(), "single", 1)
    assert pid == "0"
    assert body_bytes(got) == b"\x00\xffpayload"
    # pyamqp hands AMQP strings back as bytes; the int stays an int.
    assert got.properties == {b"team": b"billing", b"attempt": 3}
    assert (got.content_type, got.correlation_id, got.message_id) == (
        "application/json", "corr-1", "msg-1")
    assert got.sequence_number == 0
    assert got.offset is not None and got.offset.isdigit(), f"offset {got.offset!r}"
    assert got.partition_key == b"pk-1"
    slack = datetime.timedelta(seconds=2)
    assert before - slack <= got.enqueued_time <= after + slack
    assert got.system_properties[b"x-opt-sequence-number"] == 0
    assert got.system_properties[b"x-opt-partition-key"] == b"pk-1"


@pytest.fixture
def five_events(emulator):
    """e0..e4 on `single`, sent one by one 20 ms apart so each has its own enqueued time."""
    with producer(emulator.conn(), "single") as prod:
        for i in range(5):
            prod.send_event(EventData(f"e{i}"))
            time.sleep(0.02)
    events = [e for _, e in receive_all(emulator.conn(), "single", 5)]
    assert [body_bytes(e) for e in events] == [f"e{i}".encode() for i in range(5)]
    return events


# (description, position from the five events, inclusive, expected bodies)
POSITIONS = [
    ("earliest", lambda ev: "-1", False, [0, 1, 2, 3, 4]),
    ("sequence number exclusive", lambda ev: 2, False, [3, 4]),
    ("sequence number inclusive", lambda ev: 2, True, [2, 3, 4]),
    ("offset exclusive", lambda ev: ev[1].offset, False, [2, 3, 4]),
    ("offset inclusive", lambda ev: ev[1].offset, True, [1, 2, 3, 4]),
    ("enqueued time exclusive", lambda ev: ev[3].enqueued_time, False, [4]),
    ("enqueued time inclusive", lambda ev: ev[3].enqueued_time, True, [3, 4]),
]


@pytest.mark.parametrize("name,position,inclusive,expected", POSITIONS,
                         ids=[p[0] for p in POSITIONS])
def test_starting_position(emulator, five_events, name, position, inclusive, expected):
    start = position(five_events)
    with Receiver(consumer(emulator.conn(), "single"), partition_id="0",
                  starting_position=start, starting_position_inclusive=inclusive) as r:
        got = r.wait_bodies(len(expected))
    assert got == [f"e{i}".encode() for i in expected], f"{name} from {start!r}"
    assert r.errors == []


def test_starting_position_latest_skips_existing_events(emulator, five_events):
    with Receiver(consumer(emulator.conn(), "single"), partition_id="0",
                  starting_position="@latest") as r:
        probe_until_live(emulator.conn(), "single", "0", r)
        with producer(emulator.conn(), "single") as prod:
            prod.send_batch([EventData(b"new-1"), EventData(b"new-2")])
        got = r.wait_bodies(2)
    assert got == [b"new-1", b"new-2"]


def test_track_last_enqueued_event_properties(emulator):
    with producer(emulator.conn(), "single") as prod:
        prod.send_batch([EventData(f"t{i}") for i in range(3)])
    with Receiver(consumer(emulator.conn(), "single"), partition_id="0",
                  starting_position="-1", track_last_enqueued_event_properties=True) as r:
        assert r.wait_for(lambda r: len(r.events) >= 3)
        first_seen = r.last_enqueued[0]
        last_event = r.events[-1][1]
    assert first_seen is not None, "no runtime metrics delivered"
    # Already on the first event the metrics describe the partition's newest event (t2).
    assert first_seen["sequence_number"] == 2
    assert first_seen["offset"] == last_event.offset
    assert first_seen["enqueued_time"] == last_event.enqueued_time
    assert isinstance(first_seen["retrieval_time"], datetime.datetime)


def test_consumer_groups_read_independently(emulator):
    with producer(emulator.conn(), "orders") as prod:
        prod.send_batch([EventData(b"shared-1"), EventData(b"shared-2")], partition_id="0")
    for group in ("$Default", "billing", "audit"):
        with Receiver(consumer(emulator.conn(), "orders", group), partition_id="0",
                      starting_position="-1") as r:
            assert r.wait_bodies(2) == [b"shared-1", b"shared-2"], group
