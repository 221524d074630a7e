"""Microsoft's Python SDK against the emulator's faults (docs/fault-injection.md).

Its documentation says a client retries transient errors (`retry_total`, with backoff) and
that `EventHubConsumerClient.receive` keeps receiving: a partition whose link fails is opened
again from the last event received. These tests set faults over HTTP, as a developer would,
and check the client does what its documentation says.
"""

import threading
import time
import urllib.request
from pathlib import Path

import pytest

from azure.eventhub import EventData
from azure.eventhub.exceptions import EventDataSendError
from azure.eventhub.extensions.checkpointstoreblob import BlobCheckpointStore

from ehregistry import SasTokenCredential
from ehtest import Emulator
from ehsync import Receiver, consumer, producer

ROOT_RULE = "RootManageSharedAccessKey"
CONSUMER_FAULTS = Path(__file__).resolve().parents[3] / "fixtures" / "consumer-faults.toml"


def faults_call(emulator, body: str | None = None):
    """PUT (with a body) or GET /faults with the root rule's token; the response, read."""
    key = next(p for p in emulator.conn().split(";") if p.startswith("SharedAccessKey="))
    token = SasTokenCredential(ROOT_RULE, key[len("SharedAccessKey="):]).get_token().token
    request = urllib.request.Request(
        f"http://{emulator.http}/faults", data=body.encode() if body is not None else None,
        method="PUT" if body is not None else "GET", headers={"Authorization": token})
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    with opener.open(request, timeout=5) as response:
        return response.status, response.headers


def put_faults(emulator, text: str):
    status, _ = faults_call(emulator, text)
    assert status == 204


def faults_struck(emulator) -> int:
    _, headers = faults_call(emulator)
    return int(headers["x-faults-struck"])


def send_over(conn, hub, partitions, rounds, per_round, pause_s, errors):
    """Sends `per_round` events to each partition, `rounds` times, `pause_s` apart."""
    try:
        with producer(conn, hub, retry_total=10) as prod:
            for round_ in range(rounds):
                for partition in partitions:
                    batch = prod.create_batch(partition_id=partition)
                    for i in range(per_round):
                        batch.add(EventData(f"{partition}/{round_}/{i}"))
                    prod.send_batch(batch)
                time.sleep(pause_s)
    except Exception as error:  # the assertion below reports it
        errors.append(error)


def stored_per_partition(conn, hub, partitions):
    """How many events each partition holds (all sent here, from sequence number 0)."""
    with producer(conn, hub, retry_total=10) as prod:
        return {p: prod.get_partition_properties(p)["last_enqueued_sequence_number"] + 1
                for p in partitions}


def receive_all_through(emulator, faults: str):
    """Events sent over six seconds while `faults` strike: every stored one received once, in
    order. The producer's connection is dropped too, and a send whose acknowledgement the drop
    lost is sent again (Event Hubs publishes at least once), so the count to receive is what
    the hub holds, at least what was sent."""
    put_faults(emulator, faults)
    partitions, rounds, per_round = ["0", "1"], 12, 10
    sent = len(partitions) * rounds * per_round
    send_errors = []
    with Receiver(consumer(emulator.conn(), "orders", retry_total=10),
                  starting_position="-1") as receiver:
        sender = threading.Thread(
            target=send_over,
            args=(emulator.conn(), "orders", partitions, rounds, per_round, 0.5, send_errors))
        sender.start()
        sender.join(60)
        assert not send_errors, f"the producer gave up: {send_errors!r}"
        stored = stored_per_partition(emulator.conn(), "orders", partitions)
        total = sum(stored.values())
        assert total >= sent, f"{total} events stored of {sent} sent"
        receiver.wait_for(lambda r: len({(p, e.sequence_number) for p, e in r.events}) >= total,
                          timeout=60)
        time.sleep(1)
        seen = [(p, e.sequence_number) for p, e in receiver.events]
    distinct = set(seen)
    extra = sorted(distinct - {(p, s) for p in partitions for s in range(stored[p])})
    assert len(distinct) == total, (
        f"{len(distinct)} of {total} stored events ({sent} sent), not stored: {extra}; "
        f"errors {receiver.errors!r}")
    for partition in partitions:
        sequences = sorted(s for p, s in distinct if p == partition)
        assert sequences == list(range(stored[partition])), f"gap in partition {partition}"
    # What the SDK documents: it resumes after the last event received, so nothing comes twice.
    assert len(seen) == len(distinct), f"{len(seen) - len(distinct)} events came twice"
    assert faults_struck(emulator) > 0, "the faults never struck"


def test_consumer_recovers_from_detaches_and_dropped_connections(emulator):
    receive_all_through(emulator, CONSUMER_FAULTS.read_text())


