"""Refusals the sync SDK must surface as errors, promptly: auth, scope, not found, size."""

import time

import pytest
from azure.eventhub import EventData
from azure.eventhub.exceptions import (
    AuthenticationError, ConnectError, EventHubError)

from ehassert import assert_not_found, assert_too_large, assert_unauthorized
from ehtest import body_bytes
from ehsync import Receiver, consumer, hub_is_empty, producer, receive_all

# Retries only slow a refusal down; one attempt shows the behaviour.
NO_RETRY = {"retry_total": 0}
ERROR_WAIT_S = 20


def test_wrong_key_is_an_authentication_error(emulator):
    conn = emulator.conn_with_wrong_key()
    with producer(conn, "orders", **NO_RETRY) as prod:
        with pytest.raises(AuthenticationError):
            prod.send_event(EventData(b"never"))
    with consumer(conn, "orders", **NO_RETRY) as cons:
        with pytest.raises(AuthenticationError):
            cons.get_partition_ids()
    assert hub_is_empty(emulator.conn(), "orders")


def test_send_only_rule_sends_but_cannot_receive(emulator):
    with producer(emulator.conn("orders-send"), "orders") as prod:
        prod.send_event(EventData(b"from-send-rule"), partition_id="0")
    assert [body_bytes(e) for _, e in receive_all(emulator.conn(), "orders", 1)] == [
        b"from-send-rule"]

    with Receiver(consumer(emulator.conn("orders-send"), "orders", **NO_RETRY),
                  partition_id="0", starting_position="-1") as r:
        assert r.wait_for(lambda r: r.errors, ERROR_WAIT_S), "receive with a Send-only rule"
        assert r.events == []
    assert_unauthorized(r.errors[0][1], "receive with a Send-only rule")


def test_listen_only_rule_receives_but_cannot_send(emulator):
    with producer(emulator.conn(), "orders") as prod:
        prod.send_event(EventData(b"for-listener"), partition_id="1")
    with producer(emulator.conn("orders-listen"), "orders", **NO_RETRY) as prod:
        with pytest.raises(EventHubError) as refused:
            prod.send_event(EventData(b"never"), partition_id="1")
    assert_unauthorized(refused.value, "send with a Listen-only rule")
    with Receiver(consumer(emulator.conn("orders-listen"), "orders"),
                  partition_id="1", starting_position="-1") as r:
        assert r.wait_bodies(1) == [b"for-listener"]


def test_rule_of_another_hub_is_refused(emulator):
    conn = emulator.conn_without_entity("payments-manage")
    with producer(conn, "orders", **NO_RETRY) as prod:
        with pytest.raises(AuthenticationError):
            prod.send_event(EventData(b"never"))
    with producer(conn, "payments") as prod:  # the same key works on its own hub
        prod.send_event(EventData(b"ok"), partition_id="0")
        assert prod.get_partition_properties("0")["last_enqueued_sequence_number"] == 0
    assert hub_is_empty(emulator.conn(), "orders")


def test_unknown_hub_fails_fast(emulator):
    started = time.monotonic()
    with producer(emulator.conn(), "no-such-hub", **NO_RETRY) as prod:
        with pytest.raises(EventHubError) as props_error:
            prod.get_eventhub_properties()
        with pytest.raises(EventHubError) as send_error:
            prod.send_event(EventData(b"never"))
    assert_not_found(props_error.value, "get_eventhub_properties")
    assert_not_found(send_error.value, "send_event")
    assert time.monotonic() - started < ERROR_WAIT_S


def test_unknown_consumer_group_is_an_error(emulator):
    with Receiver(consumer(emulator.conn(), "orders", "no-such-group", **NO_RETRY),
                  partition_id="0", starting_position="-1") as r:
        assert r.wait_for(lambda r: r.errors, ERROR_WAIT_S), "no error for unknown group"
    assert_not_found(r.errors[0][1], "receive from unknown consumer group")


def test_unknown_partition_is_an_error(emulator):
    with producer(emulator.conn(), "orders", **NO_RETRY) as prod:
        with pytest.raises(EventHubError) as props_error:
            prod.get_partition_properties("9")
        # The SDK checks the id against get_partition_ids() before sending.
        with pytest.raises(ConnectError, match="Invalid partition 9"):
            prod.send_event(EventData(b"never"), partition_id="9")
    assert_not_found(props_error.value, "get_partition_properties('9')")
    with Receiver(consumer(emulator.conn(), "orders", **NO_RETRY), partition_id="9",
                  starting_position="-1") as r:
        assert r.wait_for(lambda r: r.errors, ERROR_WAIT_S), "no error for unknown partition"
    # Also checked by the SDK against get_partition_ids() before it attaches.
    assert "Wrong partition id:9" in str(r.errors[0][1]), repr(r.errors[0][1])


def test_oversize_event_is_refused(emulator):
    with producer(emulator.conn(), "single", **NO_RETRY) as prod:
        with pytest.raises(Exception) as single:
            prod.send_event(EventData(b"x" * (1024 * 1024 + 1)))
        assert_too_large(single.value)
        with pytest.raises(Exception) as in_list:
            prod.send_batch([EventData(b"y" * (1024 * 1024 + 1))])
        assert_too_large(in_list.value)
        prod.send_event(EventData(b"small"))  # the link is still usable afterwards
    assert [body_bytes(e) for _, e in receive_all(emulator.conn(), "single", 1)] == [b"small"]
