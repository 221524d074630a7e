// @azure/event-hubs 6 against the emulator's faults (docs/fault-injection.md): its
// documentation says a subscription retries retryable errors (reporting them to
// processError) and goes on receiving; here it must get every event once, in order.
"use strict";

const assert = require("node:assert/strict");
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { eventHubs, emulatorTest, subscribe, waitFor, sleep } = require("./harness.js");

const { EventHubProducerClient, EventHubConsumerClient, earliestEventPosition } = eventHubs;
const CONSUMER_FAULTS = path.join(__dirname, "..", "..", "fixtures", "consumer-faults.toml");

/** A shared-access token for the connection string's rule, as the catalog and /faults take. */
function token(conn) {
  const part = (name) => conn.split(";").find((p) => p.startsWith(`${name}=`)).slice(name.length + 1);
  const resource = "sb://127.0.0.1/";
  const expiry = Math.floor(Date.now() / 1000) + 3600;
  const sr = encodeURIComponent(resource);
  const sig = crypto.createHmac("sha256", part("SharedAccessKey")).update(`${sr}\n${expiry}`).digest("base64");
  return `SharedAccessSignature sr=${sr}&sig=${encodeURIComponent(sig)}&se=${expiry}&skn=${part("SharedAccessKeyName")}`;
}

async function putFaults(emu, text) {
  const response = await fetch(`http://${emu.ready.http}/faults`, {
    method: "PUT", body: text, headers: { Authorization: token(emu.conn()) },
  });
  assert.equal(response.status, 204, await response.text());
}

emulatorTest("a subscription receives every event once through detaches and dropped connections", async (emu) => {
  await putFaults(emu, fs.readFileSync(CONSUMER_FAULTS, "utf8"));
  const retryOptions = { retryOptions: { maxRetries: 10, retryDelayInMs: 300, timeoutInMs: 10000 } };
  const consumer = new EventHubConsumerClient("$Default", emu.conn(), "orders", retryOptions);
  const seen = subscribe(consumer, undefined, { startPosition: earliestEventPosition });
  const producer = new EventHubProducerClient(emu.conn(), "orders", retryOptions);
  const partitions = ["0", "1"];
  const rounds = 12;
  const perRound = 10;
  try {
    for (let round = 0; round < rounds; round++) {
      for (const partitionId of partitions) {
        const events = Array.from({ length: perRound }, (_, i) => ({ body: Buffer.from(`${partitionId}/${round}/${i}`) }));
        await producer.sendBatch(events, { partitionId });
      }
      await sleep(500);
    }
    // The producer's connection is dropped too, and a send whose acknowledgement the drop lost
    // is sent again (publishing is at least once): what is to be received is what the hub holds.
    const sent = partitions.length * rounds * perRound;
    const stored = {};
    for (const partitionId of partitions) {
      stored[partitionId] = (await producer.getPartitionProperties(partitionId)).lastEnqueuedSequenceNumber + 1;
    }
    const total = partitions.reduce((sum, p) => sum + stored[p], 0);
    assert.ok(total >= sent, `${total} events stored of ${sent} sent`);
    const distinct = () => new Set(seen.events.map((e) => `${e.partitionId}/${e.sequenceNumber}`));
    assert.ok(await waitFor(() => distinct().size >= total, 60000),
      `${distinct().size} of ${total} stored events; errors: ${seen.errors.map((e) => e.code)}`);
    await sleep(1000);
    // The subscription recovers from retryable errors by itself (nothing reaches
    // processError); the emulator counts how often the faults struck.
    const shown = await fetch(`http://${emu.ready.http}/faults`, { headers: { Authorization: token(emu.conn()) } });
    assert.ok(Number(shown.headers.get("x-faults-struck")) > 0, "the faults never struck");
    for (const partitionId of partitions) {
      const sequences = seen.events.filter((e) => e.partitionId === partitionId).map((e) => e.sequenceNumber);
      assert.deepEqual(sequences, Array.from({ length: stored[partitionId] }, (_, i) => i),
        `partition ${partitionId}: a gap or a duplicate`);
    }
  } finally {
    await seen.subscription.close();
    await consumer.close();
    await producer.close();
  }
}, 120000);
