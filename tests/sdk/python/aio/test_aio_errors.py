"""Refusals the aio SDK must surface as errors, promptly; and owner-level stealing."""

import pytest
from azure.eventhub import EventData
from azure.eventhub.exceptions import AuthenticationError, EventHubError

from ehassert import assert_not_found, assert_too_large, assert_unauthorized
from ehaio import AioReceiver, aio, consumer, hub_is_empty, probe_until_live, producer

NO_RETRY = {"retry_total": 0}
ERROR_WAIT_S = 20


@aio
async def test_wrong_key_is_an_authentication_error(emulator):
    conn = emulator.conn_with_wrong_key()
    async with producer(conn, "orders", **NO_RETRY) as prod:
        with pytest.raises(AuthenticationError):
            await prod.send_event(EventData(b"never"))
        with pytest.raises(AuthenticationError):
            await prod.get_eventhub_properties()
    assert await hub_is_empty(emulator.conn(), "orders")


# The service refuses a consumer link by answering its attach with a null source and detaching
# with the error. azure-eventhub 5.15.1's aio consumer then re-attaches quietly without calling
# on_error (the sync one reports it: see sync/test_errors.py), so here the observable
# behaviour is that nothing is delivered; an error is checked only if the SDK reports one.
REFUSED_WAIT_S = 5


@aio
async def test_send_only_rule_cannot_receive(emulator):
    async with producer(emulator.conn("orders-send"), "orders") as prod:
        await prod.send_event(EventData(b"x"), partition_id="2")
    async with AioReceiver(consumer(emulator.conn("orders-send"), "orders", **NO_RETRY),
                           partition_id="2", starting_position="-1") as r:
        await r.wait_for(lambda r: r.events or r.errors, REFUSED_WAIT_S)
        assert r.events == [], "a Send-only rule received events"
    if r.errors:
        assert_unauthorized(r.errors[0][1], "receive with a Send-only rule")


@aio
async def test_listen_only_rule_cannot_send(emulator):
    async with producer(emulator.conn("orders-listen"), "orders", **NO_RETRY) as prod:
        with pytest.raises(EventHubError) as refused:
            await prod.send_event(EventData(b"never"), partition_id="0")
    assert_unauthorized(refused.value, "send with a Listen-only rule")
    assert await hub_is_empty(emulator.conn(), "orders")


@aio
async def test_rule_of_another_hub_is_refused(emulator):
    conn = emulator.conn_without_entity("payments-manage")
    async with producer(conn, "orders", **NO_RETRY) as prod:
        with pytest.raises(AuthenticationError):
            await prod.send_event(EventData(b"never"))
    assert await hub_is_empty(emulator.conn(), "orders")


@aio
async def test_unknown_hub_partition_and_group(emulator):
    async with producer(emulator.conn(), "no-such-hub", **NO_RETRY) as prod:
        with pytest.raises(EventHubError) as hub_error:
            await prod.send_event(EventData(b"never"))
    assert_not_found(hub_error.value, "send_event to unknown hub")
    async with producer(emulator.conn(), "orders", **NO_RETRY) as prod:
        with pytest.raises(EventHubError) as partition_error:
            await prod.get_partition_properties("17")
    assert_not_found(partition_error.value, "get_partition_properties('17')")
    async with producer(emulator.conn(), "orders") as prod:
        await prod.send_event(EventData(b"x"), partition_id="0")
    async with AioReceiver(consumer(emulator.conn(), "orders", "no-such-group", **NO_RETRY),
                           partition_id="0", starting_position="-1") as r:
        await r.wait_for(lambda r: r.events or r.errors, REFUSED_WAIT_S)
        assert r.events == [], "an unknown consumer group received events"
    if r.errors:
        assert_not_found(r.errors[0][1], "receive from unknown consumer group")


@aio
async def test_oversize_event_is_refused(emulator):
    async with producer(emulator.conn(), "single", **NO_RETRY) as prod:
        with pytest.raises(Exception) as refused:
            await prod.send_event(EventData(b"x" * (1024 * 1024 + 1)))
    assert_too_large(refused.value)


def _stolen(receiver):
    return [e for _, e in receiver.errors if getattr(e, "error", None) == "link:stolen"]


@aio
async def test_higher_owner_level_steals_the_partition(emulator):
    conn = emulator.conn()
    first = AioReceiver(consumer(conn, "orders", retry_total=0), partition_id="1",
                        starting_position="-1", owner_level=5)
    second = AioReceiver(consumer(conn, "orders"), partition_id="1",
                         starting_position="-1", owner_level=6)
    async with first:
        await probe_until_live(conn, "orders", "1", first)
        async with second:
            await probe_until_live(conn, "orders", "1", second)
            assert await first.wait_for(_stolen, ERROR_WAIT_S), (
                f"first receiver saw no amqp:link:stolen; errors {first.errors!r}")
            seen_by_first = len(first.events)
            async with producer(conn, "orders") as prod:
                await prod.send_event(EventData(b"after-steal"), partition_id="1")
            assert await second.wait_for(lambda r: b"after-steal" in r.bodies())
            assert len(first.events) == seen_by_first
