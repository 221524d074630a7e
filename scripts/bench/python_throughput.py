"""The Python SDK's side of scripts/bench-emulator.sh: the same workload as
benches/sdk_throughput.rs (durably acknowledged ingest, then consume from the start), one
thread per partition, printed as one JSON line."""

import json
import sys
import threading
import time

from azure.eventhub import EventData, EventHubConsumerClient, EventHubProducerClient


def ingest(cs, hub, partition, count, size, batch_size):
    producer = EventHubProducerClient.from_connection_string(cs, eventhub_name=hub)
    body = b"x" * size
    sent = 0
    with producer:
        while sent < count:
            batch = producer.create_batch(partition_id=str(partition))
            in_batch = 0
            while in_batch < batch_size and sent + in_batch < count:
                try:
                    batch.add(EventData(body))
                except ValueError:
                    break
                in_batch += 1
            producer.send_batch(batch)
            sent += in_batch


def consume(cs, hub, partition, count, errors):
    consumer = EventHubConsumerClient.from_connection_string(
        cs, consumer_group="$Default", eventhub_name=hub
    )
    received = 0
    done = threading.Event()

    def on_batch(_context, events):
        nonlocal received
        received += len(events)
        if received >= count:
            done.set()

    worker = threading.Thread(
        target=consumer.receive_batch,
        kwargs=dict(
            on_event_batch=on_batch,
            partition_id=str(partition),
            starting_position="-1",
            max_batch_size=300,
            prefetch=1000,
        ),
        daemon=True,
    )
    worker.start()
    if not done.wait(timeout=600):
        errors.append(f"partition {partition}: {received} of {count} events")
    consumer.close()


def timed(target, args_per_partition):
    threads = [threading.Thread(target=target, args=a) for a in args_per_partition]
    started = time.perf_counter()
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return time.perf_counter() - started


def main():
    cs, hub = sys.argv[1], sys.argv[2]
    per_partition, size, batch, partitions = (int(a) for a in sys.argv[3:7])
    total = per_partition * partitions
    ingest_s = timed(ingest, [(cs, hub, p, per_partition, size, batch) for p in range(partitions)])
    errors = []
    consume_s = timed(consume, [(cs, hub, p, per_partition, errors) for p in range(partitions)])
    if errors:
        print("benchmark failed: " + "; ".join(errors), file=sys.stderr)
        sys.exit(1)
    import azure.eventhub
    print(json.dumps({
        "client": f"python azure-eventhub {azure.eventhub.__version__}",
        "events": total,
        "event_bytes": size,
        "batch": batch,
        "partitions": partitions,
        "ingest_events_per_s": round(total / ingest_s),
        "consume_events_per_s": round(total / consume_s),
    }))


if __name__ == "__main__":
    main()
