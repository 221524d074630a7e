"""Management reads through the aio clients."""

import datetime

from azure.eventhub import EventData

from ehaio import aio, consumer, producer, receive_all


@aio
async def test_eventhub_properties(emulator):
    async with producer(emulator.conn(), "orders") as prod:
        props = await prod.get_eventhub_properties()
        assert props["eventhub_name"] == "orders"
        assert props["partition_ids"] == ["0", "1", "2", "3"]
        assert isinstance(props["created_at"], datetime.datetime)
    async with consumer(emulator.conn(), "single") as cons:
        assert await cons.get_partition_ids() == ["0"]


@aio
async def test_empty_partition_properties(emulator):
    async with consumer(emulator.conn(), "keys") as cons:
        props = await cons.get_partition_properties("7")
    assert {k: props[k] for k in props if k != "last_enqueued_time_utc"} == {
        "eventhub_name": "keys",
        "id": "7",
        "beginning_sequence_number": 0,
        "last_enqueued_sequence_number": -1,
        "last_enqueued_offset": "-1",
        "is_empty": True,
    }


@aio
async def test_partition_properties_follow_sends(emulator):
    async with producer(emulator.conn(), "orders") as prod:
        await prod.send_batch([EventData(f"e{i}") for i in range(4)], partition_id="3")
        props = await prod.get_partition_properties("3")
    events = await receive_all(emulator.conn(), "orders", 4, partition_id="3")
    last = events[-1][1]
    assert (props["beginning_sequence_number"], props["last_enqueued_sequence_number"]) == (0, 3)
    assert props["is_empty"] is False
    assert props["last_enqueued_offset"] == last.offset
    assert props["last_enqueued_time_utc"] == last.enqueued_time
