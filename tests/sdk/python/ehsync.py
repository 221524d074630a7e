"""Helpers for the sync SDK: a consumer running on a thread, and bounded waits on it.

`EventHubConsumerClient.receive` blocks until `close()`, so tests run it on a thread and look
at what the callbacks collected. Every wait has a deadline so a broken server fails the test
instead of hanging it.
"""

import threading
import time

from azure.eventhub import EventData, EventHubConsumerClient, EventHubProducerClient

from ehtest import body_bytes

PROBE = b"probe"
WAIT_S = 15
# After the expected events arrived, how long to keep listening for events that must not come.
QUIET_S = 1.0


def producer(conn: str, hub: str, **kwargs) -> EventHubProducerClient:
    return EventHubProducerClient.from_connection_string(conn, eventhub_name=hub, **kwargs)


def consumer(conn: str, hub: str, group: str = "$Default", **kwargs) -> EventHubConsumerClient:
    return EventHubConsumerClient.from_connection_string(
        conn, consumer_group=group, eventhub_name=hub, **kwargs
    )


class Receiver:
    """`client.receive(**kwargs)` on a daemon thread, recording every callback."""

    def __init__(self, client: EventHubConsumerClient, **kwargs):
        self.client = client
        self.events = []  # (partition_id, EventData)
        self.errors = []  # (partition_id, Exception)
        self.closes = []  # (partition_id, CloseReason)
        self.last_enqueued = []  # partition_context.last_enqueued_event_properties per event
        self._cond = threading.Condition()
        kwargs.setdefault("max_wait_time", 0.5)
        self._thread = threading.Thread(
            target=client.receive,
            kwargs=dict(on_event=self._on_event, on_error=self._on_error,
                        on_partition_close=self._on_close, **kwargs),
            daemon=True,
        )

    def __enter__(self):
        self._thread.start()
        return self

    def __exit__(self, *exc):
        self.client.close()
        self._thread.join(WAIT_S)

    def _on_event(self, context, event):
        if event is None:  # max_wait_time elapsed with nothing new
            return
        with self._cond:
            self.events.append((context.partition_id, event))
            self.last_enqueued.append(context.last_enqueued_event_properties)
            self._cond.notify_all()

    def _on_error(self, context, error):
        with self._cond:
            self.errors.append((context.partition_id if context else None, error))
            self._cond.notify_all()

    def _on_close(self, context, reason):
        with self._cond:
            self.closes.append((context.partition_id, reason))
            self._cond.notify_all()

    def wait_for(self, predicate, timeout=WAIT_S) -> bool:
        with self._cond:
            return self._cond.wait_for(lambda: predicate(self), timeout)

    def bodies(self):
        """Bodies of received events, probes left out."""
        return [b for b in (body_bytes(e) for _, e in self.events) if b != PROBE]

    def wait_bodies(self, count, timeout=WAIT_S):
        """Waits for `count` non-probe events, then a quiet period, and returns all bodies seen."""
        self.wait_for(lambda r: len(r.bodies()) >= count, timeout)
        time.sleep(QUIET_S)
        return self.bodies()


def receive_all(conn, hub, count, partition_id=None, **kwargs):
    """Events (partition_id, EventData) from the start of `hub`, after `count` arrived + quiet."""
    client = consumer(conn, hub)
    with Receiver(client, partition_id=partition_id, starting_position="-1", **kwargs) as r:
        r.wait_for(lambda r: len(r.events) >= count)
        time.sleep(QUIET_S)
        return list(r.events)


def probe_until_live(conn, hub, partition_id, receiver: Receiver, timeout=WAIT_S):
    """Sends probe events until `receiver` sees one, so its link is known to be attached."""
    with producer(conn, hub) as prod:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            prod.send_event(EventData(PROBE), partition_id=partition_id)
            if receiver.wait_for(lambda r: PROBE in (body_bytes(e) for _, e in r.events), 0.5):
                return
    raise AssertionError(f"receiver on {hub}/{partition_id} never saw a probe within {timeout}s; "
                         f"errors: {receiver.errors!r}")


def hub_is_empty(conn, hub) -> bool:
    """True when no partition of `hub` holds an event (read through the management node)."""
    with consumer(conn, hub) as cons:
        return all(cons.get_partition_properties(p)["is_empty"] for p in cons.get_partition_ids())
