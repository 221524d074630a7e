// Refusals @azure/event-hubs 6 must surface promptly: wrong key, unknown entities.
"use strict";

const assert = require("node:assert/strict");
const { eventHubs, emulatorTest, subscribe, waitFor, NO_RETRY } = require("./harness.js");

const { EventHubProducerClient, EventHubConsumerClient, earliestEventPosition } = eventHubs;

const NOT_FOUND_CODES = ["ServiceCommunicationError", "MessagingEntityNotFoundError"];

async function rejection(promise) {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  assert.fail("expected the call to be refused");
}

emulatorTest("a wrong key is refused as UnauthorizedError", async (emu) => {
  const producer = new EventHubProducerClient(emu.connWithWrongKey(), "orders", NO_RETRY);
  try {
    const sendError = await rejection(producer.sendBatch([{ body: Buffer.from("never") }]));
    assert.equal(sendError.code, "UnauthorizedError", `${sendError.code}: ${sendError.message}`);
    const propsError = await rejection(producer.getEventHubProperties());
    assert.equal(propsError.code, "UnauthorizedError", `${propsError.code}: ${propsError.message}`);
  } finally {
    await producer.close();
  }
});

emulatorTest("an unknown hub is not found", async (emu) => {
  const producer = new EventHubProducerClient(emu.conn(), "no-such-hub", NO_RETRY);
  try {
    const error = await rejection(producer.getEventHubProperties());
    assert.ok(NOT_FOUND_CODES.includes(error.code), `${error.code}: ${error.message}`);
  } finally {
    await producer.close();
  }
});

// rhea-promise takes a sender link as open on its first credit: a refusal must carry none, as
// Event Hubs' does (emulator/amqp/refused_credit.rs), or JS sends and times out.
emulatorTest("sending to an unknown hub is not found", async (emu) => {
  const producer = new EventHubProducerClient(emu.conn(), "no-such-hub", NO_RETRY);
  try {
    const sendError = await rejection(producer.sendBatch([{ body: Buffer.from("never") }]));
    assert.ok(NOT_FOUND_CODES.includes(sendError.code), `${sendError.code}: ${sendError.message}`);
  } finally {
    await producer.close();
  }
});

emulatorTest("an unknown partition is not found", async (emu) => {
  const producer = new EventHubProducerClient(emu.conn(), "orders", NO_RETRY);
  try {
    const error = await rejection(producer.getPartitionProperties("9"));
    assert.ok(NOT_FOUND_CODES.includes(error.code), `${error.code}: ${error.message}`);
  } finally {
    await producer.close();
  }
});

emulatorTest("receiving from an unknown consumer group reports an error", async (emu) => {
  const consumer = new EventHubConsumerClient("no-such-group", emu.conn(), "orders", NO_RETRY);
  const seen = subscribe(consumer, "0", { startPosition: earliestEventPosition });
  try {
    assert.ok(await waitFor(() => seen.errors.length > 0), "no error for an unknown group");
    const [error] = seen.errors;
    assert.ok(NOT_FOUND_CODES.includes(error.code), `${error.code}: ${error.message}`);
  } finally {
    await seen.subscription.close();
    await consumer.close();
  }
});

emulatorTest("a Send-only rule cannot receive", async (emu) => {
  const consumer = new EventHubConsumerClient("$Default", emu.conn("orders-send"), NO_RETRY);
  const seen = subscribe(consumer, "0", { startPosition: earliestEventPosition });
  try {
    assert.ok(await waitFor(() => seen.errors.length > 0), "no error receiving with a Send rule");
    assert.equal(seen.errors[0].code, "UnauthorizedError", `${seen.errors[0].code}: ${seen.errors[0].message}`);
  } finally {
    await seen.subscription.close();
    await consumer.close();
  }
});
