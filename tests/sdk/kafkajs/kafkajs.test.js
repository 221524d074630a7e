// kafkajs 2 against the emulator's Kafka endpoint: SASL PLAIN with the connection string,
// produce and consume in a group with keys and headers, and a wrong password refused fast.
"use strict";

const assert = require("node:assert/strict");
const path = require("node:path");
const { createRequire } = require("node:module");

const { emulatorTest, waitFor } = require("../js/harness.js");

const ROOT = path.resolve(__dirname, "..", "..", "..");
const { Kafka, logLevel } = createRequire(
  path.join(ROOT, "target", "test-env", "node", "package.json"),
)("kafkajs");

function kafka(emulator, password = emulator.conn()) {
  return new Kafka({
    clientId: "kafkajs-conformance",
    brokers: [emulator.kafka],
    sasl: { mechanism: "plain", username: "$ConnectionString", password },
    ssl: false,
    connectionTimeout: 5000,
    requestTimeout: 10000,
    retry: { retries: 1, initialRetryTime: 200 },
    logLevel: logLevel.NOTHING,
  });
}

emulatorTest("produce and consume in a group with keys and headers", async (emulator) => {
  const client = kafka(emulator);
  const producer = client.producer();
  await producer.connect();
  await producer.send({
    topic: "single",
    messages: [0, 1, 2].map((i) => ({ key: `k${i}`, value: `v${i}`, headers: { h: `x${i}` } })),
  });
  await producer.disconnect();

  const consumer = client.consumer({ groupId: "kafkajs", sessionTimeout: 6000, heartbeatInterval: 500 });
  const seen = [];
  await consumer.connect();
  await consumer.subscribe({ topic: "single", fromBeginning: true });
  await consumer.run({ eachMessage: async ({ message }) => { seen.push(message); } });
  try {
    assert.ok(await waitFor(() => seen.length >= 3, 30000), `got ${seen.length} of 3`);
  } finally {
    await consumer.disconnect();
  }
  assert.deepEqual(seen.map((m) => [m.offset, m.key.toString(), m.value.toString(), m.headers.h.toString()]),
    [0, 1, 2].map((i) => [String(i), `k${i}`, `v${i}`, `x${i}`]));
});

emulatorTest("a wrong password is refused as a SASL authentication failure", async (emulator) => {
  const producer = kafka(emulator, emulator.connWithWrongKey()).producer();
  await assert.rejects(producer.connect(), (error) => {
    assert.match(`${error.name} ${error.message}`, /SASL|[Aa]uthentication/);
    return true;
  });
});
