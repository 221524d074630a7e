"""Every way the sync producer sends, checked by reading the events back."""

from collections import defaultdict

from azure.eventhub import EventData

from ehtest import body_bytes
from ehsync import producer, receive_all

MAX_MESSAGE_SIZE = 1024 * 1024


def _bodies(events):
    return [body_bytes(e) for _, e in events]


def test_send_event_to_partition_id(emulator):
    with producer(emulator.conn(), "orders") as prod:
        prod.send_event(EventData(b"one"), partition_id="3")
        assert prod.get_partition_properties("3")["last_enqueued_sequence_number"] == 0
        assert all(prod.get_partition_properties(p)["is_empty"] for p in ("0", "1", "2"))
    events = receive_all(emulator.conn(), "orders", 1)
    assert [(p, body_bytes(e), e.sequence_number) for p, e in events] == [("3", b"one", 0)]


def test_send_batch_list_keeps_order(emulator):
    with producer(emulator.conn(), "single") as prod:
        prod.send_batch([EventData(f"n{i}") for i in range(5)])
        prod.send_batch([EventData(b"n5"), EventData(b"n6")], partition_id="0")
    events = receive_all(emulator.conn(), "single", 7)
    assert _bodies(events) == [f"n{i}".encode() for i in range(7)]
    assert [e.sequence_number for _, e in events] == list(range(7))
    offsets = [int(e.offset) for _, e in events]
    assert offsets == sorted(set(offsets)), f"offsets must increase: {offsets}"


def test_create_batch_then_send(emulator):
    with producer(emulator.conn(), "orders") as prod:
        batch = prod.create_batch(partition_id="2")
        # The SDK sizes batches from the max-message-size the server advertised on attach.
        assert batch.max_size_in_bytes == MAX_MESSAGE_SIZE
        for i in range(10):
            batch.add(EventData(f"b{i}"))
        prod.send_batch(batch)
        assert prod.get_partition_properties("2")["last_enqueued_sequence_number"] == 9
    events = receive_all(emulator.conn(), "orders", 10)
    assert {p for p, _ in events} == {"2"}
    assert _bodies(events) == [f"b{i}".encode() for i in range(10)]


def test_partition_key_always_lands_in_the_same_partition(emulator):
    keys = ["customer-42", "customer-7", "customer-1001"]
    with producer(emulator.conn(), "keys") as prod:
        for round_ in range(2):
            for key in keys:
                prod.send_event(EventData(f"{key}/event/{round_}"), partition_key=key)
                prod.send_batch([EventData(f"{key}/list/{round_}")], partition_key=key)
                batch = prod.create_batch(partition_key=key)
                batch.add(EventData(f"{key}/batch/{round_}"))
                prod.send_batch(batch)
    events = receive_all(emulator.conn(), "keys", 18)
    assert len(events) == 18
    partitions = defaultdict(set)
    for pid, event in events:
        key = body_bytes(event).split(b"/")[0]
        assert event.partition_key == key, "the service must keep x-opt-partition-key"
        partitions[key].add(pid)
    assert {k: len(p) for k, p in partitions.items()} == {k.encode(): 1 for k in keys}


def test_events_without_key_spread_over_partitions(emulator):
    with producer(emulator.conn(), "keys") as prod:
        for i in range(16):
            prod.send_event(EventData(f"free-{i}"))
    events = receive_all(emulator.conn(), "keys", 16)
    assert sorted(_bodies(events)) == sorted(f"free-{i}".encode() for i in range(16))
    used = {pid for pid, _ in events}
    # Round-robin would use all 8; anything that balances must use several.
    assert len(used) >= 4, f"16 unkeyed sends all went to partitions {sorted(used)}"


def test_large_event_round_trips(emulator):
    # Under the 1 MiB limit but far over any AMQP frame size: exercises multi-frame transfers.
    body = bytes(range(256)) * 3900
    with producer(emulator.conn(), "single") as prod:
        prod.send_event(EventData(body))
    events = receive_all(emulator.conn(), "single", 1)
    assert _bodies(events) == [body]
