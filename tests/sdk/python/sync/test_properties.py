"""Management reads through the sync clients: hub and partition properties, health endpoint."""

import datetime

from azure.eventhub import EventData

from ehsync import consumer, producer, receive_all


def test_health_endpoint_reports_healthy(emulator):
    assert emulator.get_health() == (200, {"status": "healthy", "message": "Service is healthy."})


def test_eventhub_properties_list_configured_partitions(emulator):
    with producer(emulator.conn(), "orders") as prod:
        props = prod.get_eventhub_properties()
        assert props["eventhub_name"] == "orders"
        assert props["partition_ids"] == ["0", "1", "2", "3"]
        assert isinstance(props["created_at"], datetime.datetime)
        assert prod.get_partition_ids() == ["0", "1", "2", "3"]
    with consumer(emulator.conn(), "keys") as cons:
        assert cons.get_partition_ids() == [str(i) for i in range(8)]
        assert cons.get_eventhub_properties()["eventhub_name"] == "keys"


def test_empty_partition_properties(emulator):
    with consumer(emulator.conn(), "orders") as cons:
        props = cons.get_partition_properties("2")
    # What Event Hubs reports for a partition that never received an event.
    assert {k: props[k] for k in props if k != "last_enqueued_time_utc"} == {
        "eventhub_name": "orders",
        "id": "2",
        "beginning_sequence_number": 0,
        "last_enqueued_sequence_number": -1,
        "last_enqueued_offset": "-1",
        "is_empty": True,
    }


def test_partition_properties_follow_sends(emulator):
    before = datetime.datetime.now(datetime.timezone.utc)
    with producer(emulator.conn(), "orders") as prod:
        prod.send_batch([EventData(f"e{i}") for i in range(3)], partition_id="1")
        after = datetime.datetime.now(datetime.timezone.utc)
        props = prod.get_partition_properties("1")
        untouched = prod.get_partition_properties("0")

    events = receive_all(emulator.conn(), "orders", 3, partition_id="1")
    last = events[-1][1]
    assert props["beginning_sequence_number"] == 0
    assert props["last_enqueued_sequence_number"] == 2
    assert props["is_empty"] is False
    assert props["last_enqueued_offset"] == last.offset
    assert props["last_enqueued_time_utc"] == last.enqueued_time
    slack = datetime.timedelta(seconds=2)
    assert before - slack <= props["last_enqueued_time_utc"] <= after + slack
    assert untouched["is_empty"] is True
    assert untouched["last_enqueued_sequence_number"] == -1


def test_emulator_exits_cleanly_on_sigterm(emulator):
    assert emulator.stop() == 0, emulator.exit_note
