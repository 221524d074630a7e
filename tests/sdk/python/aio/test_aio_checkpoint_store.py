"""aio EventHubConsumerClient + aio BlobCheckpointStore on Azurite: resume after checkpoints."""

import asyncio

from azure.eventhub import EventData
from azure.eventhub.extensions.checkpointstoreblobaio import BlobCheckpointStore

from ehaio import QUIET_S, WAIT_S, AioReceiver, aio, consumer, producer
from ehtest import body_bytes

HUB = "checkpoints"
CONTAINER = "aio-checkpoints"


async def _run(conn, store, checkpoint_on, expected):
    r = AioReceiver(consumer(conn, HUB, checkpoint_store=store), starting_position="-1")
    r.checkpoint_on = checkpoint_on
    async with r:
        await r.wait_for(lambda r: len(r.events) >= expected, WAIT_S * 2)
        await asyncio.sleep(QUIET_S)
    return sorted((pid, e.sequence_number, body_bytes(e)) for pid, e in r.events), r


@aio
async def test_consumer_resumes_after_checkpoint(emulator, azurite):
    azurite.create_container(CONTAINER)
    conn = emulator.conn()
    async with producer(conn, HUB) as prod:
        for pid in ("0", "1"):
            await prod.send_batch([EventData(f"p{pid}-{i}") for i in range(4)], partition_id=pid)

    async with BlobCheckpointStore.from_connection_string(azurite.conn, CONTAINER) as store:
        first, r = await _run(conn, store, {b"p0-1", b"p1-3"}, 8)
        assert len(first) == 8, first
        assert sorted(r.checkpointed) == [("0", 1), ("1", 3)]

        async with producer(conn, HUB) as prod:
            for pid in ("0", "1"):
                await prod.send_event(EventData(f"p{pid}-4"), partition_id=pid)

        second, _ = await _run(conn, store, set(), 4)
    assert second == [
        ("0", 2, b"p0-2"), ("0", 3, b"p0-3"), ("0", 4, b"p0-4"), ("1", 4, b"p1-4"),
    ]