def test_clients_recover_when_their_tokens_expire_early(emulator):
    # Azure detaches the links of a token that ran out (`amqp:link:detach-forced`,
    # "Unauthorized access. 'Listen' claim(s) are required"); the SDK puts its tokens on $cbs
    # again when it reopens a link, so both the producer and the consumer go on.
    receive_all_through(emulator, """
[[fault]]
kind = "expire-tokens"
after = "2s"
hub = "orders"
""")


def test_a_send_refused_as_server_busy_is_raised_with_its_condition(emulator):
    # azure-eventhub 5.15 raises a rejected send as EventDataSendError (`_transport/
    # _pyamqp_transport.py`, `_handle_exception`, "TODO: issue #34266"): the application
    # retries, and the error names server-busy so it can. Every send is refused while the
    # fault is set, so the outcome does not depend on how many times the SDK itself tries
    # (a share of refusals once let all 20 sends of a run through).
    with producer(emulator.conn(), "single") as prod:
        before = prod.get_partition_properties("0")["last_enqueued_sequence_number"]
        put_faults(emulator, """
[[fault]]
kind = "refuse-sends"
hub = "single"
rate = 1.0
""")
        with pytest.raises(EventDataSendError) as refused:
            prod.send_event(EventData("refused"))
        assert "com.microsoft:server-busy" in str(refused.value), str(refused.value)
        put_faults(emulator, "")
        prod.send_event(EventData("accepted"))
        after = prod.get_partition_properties("0")["last_enqueued_sequence_number"]
    # The refused event was not stored; the one sent after the fault was lifted was.
    assert after == before + 1


class CheckpointingReceiver(Receiver):
    """Checkpoints every event it receives, as a consumer that must not process one twice."""

    def _on_event(self, context, event):
        if event is not None:
            context.update_checkpoint(event)
        super()._on_event(context, event)


def test_a_consumer_checkpoints_through_a_busy_checkpoint_store(tmp_path, azurite):
    # The emulator's checkpoint-store proxy stands in front of Azurite; the consumer's
    # BlobCheckpointStore talks to the proxy, which answers 503 ServerBusy with Retry-After
    # for three seconds from the moment the faults are set (a window, not a rate, so the
    # outcome cannot depend on chance). azure-storage-blob retries a failed call after 15 s
    # (±3; its ExponentialRetry's initial_backoff), past the window.
    hub, container, per_partition = "checkpoints", "checkpoints", 5
    upstream = f"http://127.0.0.1:{azurite.port}"
    emulator = Emulator.start(tmp_path / "emulator", extra_args=(
        "--checkpoint-store-proxy", upstream, "--checkpoint-store-listen", "127.0.0.1:0"))
    try:
        azurite.create_container(container)
        proxy = emulator.ready["checkpoint_store_proxy"]
        store = BlobCheckpointStore.from_connection_string(
            azurite.conn.replace(f"127.0.0.1:{azurite.port}", proxy), container)
        client = consumer(emulator.conn(), hub, checkpoint_store=store, load_balancing_interval=1)
        with CheckpointingReceiver(client, starting_position="-1") as receiver, \
                producer(emulator.conn(), hub) as prod:
            def send(first):
                for pid in ("0", "1"):
                    prod.send_batch([EventData(f"p{pid}-{i}")
                                     for i in range(first, first + per_partition)],
                                    partition_id=pid)

            def distinct(r):
                return {(p, e.sequence_number) for p, e in r.events}

            # Partitions claimed and checkpointed with the store answering, then the faults.
            send(0)
            assert receiver.wait_for(lambda r: len(distinct(r)) >= 2 * per_partition, 60), (
                f"{len(receiver.events)} events before the faults; errors {receiver.errors!r}")
            put_faults(emulator, """
[[fault]]
kind = "http"
surface = "checkpoint-store"
status = 503
retry_after = 1
every = "10m"
for = "3s"
""")
            send(per_partition)
            total = 4 * per_partition
            assert receiver.wait_for(lambda r: len(distinct(r)) >= total, 80), (
                f"{len(distinct(receiver))} of {total} events; errors {receiver.errors!r}")
            struck = faults_struck(emulator)
        assert struck > 0, "the faults never struck"
        # Every event came, and the checkpoints end on each partition's last event, read from
        # Azurite itself, past the proxy.
        seen = {(p, e.sequence_number) for p, e in receiver.events}
        assert seen == {(p, s) for p in ("0", "1") for s in range(2 * per_partition)}
        last = str(2 * per_partition - 1)
        checkpoints = {name.rsplit("/", 1)[1]: meta["sequencenumber"]
                       for name, meta in azurite.blobs_with_metadata(container).items()
                       if "/checkpoint/" in name}
        assert checkpoints == {"0": last, "1": last}, checkpoints
    finally:
        emulator.stop()
