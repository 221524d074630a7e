// Shared by the JS conformance tests: the SDK (installed by scripts/test-env.sh under
// target/test-env/node, outside tests/), a fresh ehops emulator per test, and bounded waits.
"use strict";

const { spawn } = require("node:child_process");
const fs = require("node:fs");
const os = require("node:os");
const path = require("node:path");
const { createRequire } = require("node:module");

const ROOT = path.resolve(__dirname, "..", "..", "..");
const CONFIG = path.join(ROOT, "tests", "fixtures", "conformance.toml");
const sdkRequire = createRequire(path.join(ROOT, "target", "test-env", "node", "package.json"));
const eventHubs = sdkRequire("@azure/event-hubs");

const WAIT_MS = 15000;
const QUIET_MS = 1000;
const READY_MS = 30000;
// Client options for every test: a short operation timeout and one retry, so a server that
// never answers fails a test in seconds instead of the SDK's default minutes.
const CLIENT_OPTIONS = { retryOptions: { maxRetries: 1, timeoutInMs: 10000, retryDelayInMs: 300 } };
// Refusals should surface on the first attempt; retries only make a failing test slower.
const NO_RETRY = { retryOptions: { maxRetries: 0, timeoutInMs: 10000 } };

function ehopsBin() {
  const bin = process.env.EHOPS_BIN || path.join(ROOT, "target", "debug", "ehops");
  if (!fs.existsSync(bin)) throw new Error(`ehops binary not found at ${bin}: set EHOPS_BIN`);
  return bin;
}

/** Starts `ehops emulator` on OS-chosen ports with an empty data dir; resolves on its ready line. */
async function startEmulator() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), "ehops-js-"));
  fs.mkdirSync(path.join(dir, "data"));
  const logPath = path.join(dir, "emulator.log");
  const log = fs.openSync(logPath, "a");
  const child = spawn(ehopsBin(), ["emulator", "--config", CONFIG, "--data", path.join(dir, "data"),
    "--amqp", "127.0.0.1:0", "--http", "127.0.0.1:0", "--kafka", "127.0.0.1:0", "--json"],
  { stdio: ["ignore", "pipe", log] });
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const logTail = () => fs.readFileSync(logPath, "utf8").slice(-6000);

  let buffered = "";
  const line = await new Promise((resolve) => {
    const timer = setTimeout(() => resolve(null), READY_MS);
    child.stdout.on("data", (chunk) => {
      fs.appendFileSync(logPath, chunk);
      if (buffered === null) return; // ready line already taken: just keep the pipe drained
      buffered += chunk.toString();
      const end = buffered.indexOf("\n");
      if (end >= 0) {
        clearTimeout(timer);
        resolve(buffered.slice(0, end));
        buffered = null;
      }
    });
    child.once("exit", () => { clearTimeout(timer); resolve(null); });
  });
  let ready;
  try {
    ready = JSON.parse(line);
  } catch {
    ready = null;
  }
  if (!ready || ready.ready !== true) {
    child.kill("SIGKILL");
    throw new Error(`emulator gave no ready line within ${READY_MS} ms (got ${line})\n${logTail()}`);
  }
  const namespace = ready.namespaces.find((n) => n.name === "conformance");
  const rules = Object.fromEntries(namespace.rules.map((r) => [r.name, r]));

  return {
    ready,
    kafka: ready.kafka,
    logTail,
    conn: (rule = "RootManageSharedAccessKey") => rules[rule].connection_string,
    connWithWrongKey() {
      return this.conn().split(";").map((p) => (p.startsWith("SharedAccessKey=")
        ? "SharedAccessKey=d3Jvbmcta2V5LWZvci10ZXN0cw==" : p)).join(";");
    },
    async stop() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill("SIGTERM");
        const timer = setTimeout(() => child.kill("SIGKILL"), 10000);
        await exited;
        clearTimeout(timer);
      }
      fs.closeSync(log);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** Polls `predicate` until true or `ms` elapsed; returns whether it became true. */
async function waitFor(predicate, ms = WAIT_MS) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    if (predicate()) return true;
    await sleep(50);
  }
  return predicate();
}

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

/** A subscription that records events and errors; bodies stay Buffers (no JSON parsing). */
function subscribe(client, partitionId, options = {}) {
  const seen = { events: [], errors: [] };
  const handlers = {
    processEvents: async (events, context) => {
      for (const e of events) seen.events.push({ partitionId: context.partitionId, ...e });
    },
    processError: async (error) => { seen.errors.push(error); },
  };
  const settings = { maxWaitTimeInSeconds: 1, skipParsingBodyAsJson: true, ...options };
  seen.subscription = partitionId === undefined
    ? client.subscribe(handlers, settings)
    : client.subscribe(partitionId, handlers, settings);
  seen.bodies = () => seen.events.map((e) => Buffer.from(e.body).toString()).filter((b) => b !== "probe");
  return seen;
}

/** Sends probe events until `seen` receives one, so its link is known to be attached. */
async function probeUntilLive(producer, partitionId, seen) {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    await producer.sendBatch([{ body: Buffer.from("probe") }], { partitionId });
    const live = () => seen.events.some((e) => Buffer.from(e.body).toString() === "probe");
    if (await waitFor(live, 500)) return;
  }
  throw new Error(`receiver on partition ${partitionId} never saw a probe; errors: ${seen.errors}`);
}

/**
 * A node:test test with its own emulator. The body gets `budgetMs` (less than the runner's
 * timeout) so that on a hang this still stops the emulator and reports its log; clients the
 * body left open are dropped with the emulator's sockets.
 */
function emulatorTest(name, fn, budgetMs = 60000, todo = undefined) {
  const { test } = require("node:test");
  test(name, { timeout: budgetMs + 15000, todo }, async () => {
    const emulator = await startEmulator();
    let timer;
    const overrun = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`test body did not finish within ${budgetMs} ms`)),
        budgetMs);
    });
    try {
      await Promise.race([fn(emulator), overrun]);
    } catch (error) {
      error.message += `\n----- emulator log (tail) -----\n${emulator.logTail()}`;
      throw error;
    } finally {
      clearTimeout(timer);
      await emulator.stop();
    }
  });
}

module.exports = {
  eventHubs, startEmulator, emulatorTest, subscribe, probeUntilLive, waitFor, sleep, WAIT_MS, QUIET_MS, NO_RETRY,
  CLIENT_OPTIONS,
};
