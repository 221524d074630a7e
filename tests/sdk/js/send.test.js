// Sending through @azure/event-hubs 6: batches, partition ids, partition keys.
"use strict";

const assert = require("node:assert/strict");
const { eventHubs, emulatorTest, subscribe, waitFor, sleep, QUIET_MS, CLIENT_OPTIONS } = require("./harness.js");

const { EventHubProducerClient, EventHubConsumerClient, earliestEventPosition } = eventHubs;

/** Everything in `hub` from the start, once `count` events arrived and a quiet period passed. */
async function readAll(emu, hub, count) {
  const consumer = new EventHubConsumerClient("$Default", emu.conn(), hub, CLIENT_OPTIONS);
  const seen = subscribe(consumer, undefined, { startPosition: earliestEventPosition });
  try {
    await waitFor(() => seen.events.length >= count);
    await sleep(QUIET_MS);
    assert.deepEqual(seen.errors, []);
    return seen.events.map((e) => ({ ...e, text: Buffer.from(e.body).toString() }));
  } finally {
    await seen.subscription.close();
    await consumer.close();
  }
}

emulatorTest("createBatch + sendBatch to a partition id keeps order", async (emu) => {
  const producer = new EventHubProducerClient(emu.conn(), "orders", CLIENT_OPTIONS);
  try {
    const batch = await producer.createBatch({ partitionId: "3" });
    assert.equal(batch.maxSizeInBytes, 1024 * 1024);
    for (let i = 0; i < 10; i++) assert.ok(batch.tryAdd({ body: Buffer.from(`b${i}`) }));
    await producer.sendBatch(batch);
  } finally {
    await producer.close();
  }
  const events = await readAll(emu, "orders", 10);
  assert.deepEqual(events.map((e) => [e.partitionId, e.sequenceNumber, e.text]),
    Array.from({ length: 10 }, (_, i) => ["3", i, `b${i}`]));
});

emulatorTest("sendBatch with an array and a partition key lands in one partition", async (emu) => {
  const producer = new EventHubProducerClient(emu.conn(), "keys", CLIENT_OPTIONS);
  try {
    for (let round = 0; round < 3; round++) {
      for (const key of ["acct-1", "acct-2", "acct-3"]) {
        await producer.sendBatch([{ body: Buffer.from(`${key}/${round}`) }], { partitionKey: key });
      }
      const batch = await producer.createBatch({ partitionKey: "acct-1" });
      batch.tryAdd({ body: Buffer.from(`acct-1/batch${round}`) });
      await producer.sendBatch(batch);
    }
  } finally {
    await producer.close();
  }
  const events = await readAll(emu, "keys", 12);
  assert.equal(events.length, 12);
  const partitionsOf = {};
  for (const e of events) {
    const key = e.text.split("/")[0];
    assert.equal(e.partitionKey, key, "the service must keep x-opt-partition-key");
    (partitionsOf[key] ??= new Set()).add(e.partitionId);
  }
  for (const [key, partitions] of Object.entries(partitionsOf)) {
    assert.equal(partitions.size, 1, `${key} went to partitions ${[...partitions]}`);
  }
});

emulatorTest("sends without partition or key spread over partitions", async (emu) => {
  const producer = new EventHubProducerClient(emu.conn(), "keys", CLIENT_OPTIONS);
  try {
    for (let i = 0; i < 16; i++) await producer.sendBatch([{ body: Buffer.from(`free${i}`) }]);
  } finally {
    await producer.close();
  }
  const events = await readAll(emu, "keys", 16);
  assert.equal(events.length, 16);
  const used = new Set(events.map((e) => e.partitionId));
  assert.ok(used.size >= 4, `16 unkeyed sends used only partitions ${[...used]}`);
});

emulatorTest("event contents round trip", async (emu) => {
  const producer = new EventHubProducerClient(emu.conn(), "single", CLIENT_OPTIONS);
  const before = Date.now();
  try {
    await producer.sendBatch([{
      body: Buffer.from([0, 255, 1, 2]),
      properties: { team: "billing", attempt: 3 },
      contentType: "application/octet-stream",
      correlationId: "corr-js",
      messageId: "msg-js",
    }]);
  } finally {
    await producer.close();
  }
  const [e] = await readAll(emu, "single", 1);
  assert.deepEqual([...Buffer.from(e.body)], [0, 255, 1, 2]);
  assert.deepEqual(e.properties, { team: "billing", attempt: 3 });
  assert.deepEqual([e.contentType, e.correlationId, e.messageId],
    ["application/octet-stream", "corr-js", "msg-js"]);
  assert.equal(e.sequenceNumber, 0);
  assert.match(String(e.offset), /^\d+$/);
  assert.ok(Math.abs(e.enqueuedTimeUtc.getTime() - before) < 5000, `${e.enqueuedTimeUtc}`);
});
