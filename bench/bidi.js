'use strict';
/*
 * `npm run bench -- --scenario bidi`: bidirectional streams (InvokeEndpointWithBidirectionalStream over HTTP/2)
 * through the sagemaker-bidi node (a real Node-RED runtime, bench/bidi-node.js), and through the operation it calls,
 * openBidiStream (src/bidi/operation.ts) on the config node's HTTP/2 client (src/bidi/client.ts): the SDK's
 * own command, SigV4 and chained event signing, event-stream serde and HTTP/2 handler. The server
 * (bench/bidi-server.js, a process of its own) checks every signature and echoes each part at once, so the model
 * costs nothing and the client is what is measured.
 *
 * For reference, a raw HTTP/2 event-stream loop on the same server (sagemaker-local's test/bidi-client.js: node:http2, the same
 * SignatureV4 signing of the request and of each event, @smithy/core's event-stream codec, no SDK middleware).
 *
 *   - parts/s through one stream, and through 16 streams at once (each its own HTTP/2 session): the operation's
 *     producer pushes as fast as the wire takes parts (InputQueue, maxQueue 100); the node gets messages in a
 *     closed loop with 64 parts outstanding per stream (msg.topic) and the last with msg.complete; until the last
 *     answer is in;
 *   - added latency per part: one part out, its answer back, then the next (a closed loop on one open stream);
 *     p50 and p99 minus the raw loop's (the operation and the raw loop alternate in each repetition);
 *   - heap growth over 100,000 parts through one stream, node and operation: heap used after a full GC at 10,000
 *     answers and at 100,000 (target: flat, under 2 MB).
 *
 * Options: --reps N (default 3), --parts N (throughput, per run, default 20000), --streams N (default 16),
 *          --latency-parts N (default 2000), --heap-parts N (default 100000), --json FILE
 *          (default test-artifacts/bench-bidi.json).
 */
const os = require('node:os');
const path = require('node:path');
const v8 = require('node:v8');
const vm = require('node:vm');
const { spawn } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const { KEYS, REGION, writeReport } = require('./common');
const { ECHO } = require('./bidi-server');

const root = path.join(__dirname, '..');
const { createBidiClient } = require(path.join(root, 'dist/bidi/client'));
const { openBidiStream } = require(path.join(root, 'dist/bidi/operation'));
const { InputQueue } = require(path.join(root, 'dist/bidi/input-queue'));
const { openBidi } = require(path.join(root, 'test/workspace')).serverTestHelper('bidi-client');
const bidiNode = require('./bidi-node');

v8.setFlagsFromString('--expose-gc');
const gc = vm.runInNewContext('gc');

function options(argv) {
  const o = { reps: 3, parts: 20000, streams: 16, latencyParts: 2000, heapParts: 100000, json: path.join(root, 'test-artifacts', 'bench-bidi.json') };
  const flags = { '--reps': 'reps', '--parts': 'parts', '--streams': 'streams', '--latency-parts': 'latencyParts', '--heap-parts': 'heapParts' };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--scenario') continue;
    if (flag === '--json') o.json = path.resolve(value);
    else if (flags[flag]) {
      o[flags[flag]] = Number(value);
      if (!Number.isInteger(o[flags[flag]]) || o[flags[flag]] < 1) throw new Error(`${flag} takes a whole number of at least 1`);
    } else throw new Error(`unknown option ${flag} for the bidi scenario (see the top of bench/bidi.js)`);
  }
  if (o.heapParts <= 10000) throw new Error('--heap-parts must be over 10000 (the first heap sample is at 10,000)');
  return o;
}

function startServer() {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, 'bidi-server.js')], { stdio: ['pipe', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.stdout.once('data', (line) => resolve({ url: JSON.parse(String(line)).url, stop: () => child.stdin.end() }));
  });
}

const reading = (i) => Buffer.from(JSON.stringify({ id: i, values: [0.12, 0.5, 0.93], series: 'pump-1' }));
const part = (i) => ({ bytes: reading(i), dataType: 'UTF8', completionState: 'COMPLETE' });
const UTF8 = { dataType: 'UTF8', completionState: 'COMPLETE' };
const target = { endpointName: ECHO };

/** One stream through openBidiStream: `n` parts pushed as the wire takes them; `onAnswer(count)` per answer. */
async function oursStream(client, n, onAnswer = () => undefined) {
  const input = new InputQueue(100);
  const opening = openBidiStream(client, target, input);
  const producing = (async () => {
    for (let i = 0; i < n; i++) await input.push(part(i));
    input.end();
  })();
  let count = 0;
  for await (const ev of (await opening).events) {
    if (ev.kind !== 'part') throw new Error(`unexpected ${ev.kind}: ${ev.message}`);
    onAnswer(++count);
  }
  await producing;
  if (count !== n) throw new Error(`${count} answers for ${n} parts`);
}

