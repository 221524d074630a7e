"""A team's event processor, as teams write it: the official EventHubConsumerClient with the
official BlobCheckpointStore, checkpointing every event it processed. Driven by
tests/incident_processor.rs, which moves the processor's checkpoints with `ehops reset` and
`ehops deadletter` and checks where the processor resumes.

  send CONN HUB PARTITION COUNT POISON_INDEX
      sends COUNT events to PARTITION one at a time, GAP_S apart (so each has its own enqueued
      time); event i has body "HUB-PARTITION-i" and application properties index=i and
      source="checkout"; the one at POISON_INDEX (-1: none) also carries poison="yes".
  process CONN HUB GROUP STORAGE_CONN CONTAINER PARTITION LAST_SEQUENCE
      runs the processor on PARTITION from its checkpoint (from the start without one) until it
      has processed LAST_SEQUENCE or is stuck: its processing raises on a poison event, so it
      never checkpoints it, and the SDK restarts the partition from the checkpoint onto the same
      event again. Prints {"finished": bool, "start_checkpoint": {...}|null,
      "received": [event...], "poison": event|null, "poison_attempts": n,
      "end_checkpoint": {...}|null}
  checkpoint CONN HUB GROUP STORAGE_CONN CONTAINER PARTITION
      prints the partition's checkpoint as BlobCheckpointStore reads it (null without one)
  drain CONN HUB
      receives everything HUB holds, every partition from the start, and prints the list
"""

import json
import sys
import threading
import time

from azure.eventhub import EventData, EventHubConsumerClient, EventHubProducerClient
from azure.eventhub.extensions.checkpointstoreblob import BlobCheckpointStore
from azure.storage.blob import BlobServiceClient

WAIT_S = 60
GAP_S = 0.03
# A receive that hears nothing for this long has drained what the hub holds; one that has
# heard nothing at all waits at least FIRST_S, connecting included.
IDLE_S = 3
FIRST_S = 15


# Times the processor meets the same poison event before it counts as stuck.
STUCK_AFTER = 2


class PoisonEvent(Exception):
    """The team's processing cannot handle this event."""


def text(value):
    return value.decode("utf-8") if isinstance(value, bytes) else value


def describe(event, partition_id):
    return {
        "partition": partition_id,
        "sequence": event.sequence_number,
        "offset": str(event.offset),
        "enqueued_ms": int(event.enqueued_time.timestamp() * 1000),
        "body": event.body_as_str(),
        "properties": {text(k): text(v) for k, v in (event.properties or {}).items()},
    }


def send(conn, hub, partition, count, poison_index):
    with EventHubProducerClient.from_connection_string(conn, eventhub_name=hub) as producer:
        for i in range(count):
            event = EventData(f"{hub}-{partition}-{i}")
            event.properties = {"index": i, "source": "checkout"}
            if i == poison_index:
                event.properties["poison"] = "yes"
            producer.send_batch([event], partition_id=partition)
            time.sleep(GAP_S)
    print(json.dumps({"sent": count}))


def store_for(storage_conn, container):
    with BlobServiceClient.from_connection_string(storage_conn) as service:
        if not service.get_container_client(container).exists():
            service.create_container(container)
    return BlobCheckpointStore.from_connection_string(storage_conn, container)


def read_checkpoint(store, client, hub, group, partition):
    # The namespace the SDK's own EventProcessor files its checkpoints under.
    namespace = client._address.hostname  # pylint:disable=protected-access
    found = store.list_checkpoints(namespace, hub, group)
    for c in found:
        if c["partition_id"] == partition:
            return {"sequence": c["sequence_number"], "offset": c["offset"]}
    return None


def consumer(conn, hub, group, store=None):
    return EventHubConsumerClient.from_connection_string(
        conn, consumer_group=group, eventhub_name=hub, checkpoint_store=store,
        load_balancing_interval=1,
    )


def process(conn, hub, group, storage_conn, container, partition, last_sequence):
    store = store_for(storage_conn, container)
    client = consumer(conn, hub, group, store)
    start = read_checkpoint(store, client, hub, group, partition)
    received, poison = [], []
    done = threading.Event()

    def on_event(context, event):
        if done.is_set():
            return
        properties = event.properties or {}
        if b"poison" in properties or "poison" in properties:
            poison.append(describe(event, context.partition_id))
            raise PoisonEvent(event.sequence_number)
        received.append(describe(event, context.partition_id))
        context.update_checkpoint(event)
        if event.sequence_number >= last_sequence:
            done.set()

    def on_error(context, error):
        # The SDK closes the partition's consumer after a failed event and claims the partition
        # again from its checkpoint: meeting the poison a second time shows the group is stuck.
        if isinstance(error, PoisonEvent) and len(poison) >= STUCK_AFTER:
            done.set()

    worker = threading.Thread(
        target=client.receive,
        kwargs={
            "on_event": on_event, "on_error": on_error, "partition_id": partition,
            "starting_position": "-1",
        },
        daemon=True,
    )
    worker.start()
    finished = done.wait(WAIT_S)
    client.close()
    worker.join(WAIT_S)
    end = read_checkpoint(store, consumer(conn, hub, group), hub, group, partition)
    print(json.dumps({
        "finished": finished,
        "start_checkpoint": start,
        "received": received,
        "poison": poison[0] if poison else None,
        "poison_attempts": len(poison),
        "end_checkpoint": end,
    }))


def checkpoint(conn, hub, group, storage_conn, container, partition):
    store = store_for(storage_conn, container)
    print(json.dumps(read_checkpoint(store, consumer(conn, hub, group), hub, group, partition)))


def drain(conn, hub):
    client = consumer(conn, hub, "$Default")
    found = []
    lock = threading.Lock()
    started = time.monotonic()
    heard = [started]

    def on_event(context, event):
        with lock:
            if event is not None:
                found.append(describe(event, context.partition_id))
                heard[0] = time.monotonic()

    worker = threading.Thread(
        target=client.receive,
        kwargs={"on_event": on_event, "starting_position": "-1", "max_wait_time": 1},
        daemon=True,
    )
    worker.start()
    deadline = time.monotonic() + WAIT_S
    while time.monotonic() < deadline:
        time.sleep(0.5)
        with lock:
            now = time.monotonic()
            if now - heard[0] > IDLE_S and (found or now - started > FIRST_S):
                break
    client.close()
    worker.join(WAIT_S)
    print(json.dumps(found))


if __name__ == "__main__":
    command, args = sys.argv[1], sys.argv[2:]
    if command == "send":
        conn, hub, partition, count, poison_index = args
        send(conn, hub, partition, int(count), int(poison_index))
    elif command == "process":
        *rest, last = args
        process(*rest, int(last))
    elif command == "checkpoint":
        checkpoint(*args)
    elif command == "drain":
        drain(*args)
    else:
        sys.exit(f"unknown command {command}")
