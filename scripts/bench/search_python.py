"""The Python side of scripts/bench-search.sh: the same search as `ehops search` written with
Microsoft's SDK (azure-eventhub) and fastavro. Every partition is read from the start to the
newest event there was when the search started, one thread each; each event's schema is
fetched from the Schema Registry once per id (by the id its content type names) and its
datum decoded with fastavro; then the predicate runs. Prints one JSON line.

Usage: search_python.py CONNECTION_STRING REGISTRY_URL HUB CONTACT_ID
"""

import base64
import hashlib
import hmac
import io
import json
import sys
import threading
import time
import urllib.parse
import urllib.request

import fastavro
from azure.eventhub import EventHubConsumerClient


def sas_token(cs):
    parts = dict(p.split("=", 1) for p in cs.split(";") if "=" in p)
    resource = parts["Endpoint"].replace("sb://", "http://")
    expiry = int(time.time()) + 3600
    to_sign = f"{urllib.parse.quote_plus(resource)}\n{expiry}".encode()
    sig = base64.b64encode(hmac.new(parts["SharedAccessKey"].encode(), to_sign, hashlib.sha256).digest())
    return "SharedAccessSignature " + urllib.parse.urlencode(
        {"sr": resource, "sig": sig.decode(), "se": str(expiry), "skn": parts["SharedAccessKeyName"]})


class Schemas:
    """Parsed writer schemas by id, fetched once each (shared by the partition threads)."""

    def __init__(self, registry, token):
        self.registry, self.token, self.parsed, self.lock = registry, token, {}, threading.Lock()

    def get(self, schema_id):
        with self.lock:
            if schema_id not in self.parsed:
                request = urllib.request.Request(
                    f"{self.registry}/$schemaGroups/$schemas/{schema_id}?api-version=2023-07-01",
                    headers={"Authorization": self.token})
                with urllib.request.urlopen(request) as answer:
                    self.parsed[schema_id] = fastavro.parse_schema(json.loads(answer.read()))
            return self.parsed[schema_id]


def search(cs, hub, partition, last, schemas, contact, totals):
    consumer = EventHubConsumerClient.from_connection_string(cs, consumer_group="$Default", eventhub_name=hub)
    counts = {"scanned": 0, "matched": 0, "undecodable": 0}
    done = threading.Event()

    def on_batch(_context, events):
        for event in events:
            counts["scanned"] += 1
            properties = event.properties or {}
            kind = properties.get(b"cloudEvents_type", b"").decode()
            content_type = event.content_type or ""
            try:
                schema = schemas.get(content_type.split("+", 1)[1])
                body = event.body
                body = body if isinstance(body, bytes) else b"".join(body)
                data = fastavro.schemaless_reader(io.BytesIO(body), schema)
            except Exception:
                counts["undecodable"] += 1
                data = None
            if data is not None and data["contactId"] == contact and kind.endswith(".purchased"):
                counts["matched"] += 1
            if event.sequence_number >= last:
                done.set()

    worker = threading.Thread(target=consumer.receive_batch, daemon=True, kwargs=dict(
        on_event_batch=on_batch, partition_id=str(partition), starting_position="-1",
        max_batch_size=300, prefetch=1000))
    worker.start()
    done.wait(timeout=3600)
    consumer.close()
    totals.append(counts)


def main():
    cs, registry, hub, contact = sys.argv[1:5]
    probe = EventHubConsumerClient.from_connection_string(cs, consumer_group="$Default", eventhub_name=hub)
    with probe:
        ids = probe.get_partition_ids()
        lasts = [probe.get_partition_properties(p)["last_enqueued_sequence_number"] for p in ids]
    schemas = Schemas(registry, sas_token(cs))
    totals = []
    threads = [threading.Thread(target=search, args=(cs, hub, p, last, schemas, contact, totals))
               for p, last in zip(ids, lasts)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    seconds = time.perf_counter() - started
    scanned = sum(t["scanned"] for t in totals)
    import azure.eventhub
    print(json.dumps({
        "client": f"python azure-eventhub {azure.eventhub.__version__} + fastavro {fastavro.__version__}",
        "scanned": scanned,
        "matched": sum(t["matched"] for t in totals),
        "undecodable": sum(t["undecodable"] for t in totals),
        "seconds": round(seconds, 2),
        "events_per_s": round(scanned / seconds),
    }))


if __name__ == "__main__":
    main()
