"""Loads a search or trace benchmark's hub (scripts/bench-search.sh, scripts/bench-trace.sh):
Avro CloudEvents (binary mode) of `ContactPurchased`, nine in ten written with version 1 and
one in ten with version 2 (both registered in the emulator's Schema Registry, group `bench`),
subjects `cont-00000` to `cont-00999` in turn. Spread over the partitions by id, or with
`keyed` sent with their subject as partition key (as producers that key by aggregate do).
One thread per partition (or share of subjects). Prints one JSON line.

Usage: search_load.py CONNECTION_STRING REGISTRY_URL HUB EVENTS PARTITIONS [keyed]
"""

import io
import json
import pathlib
import sys
import threading
import time
import urllib.request

import fastavro
from azure.eventhub import EventData, EventHubProducerClient

from search_python import sas_token

SCHEMAS = pathlib.Path(__file__).resolve().parents[2] / "schemas"
NAME = "com.example.customer.ContactPurchased"
SUBJECTS = 1000
BATCH = 500


def register(registry, token, text):
    request = urllib.request.Request(
        f"{registry}/$schemaGroups/bench/schemas/{NAME}?api-version=2023-07-01", data=text.encode(),
        method="PUT", headers={"Authorization": token, "Content-Type": "application/json; serialization=Avro"})
    with urllib.request.urlopen(request) as answer:
        return answer.headers["Schema-Id"]


def event(i, versions):
    version = 1 if i % 10 == 9 else 0
    schema, schema_id = versions[version]
    record = {"contactId": f"cont-{i % SUBJECTS:05}", "orderId": f"ord-{i:07}",
              "productId": f"prod-{i % 500:03}", "amount": (i % 1000) / 10.0, "currency": "EUR",
              "purchasedAt": 1_700_000_000_000 + i}
    if version:
        record.update(paymentMethod="card", discountCode=None)
    body = io.BytesIO()
    fastavro.schemaless_writer(body, schema, record)
    data = EventData(body.getvalue())
    data.content_type = f"avro/binary+{schema_id}"
    data.properties = {
        "cloudEvents_specversion": "1.0", "cloudEvents_id": f"evt-{i:07}",
        "cloudEvents_type": "com.example.customer.contact.purchased",
        "cloudEvents_source": "/teams/customer/shop", "cloudEvents_subject": f"cont-{i % SUBJECTS:05}"}
    return data


def send(cs, hub, lanes, versions, errors):
    try:
        with EventHubProducerClient.from_connection_string(cs, eventhub_name=hub) as producer:
            for options, numbers in lanes:
                for at in range(0, len(numbers), BATCH):
                    batch = producer.create_batch(**options)
                    for i in numbers[at:at + BATCH]:
                        batch.add(event(i, versions))
                    producer.send_batch(batch)
    except Exception as error:  # reported by the main thread
        errors.append(repr(error))


def main():
    cs, registry, hub = sys.argv[1:4]
    events, partitions = int(sys.argv[4]), int(sys.argv[5])
    keyed = sys.argv[6:7] == ["keyed"]
    token = sas_token(cs)
    versions = []
    for file in ["contact_purchased.avsc", "contact_purchased.v2.avsc"]:
        text = (SCHEMAS / file).read_text()
        versions.append((fastavro.parse_schema(json.loads(text)), register(registry, token, text)))
    lanes_count = SUBJECTS if keyed else partitions
    lanes = [({"partition_key": f"cont-{lane:05}"} if keyed else {"partition_id": str(lane)},
              list(range(lane, events, lanes_count))) for lane in range(lanes_count)]
    errors = []
    threads = [threading.Thread(target=send, args=(cs, hub, lanes[t::partitions], versions, errors))
               for t in range(partitions)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    if errors:
        print("load failed: " + "; ".join(errors), file=sys.stderr)
        sys.exit(1)
    print(json.dumps({"loaded": events, "hub": hub, "keyed": keyed,
                      "ingest_events_per_s": round(events / (time.perf_counter() - started))}))


if __name__ == "__main__":
    main()
