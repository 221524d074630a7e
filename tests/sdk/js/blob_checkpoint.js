// An application's consumer on @azure/event-hubs with the official BlobCheckpointStore, as a
// team would run it against the emulator. Driven by tests/blob_checkpoints.rs:
//
//   node blob_checkpoint.js CONN HUB GROUP STORAGE_CONN CONTAINER PARTITION COUNT CHECKPOINT_AT
//
// sends COUNT events to PARTITION, receives them from the start, checkpoints the event with
// sequence number CHECKPOINT_AT, and prints {"checkpointed": seq, "blobs": [names]}.
"use strict";

const path = require("node:path");
const { createRequire } = require("node:module");

const sdkRequire = createRequire(path.join(__dirname, "..", "..", "..", "target", "test-env", "node", "package.json"));
const { EventHubConsumerClient, EventHubProducerClient, earliestEventPosition } = sdkRequire("@azure/event-hubs");
const { BlobCheckpointStore } = sdkRequire("@azure/eventhubs-checkpointstore-blob");
const { ContainerClient } = sdkRequire("@azure/storage-blob");

const WAIT_MS = 60000;

async function main() {
  const [conn, hub, group, storageConn, container, partitionId, count, at] = process.argv.slice(2);
  const containerClient = new ContainerClient(storageConn, container);
  await containerClient.createIfNotExists();
  const producer = new EventHubProducerClient(conn, hub);
  const events = Array.from({ length: Number(count) }, (_, i) => ({ body: `p${partitionId}-${i}` }));
  await producer.sendBatch(events, { partitionId });
  await producer.close();

  const consumer = new EventHubConsumerClient(group, conn, hub, new BlobCheckpointStore(containerClient));
  let checkpointed = null;
  const done = new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no event ${at} within ${WAIT_MS} ms`)), WAIT_MS);
    const subscription = consumer.subscribe(partitionId, {
      processEvents: async (received, context) => {
        for (const event of received) {
          if (event.sequenceNumber === Number(at)) {
            await context.updateCheckpoint(event);
            checkpointed = event.sequenceNumber;
            clearTimeout(timer);
            resolve(subscription);
          }
        }
      },
      processError: async (error) => { process.stderr.write(`processError: ${error}\n`); },
    }, { startPosition: earliestEventPosition, maxBatchSize: 50 });
  });
  const subscription = await done;
  await subscription.close();
  await consumer.close();
  const blobs = [];
  for await (const blob of containerClient.listBlobsFlat()) blobs.push(blob.name);
  process.stdout.write(`${JSON.stringify({ checkpointed, blobs })}\n`);
}

main().catch((error) => {
  process.stderr.write(`${error.stack || error}\n`);
  process.exit(1);
});
