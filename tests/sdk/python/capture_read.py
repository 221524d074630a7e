"""Event Hubs Capture as Microsoft documents reading it: the producer is the official
azure-eventhub client, the files are read with an Avro reader (fastavro, and Apache's `avro`
package as Microsoft's Python capture sample uses). Driven by tests/capture_emulator.rs.

  send CONN HUB COUNT OUT
      sends COUNT events (partition keys, application properties of several types, content
      type, message and correlation ids), receives them back from the start, and writes
      {"events": [...]} with what the SDK reports for each: partition, sequence number,
      offset, enqueued time (ms), properties, body (hex), partition key, into OUT
  container STORAGE_CONN CONTAINER OUT
      creates CONTAINER and writes a container SAS URL (read, write, list) into OUT
  blobs STORAGE_CONN CONTAINER OUT
      Microsoft's documented way: lists the container's blobs with azure-storage-blob,
      downloads each and reads it with fastavro and avro; writes what `read` writes
  read DIR OUT
      reads every .avro file under DIR with fastavro and with avro, checks both agree, and
      writes {"files": [relative paths], "records": [...]} (maps as objects, bytes as hex)
      into OUT
"""

import json
import os
import sys
import threading

import fastavro
from avro.datafile import DataFileReader
from avro.io import DatumReader
from azure.eventhub import EventData, EventHubConsumerClient, EventHubProducerClient

WAIT_S = 60


def plain(value):
    if isinstance(value, bytes):
        return {"hex": value.hex()}
    if isinstance(value, dict):
        return {(k.decode() if isinstance(k, bytes) else k): plain(v) for k, v in value.items()}
    return value


def emit(out, document):
    """Writes the document to OUT (too large for the pipe the test reads after exit) and
    prints a summary."""
    with open(out, "w") as f:
        json.dump(document, f)
    print(json.dumps({"written": out}), flush=True)


def send(conn, hub, count, out):
    with EventHubProducerClient.from_connection_string(conn, eventhub_name=hub) as producer:
        for start in range(0, count, 50):
            by_key = {}
            for i in range(start, min(start + 50, count)):
                event = EventData(f"event {i} ".encode() + bytes([i % 256]))
                event.properties = {"n": i, "kind": "capture-test", "ratio": i / 4, "raw": b"\x00\x01"}
                event.content_type = "application/octet-stream"
                event.message_id = f"msg-{i}"
                event.correlation_id = f"corr-{i % 3}"
                by_key.setdefault(f"key-{i % 5}", []).append(event)
            for key, events in by_key.items():
                producer.send_batch(events, partition_key=key)

    client = EventHubConsumerClient.from_connection_string(
        conn, consumer_group="$Default", eventhub_name=hub)
    received = []
    lock = threading.Lock()
    done = threading.Event()

    def on_event(context, event):
        if event is None:
            return
        with lock:
            received.append({
                "partition": context.partition_id,
                "sequence_number": event.sequence_number,
                "offset": str(event.offset),
                "enqueued_ms": int(event.enqueued_time.timestamp() * 1000),
                "partition_key": event.partition_key.decode() if isinstance(event.partition_key, bytes) else event.partition_key,
                "properties": plain(event.properties),
                "content_type": event.content_type,
                "message_id": event.message_id,
                "correlation_id": event.correlation_id,
                "body": b"".join(event.body).hex() if not isinstance(event.body, bytes) else event.body.hex(),
            })
            if len(received) >= count:
                done.set()

    thread = threading.Thread(target=client.receive, kwargs=dict(
        on_event=on_event, starting_position="-1", max_wait_time=0.5), daemon=True)
    thread.start()
    done.wait(WAIT_S)
    with lock:
        emit(out, {"events": received})
    # The receive thread's shutdown can take longer than the test's patience; everything
    # needed is printed.
    os._exit(0)


def container(storage_conn, name, out):
    from datetime import datetime, timedelta, timezone
    from azure.storage.blob import BlobServiceClient, ContainerSasPermissions, generate_container_sas

    with BlobServiceClient.from_connection_string(storage_conn) as service:
        client = service.get_container_client(name)
        if not client.exists():
            client.create_container()
        sas = generate_container_sas(
            service.account_name, name, account_key=service.credential.account_key,
            permission=ContainerSasPermissions(read=True, write=True, list=True, create=True),
            expiry=datetime.now(timezone.utc) + timedelta(hours=2))
        with open(out, "w") as f:
            f.write(f"{client.url}?{sas}")
    print(json.dumps({"written": out}), flush=True)


def blobs(storage_conn, name, out):
    import io
    from azure.storage.blob import BlobServiceClient

    files, records = [], []
    with BlobServiceClient.from_connection_string(storage_conn) as service:
        client = service.get_container_client(name)
        for blob in client.list_blobs():
            files.append(blob.name)
            data = client.download_blob(blob.name).readall()
            fast = [plain(r) for r in fastavro.reader(io.BytesIO(data))]
            reader = DataFileReader(io.BytesIO(data), DatumReader())
            apache = [plain(r) for r in reader]
            if fast != apache:
                raise SystemExit(f"fastavro and avro disagree on {blob.name}")
            for record in fast:
                record["file"] = blob.name
                records.append(record)
    emit(out, {"files": sorted(files), "records": records})


def read(root, out):
    files, records = [], []
    for directory, _, names in os.walk(root):
        for name in sorted(names):
            path = os.path.join(directory, name)
            rel = os.path.relpath(path, root)
            files.append(rel)
            if not name.endswith(".avro"):
                continue
            with open(path, "rb") as f:
                fast = [plain(r) for r in fastavro.reader(f)]
            with open(path, "rb") as f:
                reader = DataFileReader(f, DatumReader())
                apache = [plain(r) for r in reader]
                reader.close()
            if fast != apache:
                raise SystemExit(f"fastavro and avro disagree on {rel}")
            for record in fast:
                record["file"] = rel
                records.append(record)
    emit(out, {"files": sorted(files), "records": records})


if __name__ == "__main__":
    if sys.argv[1] == "send":
        send(sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5])
    elif sys.argv[1] == "container":
        container(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "blobs":
        blobs(sys.argv[2], sys.argv[3], sys.argv[4])
    elif sys.argv[1] == "read":
        read(sys.argv[2], sys.argv[3])
    else:
        raise SystemExit(f"unknown mode {sys.argv[1]}")
