"""An application's consumer, as teams run it: the official EventHubConsumerClient with the
official BlobCheckpointStore. Driven by tests/blob_checkpoints.rs, which then checks that ehops
reads exactly these checkpoints and that the checkpoints ehops writes are read back here.

  consume CONN HUB GROUP STORAGE_CONN CONTAINER COUNTS CHECKPOINT_AT
      sends COUNTS ({"pid": n}) events, receives them from the start, checkpoints each partition
      at the sequence number CHECKPOINT_AT gives ({"pid": seq}), and prints one JSON object:
      {"blobs": [blob names], "checkpointed": {pid: seq}, "offsets": {pid: {seq: offset}}}
  list STORAGE_CONN CONTAINER FQNS HUB GROUP
      prints BlobCheckpointStore.list_checkpoints as a JSON list
"""

import json
import sys
import threading

from azure.eventhub import EventData, EventHubConsumerClient, EventHubProducerClient
from azure.eventhub.extensions.checkpointstoreblob import BlobCheckpointStore
from azure.storage.blob import BlobServiceClient

WAIT_S = 60


def consume(conn, hub, group, storage_conn, container, counts, checkpoint_at):
    with BlobServiceClient.from_connection_string(storage_conn) as service:
        if not service.get_container_client(container).exists():
            service.create_container(container)
    with EventHubProducerClient.from_connection_string(conn, eventhub_name=hub) as producer:
        for pid, count in counts.items():
            batch = [EventData(f"p{pid}-{i}") for i in range(count)]
            producer.send_batch(batch, partition_id=pid)

    store = BlobCheckpointStore.from_connection_string(storage_conn, container)
    client = EventHubConsumerClient.from_connection_string(
        conn, consumer_group=group, eventhub_name=hub, checkpoint_store=store,
        load_balancing_interval=1,
    )
    offsets, checkpointed = {}, {}
    lock = threading.Lock()
    done = threading.Event()

    def on_event(context, event):
        if event is None:
            return
        pid = context.partition_id
        with lock:
            offsets.setdefault(pid, {})[str(event.sequence_number)] = str(event.offset)
        if checkpoint_at.get(pid) == event.sequence_number:
            context.update_checkpoint(event)
            with lock:
                checkpointed[pid] = event.sequence_number
                if checkpointed.keys() == checkpoint_at.keys():
                    done.set()

    worker = threading.Thread(
        target=client.receive, kwargs={"on_event": on_event, "starting_position": "-1"},
        daemon=True,
    )
    worker.start()
    finished = done.wait(WAIT_S)
    client.close()
    worker.join(WAIT_S)
    if not finished:
        sys.exit(f"checkpointed only {checkpointed} of {checkpoint_at} within {WAIT_S}s")
    with BlobServiceClient.from_connection_string(storage_conn) as service:
        blobs = [b.name for b in service.get_container_client(container).list_blobs()]
    print(json.dumps({
        "blobs": blobs,
        "checkpointed": checkpointed,
        "offsets": offsets,
    }))


def list_checkpoints(storage_conn, container, fqns, hub, group):
    store = BlobCheckpointStore.from_connection_string(storage_conn, container)
    found = store.list_checkpoints(fqns, hub, group)
    print(json.dumps([
        {k: c[k] for k in ("partition_id", "sequence_number", "offset")} for c in found
    ]))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "consume":
        conn, hub, group, storage_conn, container, counts, at = args
        consume(conn, hub, group, storage_conn, container, json.loads(counts),
                {pid: int(seq) for pid, seq in json.loads(at).items()})
    elif command == "list":
        list_checkpoints(*args)
    else:
        sys.exit(f"unknown command {command}")
