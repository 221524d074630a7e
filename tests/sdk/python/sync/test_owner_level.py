"""Owner level (epoch): a receiver with a higher level takes the partition from the current one."""

from azure.eventhub import EventData

from ehsync import Receiver, consumer, probe_until_live, producer

STEAL_WAIT_S = 20


def _stolen(receiver):
    return [e for _, e in receiver.errors if getattr(e, "error", None) == "link:stolen"]


def test_higher_owner_level_steals_the_partition(emulator):
    conn = emulator.conn()
    first = Receiver(consumer(conn, "orders", retry_total=0), partition_id="0",
                     starting_position="-1", owner_level=1)
    second = Receiver(consumer(conn, "orders"), partition_id="0",
                      starting_position="-1", owner_level=2)
    with first:
        probe_until_live(conn, "orders", "0", first)
        with second:
            probe_until_live(conn, "orders", "0", second)
            assert first.wait_for(lambda r: _stolen(r), STEAL_WAIT_S), (
                f"first receiver saw no amqp:link:stolen; errors {first.errors!r}")
            # From now on only the new owner gets events.
            seen_by_first = len(first.events)
            with producer(conn, "orders") as prod:
                prod.send_event(EventData(b"after-steal"), partition_id="0")
            assert second.wait_for(lambda r: b"after-steal" in r.bodies())
            assert len(first.events) == seen_by_first
    # The SDK reports the steal through on_error and then closes that partition's consumer.
    assert "0" in [pid for pid, _ in first.closes]
