// Management reads through @azure/event-hubs 6.
"use strict";

const assert = require("node:assert/strict");
const { eventHubs, emulatorTest, CLIENT_OPTIONS } = require("./harness.js");

const { EventHubProducerClient, EventHubConsumerClient } = eventHubs;

emulatorTest("getEventHubProperties lists the configured partitions", async (emu) => {
  const producer = new EventHubProducerClient(emu.conn(), "orders", CLIENT_OPTIONS);
  try {
    const props = await producer.getEventHubProperties();
    assert.equal(props.name, "orders");
    assert.deepEqual(props.partitionIds, ["0", "1", "2", "3"]);
    assert.ok(props.createdOn instanceof Date && !Number.isNaN(props.createdOn.getTime()));
    assert.deepEqual(await producer.getPartitionIds(), ["0", "1", "2", "3"]);
  } finally {
    await producer.close();
  }
});

emulatorTest("getPartitionProperties of an empty partition", async (emu) => {
  const consumer = new EventHubConsumerClient("$Default", emu.conn(), "single", CLIENT_OPTIONS);
  try {
    const props = await consumer.getPartitionProperties("0");
    assert.deepEqual(
      { ...props, lastEnqueuedOnUtc: undefined },
      {
        eventHubName: "single",
        partitionId: "0",
        beginningSequenceNumber: 0,
        lastEnqueuedSequenceNumber: -1,
        lastEnqueuedOffset: "-1",
        lastEnqueuedOnUtc: undefined,
        isEmpty: true,
      },
    );
  } finally {
    await consumer.close();
  }
});

emulatorTest("getPartitionProperties follows sends", async (emu) => {
  const producer = new EventHubProducerClient(emu.conn(), "orders", CLIENT_OPTIONS);
  try {
    const before = Date.now();
    await producer.sendBatch([{ body: Buffer.from("a") }, { body: Buffer.from("b") }], { partitionId: "2" });
    const props = await producer.getPartitionProperties("2");
    assert.equal(props.beginningSequenceNumber, 0);
    assert.equal(props.lastEnqueuedSequenceNumber, 1);
    assert.equal(props.isEmpty, false);
    assert.match(props.lastEnqueuedOffset, /^\d+$/);
    assert.ok(Math.abs(props.lastEnqueuedOnUtc.getTime() - before) < 5000, `${props.lastEnqueuedOnUtc}`);
    assert.equal((await producer.getPartitionProperties("1")).isEmpty, true);
  } finally {
    await producer.close();
  }
});
