// Receiving through @azure/event-hubs 6: start positions and owner level.
"use strict";

const assert = require("node:assert/strict");
const {
  eventHubs, emulatorTest, subscribe, probeUntilLive, waitFor, sleep, QUIET_MS, WAIT_MS, CLIENT_OPTIONS,
} = require("./harness.js");

const { EventHubProducerClient, EventHubConsumerClient, earliestEventPosition, latestEventPosition } =
  eventHubs;

async function sendFive(emu) {
  const producer = new EventHubProducerClient(emu.conn(), "single", CLIENT_OPTIONS);
  try {
    await producer.sendBatch([0, 1, 2, 3, 4].map((i) => ({ body: Buffer.from(`e${i}`) })));
  } finally {
    await producer.close();
  }
}

async function bodiesFrom(emu, startPosition, expectedCount) {
  const consumer = new EventHubConsumerClient("$Default", emu.conn(), "single", CLIENT_OPTIONS);
  const seen = subscribe(consumer, "0", { startPosition });
  try {
    await waitFor(() => seen.bodies().length >= expectedCount);
    await sleep(QUIET_MS);
    assert.deepEqual(seen.errors, []);
    return seen.bodies();
  } finally {
    await seen.subscription.close();
    await consumer.close();
  }
}

emulatorTest("subscribe from earliest", async (emu) => {
  await sendFive(emu);
  assert.deepEqual(await bodiesFrom(emu, earliestEventPosition, 5), ["e0", "e1", "e2", "e3", "e4"]);
});

emulatorTest("subscribe from a sequence number, exclusive and inclusive", async (emu) => {
  await sendFive(emu);
  assert.deepEqual(await bodiesFrom(emu, { sequenceNumber: 2 }, 2), ["e3", "e4"]);
  assert.deepEqual(await bodiesFrom(emu, { sequenceNumber: 2, isInclusive: true }, 3),
    ["e2", "e3", "e4"]);
});

emulatorTest("subscribe from latest only sees new events", async (emu) => {
  await sendFive(emu);
  const consumer = new EventHubConsumerClient("$Default", emu.conn(), "single", CLIENT_OPTIONS);
  const producer = new EventHubProducerClient(emu.conn(), "single", CLIENT_OPTIONS);
  const seen = subscribe(consumer, "0", { startPosition: latestEventPosition });
  try {
    await probeUntilLive(producer, "0", seen);
    await producer.sendBatch([{ body: Buffer.from("late") }]);
    await waitFor(() => seen.bodies().length >= 1);
    await sleep(QUIET_MS);
    assert.deepEqual(seen.bodies(), ["late"]);
  } finally {
    await seen.subscription.close();
    await Promise.all([consumer.close(), producer.close()]);
  }
});

emulatorTest("a higher ownerLevel disconnects the current receiver", async (emu) => {
  const producer = new EventHubProducerClient(emu.conn(), "orders", CLIENT_OPTIONS);
  const first = new EventHubConsumerClient("$Default", emu.conn(), "orders", CLIENT_OPTIONS);
  const second = new EventHubConsumerClient("$Default", emu.conn(), "orders", CLIENT_OPTIONS);
  const a = subscribe(first, "0", { startPosition: earliestEventPosition, ownerLevel: 1 });
  let b;
  try {
    await probeUntilLive(producer, "0", a);
    b = subscribe(second, "0", { startPosition: earliestEventPosition, ownerLevel: 2 });
    await probeUntilLive(producer, "0", b);
    const stolen = () => a.errors.some((e) => e.code === "ReceiverDisconnectedError");
    assert.ok(await waitFor(stolen, WAIT_MS),
      `first receiver got no ReceiverDisconnectedError; errors: ${a.errors.map((e) => `${e.code}: ${e.message}`)}`);
    const seenByFirst = a.events.length;
    await producer.sendBatch([{ body: Buffer.from("after-steal") }], { partitionId: "0" });
    assert.ok(await waitFor(() => b.bodies().includes("after-steal")));
    assert.equal(a.events.length, seenByFirst);
  } finally {
    await a.subscription.close();
    if (b) await b.subscription.close();
    await Promise.all([first.close(), second.close(), producer.close()]);
  }
});
