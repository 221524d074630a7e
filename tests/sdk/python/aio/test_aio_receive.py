"""What the aio consumer receives: contents, start positions, runtime metrics."""

import asyncio

import pytest
from azure.eventhub import EventData

from ehaio import AioReceiver, aio, consumer, probe_until_live, producer, receive_all
from ehtest import body_bytes


@aio
async def test_event_round_trip(emulator):
    sent = EventData(b"\x01binary\xfe")
    sent.properties = {"kind": "order-created", "version": 2}
    sent.content_type = "application/cloudevents+json"
    sent.correlation_id = "corr-aio"
    sent.message_id = "msg-aio"
    async with producer(emulator.conn(), "single") as prod:
        await prod.send_event(sent, partition_key="order-9")
    [(_, got)] = await receive_all(emulator.conn(), "single", 1)
    assert body_bytes(got) == b"\x01binary\xfe"
    assert got.properties == {b"kind": b"order-created", b"version": 2}
    assert (got.content_type, got.correlation_id, got.message_id) == (
        "application/cloudevents+json", "corr-aio", "msg-aio")
    assert (got.sequence_number, got.partition_key) == (0, b"order-9")
    assert got.offset.isdigit() and got.enqueued_time is not None


async def _five_events(conn):
    async with producer(conn, "single") as prod:
        for i in range(5):
            await prod.send_event(EventData(f"e{i}"))
            await asyncio.sleep(0.02)  # distinct enqueued times
    return [e for _, e in await receive_all(conn, "single", 5)]


POSITIONS = [
    ("earliest", lambda ev: "-1", False, [0, 1, 2, 3, 4]),
    ("sequence number exclusive", lambda ev: 1, False, [2, 3, 4]),
    ("sequence number inclusive", lambda ev: 1, True, [1, 2, 3, 4]),
    ("offset exclusive", lambda ev: ev[3].offset, False, [4]),
    ("enqueued time inclusive", lambda ev: ev[2].enqueued_time, True, [2, 3, 4]),
]


@pytest.mark.parametrize("name,position,inclusive,expected", POSITIONS,
                         ids=[p[0] for p in POSITIONS])
@aio
async def test_starting_position(emulator, name, position, inclusive, expected):
    events = await _five_events(emulator.conn())
    start = position(events)
    async with AioReceiver(consumer(emulator.conn(), "single"), partition_id="0",
                           starting_position=start, starting_position_inclusive=inclusive) as r:
        got = await r.wait_bodies(len(expected))
    assert got == [f"e{i}".encode() for i in expected], f"{name} from {start!r}"


@aio
async def test_starting_position_latest(emulator):
    await _five_events(emulator.conn())
    async with AioReceiver(consumer(emulator.conn(), "single"), partition_id="0",
                           starting_position="@latest") as r:
        await probe_until_live(emulator.conn(), "single", "0", r)
        async with producer(emulator.conn(), "single") as prod:
            await prod.send_event(EventData(b"late"))
        assert await r.wait_bodies(1) == [b"late"]


@aio
async def test_track_last_enqueued_event_properties(emulator):
    async with producer(emulator.conn(), "single") as prod:
        await prod.send_batch([EventData(f"t{i}") for i in range(3)])
    async with AioReceiver(consumer(emulator.conn(), "single"), partition_id="0",
                           starting_position="-1",
                           track_last_enqueued_event_properties=True) as r:
        assert await r.wait_for(lambda r: len(r.events) >= 3)
    first_seen, newest = r.last_enqueued[0], r.events[-1][1]
    assert first_seen is not None, "no runtime metrics delivered"
    assert (first_seen["sequence_number"], first_seen["offset"], first_seen["enqueued_time"]) == (
        2, newest.offset, newest.enqueued_time)