/** One raw stream: `n` parts written as the HTTP/2 stream drains; resolves when all answers are in. */
async function rawStream(url, n) {
  let resolveAll;
  const all = new Promise((r) => (resolveAll = r));
  // The test client hands each answer to onMessage and keeps none, so the count is ours.
  let answers = 0;
  const c = await openBidi(url, ECHO, { credentials: KEYS, region: REGION, onMessage: () => ++answers === n && resolveAll() });
  for (let i = 0; i < n; i++) c.send(reading(i), UTF8);
  await all;
  await c.end();
  await c.done;
  c.close();
}

/** Parts per second through `streams` streams at once, `parts` in all. */
async function throughput(run, parts, streams) {
  const t0 = performance.now();
  await Promise.all(Array.from({ length: streams }, () => run(Math.floor(parts / streams))));
  return (Math.floor(parts / streams) * streams) / ((performance.now() - t0) / 1000);
}

/** Closed-loop round trips on one open stream through openBidiStream: ms per part. */
async function oursLatency(client, n) {
  const input = new InputQueue(1);
  const opening = openBidiStream(client, target, input);
  input.push(part(-1));
  const it = (await opening).events[Symbol.asyncIterator]();
  await it.next(); // the first answer also paid for the connection: not counted
  const ms = [];
  for (let i = 0; i < n; i++) {
    const t0 = performance.now();
    input.push(part(i));
    await it.next();
    ms.push(performance.now() - t0);
  }
  input.end();
  await it.next();
  return ms;
}

/** The same loop on the raw HTTP/2 client. */
async function rawLatency(url, n) {
  let waiter;
  const c = await openBidi(url, ECHO, { credentials: KEYS, region: REGION, onMessage: () => waiter && waiter() });
  const next = () => new Promise((r) => (waiter = r));
  let answered = next();
  c.send(reading(-1), UTF8);
  await answered;
  const ms = [];
  for (let i = 0; i < n; i++) {
    answered = next();
    const t0 = performance.now();
    c.send(reading(i), UTF8);
    await answered;
    ms.push(performance.now() - t0);
  }
  await c.end();
  await c.done;
  c.close();
  return ms;
}

/** Heap used after a full GC at 10,000 answers, half way and at `n` (the end), through one stream. */
async function heapGrowth(n, stream) {
  const samples = {};
  const at = new Set([10000, Math.round((10000 + n) / 2), n]);
  await stream(n, (count) => {
    if (!at.has(count)) return;
    gc();
    samples[count] = process.memoryUsage().heapUsed;
  });
  const marks = Object.keys(samples).map(Number).sort((a, b) => a - b);
  const growthBytes = samples[marks[marks.length - 1]] - samples[marks[0]];
  return { samples, growthBytes, targetMet: growthBytes < 2 * 1024 * 1024 };
}

const WINDOW = 64;

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const pct = (xs, p) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))];
};
const f = (n, d = 0) => n.toLocaleString('en-US', { minimumFractionDigits: d, maximumFractionDigits: d });

