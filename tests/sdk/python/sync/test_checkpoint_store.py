"""EventHubConsumerClient + BlobCheckpointStore on Azurite: a restarted consumer resumes after
its checkpoints and does not see checkpointed events again."""

import time

from azure.eventhub import EventData
from azure.eventhub.extensions.checkpointstoreblob import BlobCheckpointStore

from ehtest import body_bytes
from ehsync import QUIET_S, WAIT_S, Receiver, consumer, producer

HUB = "checkpoints"
CONTAINER = "checkpoints"


class CheckpointingReceiver(Receiver):
    """Checkpoints on the event whose body is in `checkpoint_on`."""

    def __init__(self, client, checkpoint_on, **kwargs):
        super().__init__(client, **kwargs)
        self.checkpoint_on = checkpoint_on
        self.checkpointed = []

    def _on_event(self, context, event):
        if event is not None and body_bytes(event) in self.checkpoint_on:
            context.update_checkpoint(event)
            self.checkpointed.append(event.sequence_number)
        super()._on_event(context, event)


def _run(emulator, store, checkpoint_on, expected_count):
    client = consumer(emulator.conn(), HUB, checkpoint_store=store, load_balancing_interval=1)
    with CheckpointingReceiver(client, checkpoint_on, starting_position="-1") as r:
        r.wait_for(lambda r: len(r.events) >= expected_count, WAIT_S * 2)
        time.sleep(QUIET_S)
    summary = sorted((pid, e.sequence_number, body_bytes(e)) for pid, e in r.events)
    return summary, r


def test_consumer_resumes_after_checkpoint(emulator, azurite):
    azurite.create_container(CONTAINER)
    store = BlobCheckpointStore.from_connection_string(azurite.conn, CONTAINER)
    with producer(emulator.conn(), HUB) as prod:
        for pid in ("0", "1"):
            prod.send_batch([EventData(f"p{pid}-{i}") for i in range(5)], partition_id=pid)

    # First run: checkpoint partition 0 at its third event, partition 1 at its last.
    first, r = _run(emulator, store, {b"p0-2", b"p1-4"}, 10)
    assert len(first) == 10, first
    assert sorted(r.checkpointed) == [2, 4]

    # The checkpoint blobs, in the layout every SDK shares: {fqns}/{hub}/{group}/checkpoint/{pid}
    # (Python lowercases the name), with the position in the blob's metadata.
    offsets = {(pid, e.sequence_number): e.offset for pid, e in r.events}
    checkpoints = {name.rsplit("/", 1)[1]: meta
                   for name, meta in azurite.blobs_with_metadata(CONTAINER).items()
                   if name.split("/")[1:4] == ["checkpoints", "$default", "checkpoint"]}
    assert checkpoints == {
        "0": {"sequencenumber": "2", "offset": offsets[("0", 2)]},
        "1": {"sequencenumber": "4", "offset": offsets[("1", 4)]},
    }

    with producer(emulator.conn(), HUB) as prod:
        for pid in ("0", "1"):
            prod.send_batch([EventData(f"p{pid}-{i}") for i in (5, 6)], partition_id=pid)

    # Second run: the store's checkpoints win over starting_position="-1".
    second, _ = _run(emulator, store, set(), 6)
    assert second == [
        ("0", 3, b"p0-3"), ("0", 4, b"p0-4"), ("0", 5, b"p0-5"), ("0", 6, b"p0-6"),
        ("1", 5, b"p1-5"), ("1", 6, b"p1-6"),
    ]
