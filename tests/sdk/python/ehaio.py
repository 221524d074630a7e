"""Helpers for the aio SDK, mirroring ehsync: a consumer running as a task, bounded waits.

No pytest-asyncio: each test is a coroutine run by `asyncio.run` through the `aio` decorator,
which keeps the requirement list to what tests/sdk/requirements.txt names.
"""

import asyncio
import functools

from azure.eventhub import EventData
from azure.eventhub.aio import EventHubConsumerClient, EventHubProducerClient

from ehtest import body_bytes

PROBE = b"probe"
WAIT_S = 15
QUIET_S = 1.0


def aio(test):
    """Runs an async test function on a fresh event loop (fixtures still injected)."""

    @functools.wraps(test)
    def run(*args, **kwargs):
        return asyncio.run(test(*args, **kwargs))

    return run


def producer(conn: str, hub: str, **kwargs) -> EventHubProducerClient:
    return EventHubProducerClient.from_connection_string(conn, eventhub_name=hub, **kwargs)


def consumer(conn: str, hub: str, group: str = "$Default", **kwargs) -> EventHubConsumerClient:
    # A small load-balancing interval: the aio client otherwise takes up to 30 s to close.
    kwargs.setdefault("load_balancing_interval", 1)
    return EventHubConsumerClient.from_connection_string(
        conn, consumer_group=group, eventhub_name=hub, **kwargs
    )


class AioReceiver:
    """`await client.receive(**kwargs)` as a task, recording every callback."""

    def __init__(self, client: EventHubConsumerClient, **kwargs):
        self.client = client
        self.events = []  # (partition_id, EventData)
        self.errors = []  # (partition_id, Exception)
        self.closes = []  # (partition_id, CloseReason)
        self.last_enqueued = []
        self.checkpoint_on = set()  # bodies whose event is checkpointed when received
        self.checkpointed = []
        kwargs.setdefault("max_wait_time", 0.5)
        self._kwargs = kwargs
        self._changed = None
        self._task = None

    async def __aenter__(self):
        self._changed = asyncio.Condition()
        self._task = asyncio.create_task(self.client.receive(
            on_event=self._on_event, on_error=self._on_error,
            on_partition_close=self._on_close, **self._kwargs))
        return self

    async def __aexit__(self, *exc):
        await asyncio.wait_for(self.client.close(), WAIT_S)
        await asyncio.wait_for(self._task, WAIT_S)

    async def _record(self, attr, item):
        async with self._changed:
            getattr(self, attr).append(item)
            self._changed.notify_all()

    async def _on_event(self, context, event):
        if event is None:
            return
        if body_bytes(event) in self.checkpoint_on:
            await context.update_checkpoint(event)
            self.checkpointed.append((context.partition_id, event.sequence_number))
        self.last_enqueued.append(context.last_enqueued_event_properties)
        await self._record("events", (context.partition_id, event))

    async def _on_error(self, context, error):
        await self._record("errors", (context.partition_id if context else None, error))

    async def _on_close(self, context, reason):
        await self._record("closes", (context.partition_id, reason))

    async def wait_for(self, predicate, timeout=WAIT_S) -> bool:
        async with self._changed:
            try:
                await asyncio.wait_for(self._changed.wait_for(lambda: predicate(self)), timeout)
                return True
            except asyncio.TimeoutError:
                return False

    def bodies(self):
        return [b for b in (body_bytes(e) for _, e in self.events) if b != PROBE]

    async def wait_bodies(self, count, timeout=WAIT_S):
        await self.wait_for(lambda r: len(r.bodies()) >= count, timeout)
        await asyncio.sleep(QUIET_S)
        return self.bodies()


async def receive_all(conn, hub, count, partition_id=None, **kwargs):
    async with AioReceiver(consumer(conn, hub), partition_id=partition_id,
                           starting_position="-1", **kwargs) as r:
        await r.wait_for(lambda r: len(r.events) >= count)
        await asyncio.sleep(QUIET_S)
        return list(r.events)


async def probe_until_live(conn, hub, partition_id, receiver: AioReceiver, timeout=WAIT_S):
    async with producer(conn, hub) as prod:
        loop = asyncio.get_running_loop()
        deadline = loop.time() + timeout
        while loop.time() < deadline:
            await prod.send_event(EventData(PROBE), partition_id=partition_id)
            if await receiver.wait_for(lambda r: PROBE in (body_bytes(e) for _, e in r.events),
                                       0.5):
                return
    raise AssertionError(f"receiver on {hub}/{partition_id} never saw a probe within {timeout}s; "
                         f"errors: {receiver.errors!r}")


async def hub_is_empty(conn, hub) -> bool:
    async with consumer(conn, hub) as cons:
        ids = await cons.get_partition_ids()
        return all([(await cons.get_partition_properties(p))["is_empty"] for p in ids])
