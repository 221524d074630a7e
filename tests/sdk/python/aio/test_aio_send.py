"""Every way the aio producer sends, checked by reading the events back."""

from collections import defaultdict

from azure.eventhub import EventData

from ehaio import aio, producer, receive_all
from ehtest import body_bytes


@aio
async def test_send_event_and_batch_list_to_partition(emulator):
    async with producer(emulator.conn(), "orders") as prod:
        await prod.send_event(EventData(b"first"), partition_id="1")
        await prod.send_batch([EventData(b"second"), EventData(b"third")], partition_id="1")
    events = await receive_all(emulator.conn(), "orders", 3)
    assert [(p, body_bytes(e), e.sequence_number) for p, e in events] == [
        ("1", b"first", 0), ("1", b"second", 1), ("1", b"third", 2)]


@aio
async def test_create_batch_then_send(emulator):
    async with producer(emulator.conn(), "single") as prod:
        batch = await prod.create_batch()
        assert batch.max_size_in_bytes == 1024 * 1024
        for i in range(20):
            batch.add(EventData(f"b{i}"))
        await prod.send_batch(batch)
    events = await receive_all(emulator.conn(), "single", 20)
    assert [body_bytes(e) for _, e in events] == [f"b{i}".encode() for i in range(20)]
    assert [e.sequence_number for _, e in events] == list(range(20))


@aio
async def test_partition_key_is_sticky_and_unkeyed_sends_spread(emulator):
    async with producer(emulator.conn(), "keys") as prod:
        for round_ in range(3):
            for key in ("tenant-a", "tenant-b"):
                await prod.send_event(EventData(f"{key}/{round_}"), partition_key=key)
        for i in range(16):
            await prod.send_event(EventData(f"free/{i}"))
    events = await receive_all(emulator.conn(), "keys", 22)
    assert len(events) == 22
    by_key = defaultdict(set)
    for pid, event in events:
        key = body_bytes(event).split(b"/")[0]
        if key != b"free":
            assert event.partition_key == key
        by_key[key].add(pid)
    assert len(by_key[b"tenant-a"]) == 1 and len(by_key[b"tenant-b"]) == 1
    assert len(by_key[b"free"]) >= 4, f"unkeyed sends used only {sorted(by_key[b'free'])}"