async function main(argv) {
  const o = options(argv);
  const srv = await startServer();
  const client = createBidiClient({ region: REGION, bidiEndpointUrl: srv.url, timeout: 60000, credentials: KEYS });
  const rows = { ours1: [], raw1: [], oursN: [], rawN: [], oursP50: [], oursP99: [], rawP50: [], rawP99: [], node1: [], nodeN: [], nodeP50: [], nodeP99: [] };
  const red = await bidiNode.startNodeRed(srv.url, Math.max(16, o.streams));
  const nodeRun = (streams, perStream, window, onAnswer) => bidiNode.closedLoop(red.node, { streams, perStream, window, onAnswer });
  try {
    // Warm up both paths (JIT, connections' code paths) before anything is measured.
    await oursStream(client, 2000);
    await rawStream(srv.url, 2000);
    await nodeRun(1, 2000, WINDOW);
    for (let rep = 0; rep < o.reps; rep++) {
      const oursFirst = rep % 2 === 0;
      const pair = async (ours, raw) => (oursFirst ? [await ours(), await raw()] : [await raw(), await ours()].reverse());
      const [o1, r1] = await pair(() => throughput((n) => oursStream(client, n), o.parts, 1), () => throughput((n) => rawStream(srv.url, n), o.parts, 1));
      const [oN, rN] = await pair(() => throughput((n) => oursStream(client, n), o.parts, o.streams), () => throughput((n) => rawStream(srv.url, n), o.parts, o.streams));
      const [oL, rL] = await pair(() => oursLatency(client, o.latencyParts), () => rawLatency(srv.url, o.latencyParts));
      rows.ours1.push(o1);
      rows.raw1.push(r1);
      rows.oursN.push(oN);
      rows.rawN.push(rN);
      rows.oursP50.push(pct(oL, 50));
      rows.oursP99.push(pct(oL, 99));
      rows.rawP50.push(pct(rL, 50));
      rows.rawP99.push(pct(rL, 99));
      const n1 = await nodeRun(1, o.parts, WINDOW);
      const perStream = Math.floor(o.parts / o.streams);
      const nN = await nodeRun(o.streams, perStream, WINDOW);
      const nL = await nodeRun(1, o.latencyParts, 1);
      rows.node1.push(n1.parts / n1.seconds);
      rows.nodeN.push(nN.parts / nN.seconds);
      rows.nodeP50.push(pct(nL.ms, 50));
      rows.nodeP99.push(pct(nL.ms, 99));
    }
    const heap = await heapGrowth(o.heapParts, (n, onAnswer) => oursStream(client, n, onAnswer));
    const nodeHeap = await heapGrowth(o.heapParts, (n, onAnswer) => nodeRun(1, n, WINDOW, onAnswer));
    const m = Object.fromEntries(Object.entries(rows).map(([k, v]) => [k, median(v)]));
    const report = {
      machine: { cpus: os.cpus().length, model: os.cpus()[0].model.trim(), node: process.version },
      measuredThrough: 'the sagemaker-bidi node (Node-RED runtime), and openBidiStream (src/bidi/operation.ts) on createBidiClient (src/bidi/client.ts)',
      options: o,
      partsPerSecond: {
        streams: o.streams, node: m.node1, nodeManyStreams: m.nodeN, operation: m.ours1, operationManyStreams: m.oursN, raw: m.raw1, rawManyStreams: m.rawN,
      },
      latencyMs: {
        node: { p50: m.nodeP50, p99: m.nodeP99, addedP50: m.nodeP50 - m.rawP50, addedP99: m.nodeP99 - m.rawP99 },
        operation: { p50: m.oursP50, p99: m.oursP99, addedP50: m.oursP50 - m.rawP50, addedP99: m.oursP99 - m.rawP99 },
        raw: { p50: m.rawP50, p99: m.rawP99 },
      },
      heap: { node: nodeHeap, operation: heap },
      targetMet: nodeHeap.targetMet && heap.targetMet,
      repetitions: rows,
    };
    const heapLine = (name, h) => {
      const marks = Object.keys(h.samples).map(Number).sort((a, b) => a - b);
      const at = marks.map((k) => `${f(h.samples[k] / 1048576, 1)} MB at ${f(k)}`).join(', ');
      return `heap after GC, ${name}, ${f(o.heapParts)} parts in one stream: ${at}; growth ${f(h.growthBytes / 1024)} KB (${h.targetMet ? 'flat: target met' : 'TARGET MISSED: over 2 MB'})`;
    };
    const lines = [
      `bidi streams: the sagemaker-bidi node, openBidiStream, and a raw HTTP/2 event-stream loop, median of ${o.reps} repetitions`,
      `${os.cpus().length} x ${report.machine.model}, Node.js ${process.version}`,
      '',
      `| | node | openBidiStream | raw HTTP/2 | node/raw | op/raw |`,
      `|---|---:|---:|---:|---:|---:|`,
      `| parts/s, 1 stream (${f(o.parts)} parts) | ${f(m.node1)} | ${f(m.ours1)} | ${f(m.raw1)} | ${f(m.node1 / m.raw1, 2)} | ${f(m.ours1 / m.raw1, 2)} |`,
      `| parts/s, ${o.streams} streams (${f(o.parts)} parts in all) | ${f(m.nodeN)} | ${f(m.oursN)} | ${f(m.rawN)} | ${f(m.nodeN / m.rawN, 2)} | ${f(m.oursN / m.rawN, 2)} |`,
      `| round trip p50 / p99 ms (${f(o.latencyParts)} parts, one at a time) | ${f(m.nodeP50, 3)} / ${f(m.nodeP99, 3)} | ${f(m.oursP50, 3)} / ${f(m.oursP99, 3)} | ${f(m.rawP50, 3)} / ${f(m.rawP99, 3)} | | |`,
      `| added p50 / p99 ms against raw | ${f(m.nodeP50 - m.rawP50, 3)} / ${f(m.nodeP99 - m.rawP99, 3)} | ${f(m.oursP50 - m.rawP50, 3)} / ${f(m.oursP99 - m.rawP99, 3)} | | | |`,
      '',
      heapLine('node', nodeHeap),
      heapLine('openBidiStream', heap),
    ];
    writeReport(lines, report, o.json);
  } finally {
    await red.stop();
    client.destroy();
    srv.stop();
  }
}

module.exports = { main };
