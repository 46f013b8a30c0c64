#!/usr/bin/env node
'use strict';
/*
 * `npm run bench`: what the sagemaker-invoke node itself costs, and what micro-batching gains, measured side by side
 * in one run.
 *
 * A loopback SageMaker-compatible server runs in a process of its own (bench/server.js). In this process a real
 * Node-RED runtime runs with this package and the benchmark's own node types (bench/nodes/).
 *
 * Scenario "overhead": with the same flow around them (driver -> node -> sink), the same messages go through:
 *   - node:     sagemaker-invoke (maxInFlight = the concurrency), through its sagemaker-config node;
 *   - baseline: bench-baseline, the thinnest node on the raw SDK (one client, a concurrency limit, JSON in and out);
 * and, for reference, outside Node-RED:
 *   - raw SDK:  a loop of InvokeEndpointCommand on one client;
 *   - raw HTTP: a loop of keep-alive HTTP requests without signing, to a plain server answering the same JSON.
 * Each run is a closed loop keeping exactly `concurrency` messages outstanding. Node and baseline alternate within
 * each repetition (which goes first alternates too); figures are medians over the repetitions.
 *
 * Scenario "batching": one sagemaker-invoke node per batch size (batchFormat csv, contentType text/csv, output
 * text, the same maxInFlight and batchWindow for all) against bench-batch-model, a CSV model taking a fixed
 * --batch-model-ms per request plus --batch-row-ms per row. Each msg.payload is one CSV row `id,v1,v2,v3,v4`; the
 * model answers one `id,score` line per row, and each msg must come out with its own id (a wrong or failed message
 * fails the run). Each run is a closed loop keeping maxInFlight x batchSize messages outstanding: exactly enough to
 * fill every batch at once and keep every request slot busy. Fewer would leave batches waiting out batchWindow
 * half full (measuring the window, not the node); more would only queue messages behind busy slots (latency then
 * measures the driver's own backlog, by Little's law). Sizes run one after the other within each repetition, in
 * alternating order; figures are medians over the repetitions, and msg/s is compared with batchSize 1 repetition by
 * repetition. Latency is input to output: node.receive() to arrival at the sink.
 * Target: msg/s at batchSize 32 at least 20x that at batchSize 1, and p99 under batchWindow + 2 x batch-model-ms
 * at the sizes of --latency-at (default 32; every size's p99 is shown against the same limit).
 *
 * Scenarios "bidi" (bidirectional streams over HTTP/2, bench/bidi.js) and "async" (messages waiting for async
 * results, bench/async.js) run on their own, not as part of "all".
 *
 * Options: --scenario overhead|batching|all|async|bidi (default all), --reps N (default 5, both scenarios),
 *          --json FILE (default test-artifacts/bench.json),
 *   overhead:
 *          --messages N (per run, default 3000), --concurrency 1,8,64, --model-ms N (server think time, default 0),
 *          --only node,baseline (a subset of node, baseline, raw-SDK, raw-HTTP: for profiling with --cpu-prof).
 *   batching:
 *          --batch-sizes 1,8,32,128 (1 must be among them: the reference), --max-in-flight N (default 8),
 *          --batch-window MS (default 50), --batch-model-ms MS (default 20), --batch-row-ms MS (default 0.02),
 *          --batch-rounds N (messages per run = N x maxInFlight x batchSize, i.e. about N model calls per request
 *          slot, so each run lasts at least N x batch-model-ms; default 125, about 2.5 s),
 *          --batch-messages N or N1,N2,... (a fixed count per run instead, one for all sizes or one per size),
 *          --latency-at 32 or 8,32,128 (the sizes whose p99 the target checks; default 32).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { spawn } = require('node:child_process');
const { performance, monitorEventLoopDelay, PerformanceObserver } = require('node:perf_hooks');
const { SageMakerRuntimeClient, InvokeEndpointCommand } = require('@aws-sdk/client-sagemaker-runtime');
const { KEYS, REGION, ENDPOINT, BATCH_ENDPOINT, hub } = require('./common');

const root = path.join(__dirname, '..');

function options(argv) {
  const o = {
    messages: 3000, concurrency: [1, 8, 64], reps: 5, json: path.join(root, 'test-artifacts', 'bench.json'), modelMs: 0,
    kinds: ['node', 'baseline', 'raw SDK', 'raw HTTP'],
    scenario: 'all',
    batchSizes: [1, 8, 32, 128], maxInFlight: 8, batchWindow: 50, batchModelMs: 20, batchRowMs: 0.02, batchRounds: 125,
    batchMessages: undefined, latencyAt: [32],
  };
  const list = (value) => String(value).split(',').map(Number);
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--messages') o.messages = Number(value);
    else if (flag === '--concurrency') o.concurrency = value.split(',').map(Number);
    else if (flag === '--reps') o.reps = Number(value);
    else if (flag === '--json') o.json = path.resolve(value);
    else if (flag === '--model-ms') o.modelMs = Number(value);
    else if (flag === '--only') o.kinds = value.split(',').map((k) => k.replace('-', ' '));
    else if (flag === '--scenario') o.scenario = value;
    else if (flag === '--batch-sizes') o.batchSizes = list(value);
    else if (flag === '--max-in-flight') o.maxInFlight = Number(value);
    else if (flag === '--batch-window') o.batchWindow = Number(value);
    else if (flag === '--batch-model-ms') o.batchModelMs = Number(value);
    else if (flag === '--batch-row-ms') o.batchRowMs = Number(value);
    else if (flag === '--batch-rounds') o.batchRounds = Number(value);
    else if (flag === '--batch-messages') o.batchMessages = list(value);
    else if (flag === '--latency-at') o.latencyAt = list(value);
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^[\s\S]*?\/\*/, '') + '\n');
      process.exit(0);
    } else throw new Error(`unknown option ${flag} (see --help)`);
    i += 1;
  }
  for (const c of o.concurrency) if (!Number.isInteger(c) || c < 1 || c > 256) throw new Error('--concurrency takes whole numbers 1-256');
  if (!Number.isInteger(o.messages) || o.messages < 1) throw new Error('--messages must be a whole number');
  if (!['overhead', 'batching', 'all'].includes(o.scenario)) throw new Error('--scenario takes overhead, batching, all, async or bidi');
  for (const b of o.batchSizes) if (!Number.isInteger(b) || b < 1 || b > 1000) throw new Error('--batch-sizes takes whole numbers 1-1000');
  if (!o.batchSizes.includes(1)) throw new Error('--batch-sizes must include 1 (the reference)');
  if (!Number.isInteger(o.maxInFlight) || o.maxInFlight < 1 || o.maxInFlight > 256) throw new Error('--max-in-flight takes a whole number 1-256');
  if (!Number.isInteger(o.batchWindow) || o.batchWindow < 0) throw new Error('--batch-window takes a whole number of ms');
  if (!(o.batchModelMs >= 0) || !(o.batchRowMs >= 0)) throw new Error('--batch-model-ms and --batch-row-ms take numbers >= 0');
  if (!Number.isInteger(o.batchRounds) || o.batchRounds < 1) throw new Error('--batch-rounds must be a whole number');
  if (o.batchMessages) {
    if (o.batchMessages.length !== 1 && o.batchMessages.length !== o.batchSizes.length) throw new Error('--batch-messages takes one count or one per batch size');
    for (const n of o.batchMessages) if (!Number.isInteger(n) || n < 1) throw new Error('--batch-messages takes whole numbers');
  }
  for (const b of o.latencyAt) if (!o.batchSizes.includes(b)) throw new Error(`--latency-at ${b} is not among --batch-sizes`);
  /** messages per run at each batch size */
  o.batchCount = (b) => (o.batchMessages ? o.batchMessages[o.batchMessages.length === 1 ? 0 : o.batchSizes.indexOf(b)] : o.batchRounds * o.maxInFlight * b);
  return o;
}

/** Starts bench/server.js; resolves its URLs and a stop function. */
function startServer(o) {
  const child = spawn(process.execPath, [path.join(__dirname, 'server.js')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_MODEL_MS: String(o.modelMs), BENCH_BATCH_MODEL_MS: String(o.batchModelMs), BENCH_BATCH_ROW_MS: String(o.batchRowMs) },
  });
  return new Promise((resolve, reject) => {
    let out = '';
    child.once('exit', (code) => reject(new Error(`bench server exited (${code})`)));
    child.stdout.on('data', (chunk) => {
      out += chunk;
      const nl = out.indexOf('\n');
      if (nl < 0) return;
      child.removeAllListeners('exit');
      resolve({ ...JSON.parse(out.slice(0, nl)), stop: () => new Promise((r) => { child.once('exit', r); child.stdin.end(); }) });
    });
  });
}

/** Starts Node-RED in this process with this package and the benchmark's nodes; deploys the flow. */
async function startNodeRed(url, concurrencies, batching) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sagemaker-bench-'));
  fs.mkdirSync(path.join(userDir, 'node_modules'));
  fs.symlinkSync(root, path.join(userDir, 'node_modules', 'node-red-contrib-sagemaker-runtime'), 'dir');
  const flow = [{ id: 'bench-tab', type: 'tab', label: 'bench' }];
  flow.push({
    id: 'bench-config', type: 'sagemaker-config', name: '', region: REGION, endpointUrl: url, authMode: 'keys',
    maxAttempts: 3, retryMode: 'standard', timeout: 70000,
  });
  for (const c of concurrencies) {
    flow.push({
      id: `node-${c}`, type: 'sagemaker-invoke', z: 'bench-tab', config: 'bench-config', endpointName: ENDPOINT,
      contentType: 'application/json', maxInFlight: c, maxQueue: 1000, wires: [[`sink-node-${c}`]],
    });
    flow.push({ id: `sink-node-${c}`, type: 'bench-sink', z: 'bench-tab', wires: [] });
    flow.push({ id: `baseline-${c}`, type: 'bench-baseline', z: 'bench-tab', endpointUrl: url, concurrency: c, wires: [[`sink-baseline-${c}`]] });
    flow.push({ id: `sink-baseline-${c}`, type: 'bench-sink', z: 'bench-tab', wires: [] });
  }
  for (const b of batching ? batching.batchSizes : []) {
    // maxQueue counts waiting messages and must be at least batchSize: room for everything the loop keeps outstanding.
    flow.push({
      id: `batch-${b}`, type: 'sagemaker-invoke', z: 'bench-tab', config: 'bench-config', endpointName: BATCH_ENDPOINT,
      contentType: 'text/csv', accept: 'text/csv', output: 'text', maxInFlight: batching.maxInFlight,
      maxQueue: Math.max(1000, 2 * batching.maxInFlight * b), batchSize: b, batchWindow: batching.batchWindow,
      batchFormat: 'csv', batchKey: '', wires: [[`sink-batch-${b}`]],
    });
    flow.push({ id: `sink-batch-${b}`, type: 'bench-sink', z: 'bench-tab', wires: [] });
  }
  // The flow and its credentials as files (credentialSecret false: stored as plain JSON in this temporary folder).
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow));
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify({ 'bench-config': { ...KEYS } }));
  const RED = require('node-red');
  const server = http.createServer();
  RED.init(server, {
    userDir,
    nodesDir: [path.join(__dirname, 'nodes')],
    httpAdminRoot: false,
    httpNodeRoot: false,
    disableEditor: true,
    credentialSecret: false,
    flowFile: 'flows.json',
    logging: { console: { level: 'warn', metrics: false, audit: false } },
    editorTheme: { projects: { enabled: false } },
  });
  await RED.start();
  // The flows start just after start() resolves.
  for (let i = 0; i < 100 && !flow.every((n) => n.type === 'tab' || RED.nodes.getNode(n.id)); i++) await new Promise((r) => setTimeout(r, 50));
  for (const node of flow.filter((n) => n.type !== 'tab')) {
    if (!RED.nodes.getNode(node.id)) throw new Error(`node ${node.id} (${node.type}) did not start: is the package built?`);
  }
  return {
    RED,
    stop: async () => {
      await RED.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

/** A sensor reading, as an IoT flow would send it. */
const reading = (id) => ({ id, series: `pump-${id % 16}`, values: [0.42, 0.51, 0.47, (id % 100) / 100] });

/**
 * A closed loop: `send(i, onDone)` starts message i; each completion starts the next until `messages` are done.
 * Returns msgs/s, latencies and the peak RSS seen.
 */
function closedLoop(messages, concurrency, send) {
  return new Promise((resolve, reject) => {
    const latency = new Float64Array(messages);
    let started = 0;
    let finished = 0;
    let peakRss = process.memoryUsage.rss();
    const cpu0 = process.cpuUsage();
    const sampler = setInterval(() => { peakRss = Math.max(peakRss, process.memoryUsage.rss()); }, 20);
    const t0 = performance.now();
    const next = () => {
      const i = started++;
      const begin = performance.now();
      send(i, (err) => {
        if (err) {
          clearInterval(sampler);
          reject(err);
          return;
        }
        latency[i] = performance.now() - begin;
        finished += 1;
        if (started < messages) next();
        else if (finished === messages) {
          const elapsed = (performance.now() - t0) / 1000;
          const cpu = process.cpuUsage(cpu0);
          clearInterval(sampler);
          latency.sort();
          resolve({
            perSecond: messages / elapsed,
            seconds: elapsed,
            p50: latency[Math.floor(messages * 0.5)],
            p99: latency[Math.min(messages - 1, Math.floor(messages * 0.99))],
            peakRssMb: Math.max(peakRss, process.memoryUsage.rss()) / 1024 / 1024,
            cpuUsPerMessage: (cpu.user + cpu.system) / messages,
          });
        }
      });
    };
    for (let k = 0; k < Math.min(concurrency, messages); k++) next();
  });
}

/** The overhead scenario's messages: a reading in, its scored JSON (with the same id) out. */
const readingIo = {
  payload: reading,
  check: (msg, i) => (msg.payload && msg.payload.id === i ? undefined : new Error(`wrong answer for ${i}`)),
};

/**
 * Messages through a node of the deployed flow, each observed at its sink. `io.payload(i)` makes message i's
 * msg.payload; `io.check(msg, i)` returns an Error when the msg that arrives is not message i's right answer.
 */
function throughNode(RED, id, messages, concurrency, io = readingIo) {
  const node = RED.nodes.getNode(id);
  const waiting = new Map();
  const run = `${id}-${performance.now()}`;
  const onArrive = (msg) => {
    if (msg.benchRun !== run) return;
    const cb = waiting.get(msg.benchSeq);
    waiting.delete(msg.benchSeq);
    cb(io.check(msg, msg.benchSeq));
  };
  hub.on('arrive', onArrive);
  // A failed message would end at done(err) and never reach the sink: fail the run instead of hanging.
  const onError = (err, msg) => {
    if (msg && msg.benchRun === run && waiting.has(msg.benchSeq)) {
      const why = msg.sagemaker && msg.sagemaker.error ? ` (msg.sagemaker.error: ${JSON.stringify(msg.sagemaker.error)})` : '';
      waiting.get(msg.benchSeq)(new Error(`${id}: message ${msg.benchSeq} failed: ${String(err)}${why}`));
    }
  };
  RED.hooks.add(`onComplete.bench-${id}`, (event) => {
    if (event.error) onError(event.error, event.msg);
  });
  return closedLoop(messages, concurrency, (i, cb) => {
    waiting.set(i, cb);
    node.receive({ _msgid: `${run}-${i}`, payload: io.payload(i), benchRun: run, benchSeq: i });
  }).finally(() => {
    hub.off('arrive', onArrive);
    RED.hooks.remove(`onComplete.bench-${id}`);
  });
}

function rawSdk(client, messages, concurrency) {
  return closedLoop(messages, concurrency, (i, cb) => {
    client
      .send(new InvokeEndpointCommand({ EndpointName: ENDPOINT, ContentType: 'application/json', Body: JSON.stringify(reading(i)) }))
      .then((out) => {
        const answer = JSON.parse(Buffer.from(out.Body).toString('utf8'));
        cb(answer.id === i ? undefined : new Error('wrong answer'));
      }, cb);
  });
}

function rawHttp(url, agent, messages, concurrency) {
  const target = new URL('/invocations', url);
  return closedLoop(messages, concurrency, (i, cb) => {
    const body = JSON.stringify(reading(i));
    const req = http.request(target, { method: 'POST', agent, headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const answer = JSON.parse(Buffer.concat(chunks).toString('utf8'));
        cb(answer.id === i ? undefined : new Error('wrong answer'));
      });
    });
    req.on('error', cb);
    req.end(body);
  });
}

const median = (values) => {
  const s = [...values].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Rows `id,v1,v2,v3,v4` in, `id,score` lines out; counts the requests (batches) the messages went in. */
function csvIo(stats) {
  return {
    payload: (i) => `${i},0.42,0.51,0.47,${(i % 100) / 100}`,
    check: (msg, i) => {
      const batch = msg.sagemaker && msg.sagemaker.batch;
      if (!batch || batch.index === 0) stats.requests += 1;
      const p = msg.payload;
      if (typeof p === 'string' && p.startsWith(`${i},`) && !p.includes('\n')) return undefined;
      return new Error(`wrong answer for message ${i}: ${JSON.stringify(p)} (msg.sagemaker.batch ${JSON.stringify(batch)})`);
    },
  };
}

const f = (v, d = 0) => v.toFixed(d);

/** The overhead scenario: node, baseline, raw SDK and raw HTTP at each concurrency. */
async function runOverhead(o, red, srv) {
  const client = new SageMakerRuntimeClient({ region: REGION, endpoint: srv.url, credentials: KEYS });
  const agent = new http.Agent({ keepAlive: true, maxSockets: 256 });
  const kinds = {
    node: (c, n) => throughNode(red.RED, `node-${c}`, n, c),
    baseline: (c, n) => throughNode(red.RED, `baseline-${c}`, n, c),
    'raw SDK': (c, n) => rawSdk(client, n, c),
    'raw HTTP': (c, n) => rawHttp(srv.rawUrl, agent, n, c),
  };
  try {
    process.stderr.write(`warming up (${Object.keys(kinds).length} kinds x ${o.concurrency.length} concurrencies)\n`);
    for (const c of o.concurrency) for (const kind of o.kinds) await kinds[kind](c, Math.min(500, o.messages));

    const samples = {}; // samples[c][kind] = [result per rep]
    for (const c of o.concurrency) samples[c] = Object.fromEntries(o.kinds.map((k) => [k, []]));
    for (let rep = 0; rep < o.reps; rep++) {
      for (const c of o.concurrency) {
        const order = (rep % 2 === 0 ? ['node', 'baseline', 'raw SDK', 'raw HTTP'] : ['baseline', 'node', 'raw HTTP', 'raw SDK']).filter((k) => o.kinds.includes(k));
        for (const kind of order) samples[c][kind].push(await kinds[kind](c, o.messages));
        process.stderr.write(`rep ${rep + 1}/${o.reps} concurrency ${c}: ${o.kinds.map((k) => `${k} ${samples[c][k].at(-1).perSecond.toFixed(0)}/s`).join(', ')}\n`);
      }
    }

    const rows = [];
    const ratios = [];
    for (const c of o.concurrency) {
      const med = {};
      for (const kind of o.kinds) {
        const list = samples[c][kind];
        med[kind] = {
          perSecond: median(list.map((r) => r.perSecond)),
          p50: median(list.map((r) => r.p50)),
          p99: median(list.map((r) => r.p99)),
          peakRssMb: Math.max(...list.map((r) => r.peakRssMb)),
          cpuUsPerMessage: median(list.map((r) => r.cpuUsPerMessage)),
        };
        rows.push({ concurrency: c, kind, ...med[kind] });
      }
      if (!o.kinds.includes('node') || !o.kinds.includes('baseline')) continue;
      const pairs = samples[c].node.map((r, i) => r.perSecond / samples[c].baseline[i].perSecond);
      ratios.push({
        concurrency: c,
        cpuAddedUsPerMessage: med.node.cpuUsPerMessage - med.baseline.cpuUsPerMessage,
        nodeOverBaseline: median(pairs),
        nodeOverBaselinePerRep: pairs,
        nodeOverRawSdk: med['raw SDK'] ? med.node.perSecond / med['raw SDK'].perSecond : NaN,
        addedP50Ms: med.node.p50 - med.baseline.p50,
        addedP99Ms: med.node.p99 - med.baseline.p99,
      });
    }

    const lines = [];
    lines.push('| concurrency | kind | msg/s | p50 ms | p99 ms | CPU µs/msg (this process) | peak RSS MB |');
    lines.push('|---:|---|---:|---:|---:|---:|---:|');
    for (const r of rows) lines.push(`| ${r.concurrency} | ${r.kind} | ${f(r.perSecond)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${f(r.cpuUsPerMessage)} | ${f(r.peakRssMb)} |`);
    lines.push('');
    lines.push('| concurrency | node/baseline | node/raw SDK | added p50 ms | added p99 ms | added CPU µs/msg | node/baseline per repetition |');
    lines.push('|---:|---:|---:|---:|---:|---:|---|');
    for (const r of ratios) {
      lines.push(`| ${r.concurrency} | ${f(r.nodeOverBaseline, 3)} | ${f(r.nodeOverRawSdk, 3)} | ${f(r.addedP50Ms, 3)} | ${f(r.addedP99Ms, 3)} | ${f(r.cpuAddedUsPerMessage)} | ${r.nodeOverBaselinePerRep.map((x) => f(x, 3)).join(' ')} |`);
    }
    const target = ratios.every((r) => r.nodeOverBaseline >= 0.95);
    lines.push('');
    lines.push(`target node/baseline >= 0.95 at every concurrency: ${target ? 'met' : 'NOT met'}`);
    return {
      lines,
      report: {
        options: { messages: o.messages, concurrency: o.concurrency, reps: o.reps, modelMs: o.modelMs },
        rows,
        ratios,
        overheadTargetMet: target,
      },
    };
  } finally {
    client.destroy();
    agent.destroy();
  }
}

/** The batching scenario: one sagemaker-invoke node per batch size, the same maxInFlight, against the CSV model. */
async function runBatching(o, red) {
  const sizes = o.batchSizes;
  const limitMs = o.batchWindow + 2 * o.batchModelMs;
  const once = async (b, n) => {
    const stats = { requests: 0 };
    // What this process's stalls cost, to tell a slow node from a busy machine: event-loop delay and GC pauses.
    // (The histogram holds whole sampling intervals: the 5 ms interval is taken off.)
    const loop = monitorEventLoopDelay({ resolution: 5 });
    const gc = { ms: 0, max: 0 };
    const gcObserver = new PerformanceObserver((list) => {
      for (const e of list.getEntries()) {
        gc.ms += e.duration;
        gc.max = Math.max(gc.max, e.duration);
      }
    });
    gcObserver.observe({ entryTypes: ['gc'] });
    loop.enable();
    try {
      const r = await throughNode(red.RED, `batch-${b}`, n, o.maxInFlight * b, csvIo(stats));
      return { ...r, meanBatch: n / stats.requests, loopP99Ms: Math.max(0, loop.percentile(99) / 1e6 - 5), loopMaxMs: Math.max(0, loop.max / 1e6 - 5), gcMsPerS: gc.ms / r.seconds, gcMaxMs: gc.max };
    } finally {
      loop.disable();
      gcObserver.disconnect();
    }
  };
  process.stderr.write(`batching: warming up (${sizes.length} batch sizes)\n`);
  for (const b of sizes) await once(b, Math.min(o.batchCount(b), 25 * o.maxInFlight * b));

  const samples = Object.fromEntries(sizes.map((b) => [b, []]));
  for (let rep = 0; rep < o.reps; rep++) {
    const order = rep % 2 === 0 ? sizes : [...sizes].reverse();
    for (const b of order) samples[b].push(await once(b, o.batchCount(b)));
    process.stderr.write(`batching rep ${rep + 1}/${o.reps}: ${sizes.map((b) => `${b}: ${samples[b].at(-1).perSecond.toFixed(0)}/s p99 ${samples[b].at(-1).p99.toFixed(1)} ms`).join(', ')}\n`);
  }

  const rows = sizes.map((b) => {
    const list = samples[b];
    const perRep = list.map((r, i) => r.perSecond / samples[1][i].perSecond);
    return {
      batchSize: b,
      messages: o.batchCount(b),
      outstanding: o.maxInFlight * b,
      seconds: median(list.map((r) => r.seconds)),
      perSecond: median(list.map((r) => r.perSecond)),
      overBatch1: median(perRep),
      overBatch1PerRep: perRep,
      p50: median(list.map((r) => r.p50)),
      p99: median(list.map((r) => r.p99)),
      p99LimitMs: limitMs,
      p99UnderLimit: median(list.map((r) => r.p99)) < limitMs,
      meanBatch: median(list.map((r) => r.meanBatch)),
      cpuUsPerMessage: median(list.map((r) => r.cpuUsPerMessage)),
      peakRssMb: Math.max(...list.map((r) => r.peakRssMb)),
      eventLoopDelayP99Ms: median(list.map((r) => r.loopP99Ms)),
      eventLoopDelayMaxMs: median(list.map((r) => r.loopMaxMs)),
      gcMsPerS: median(list.map((r) => r.gcMsPerS)),
      gcMaxPauseMs: median(list.map((r) => r.gcMaxMs)),
    };
  });
  const at = (b) => rows.find((r) => r.batchSize === b);
  const throughputOk = at(32) ? at(32).overBatch1 >= 20 : undefined;
  const latencyOk = o.latencyAt.every((b) => at(b).p99UnderLimit);
  const targetMet = throughputOk === true && latencyOk;

  const lines = [];
  lines.push(`batching: maxInFlight ${o.maxInFlight}, batchWindow ${o.batchWindow} ms, batchFormat csv; model ${o.batchModelMs} ms per request + ${o.batchRowMs} ms per row; median of ${o.reps} repetitions`);
  lines.push('');
  lines.push('| batchSize | messages per run | outstanding | s per run | msg/s | × batchSize 1 | p50 ms | p99 ms | p99 < ' + limitMs + ' ms | messages per request | CPU µs/msg (this process) | event-loop delay p99 / max ms (this process) | GC ms per s / longest ms | peak RSS MB | × batchSize 1 per repetition |');
  lines.push('|---:|---:|---:|---:|---:|---:|---:|---:|:-:|---:|---:|---:|---:|---:|---|');
  for (const r of rows) {
    lines.push(`| ${r.batchSize} | ${r.messages} | ${r.outstanding} | ${f(r.seconds, 1)} | ${f(r.perSecond)} | ${f(r.overBatch1, 2)} | ${f(r.p50, 2)} | ${f(r.p99, 2)} | ${r.p99UnderLimit ? 'yes' : 'no'} | ${f(r.meanBatch, 1)} | ${f(r.cpuUsPerMessage)} | ${f(r.eventLoopDelayP99Ms, 1)} / ${f(r.eventLoopDelayMaxMs, 1)} | ${f(r.gcMsPerS, 1)} / ${f(r.gcMaxPauseMs, 1)} | ${f(r.peakRssMb)} | ${r.overBatch1PerRep.map((x) => f(x, 1)).join(' ')} |`);
  }
  lines.push('');
  lines.push(`target msg/s at batchSize 32 >= 20 x batchSize 1: ${throughputOk === undefined ? 'not measured (32 not among --batch-sizes)' : `${throughputOk ? 'met' : 'NOT met'} (${f(at(32).overBatch1, 2)} x)`}`);
  lines.push(`target p99 < batchWindow + 2 x model = ${limitMs} ms at batchSize ${o.latencyAt.join(', ')}: ${latencyOk ? 'met' : 'NOT met'} (${o.latencyAt.map((b) => `${f(at(b).p99, 1)} ms at ${b}`).join(', ')})`);
  return {
    lines,
    report: {
      options: { batchSizes: sizes, maxInFlight: o.maxInFlight, batchWindow: o.batchWindow, batchModelMs: o.batchModelMs, batchRowMs: o.batchRowMs, reps: o.reps, latencyAt: o.latencyAt },
      rows,
      p99LimitMs: limitMs,
      throughputTargetMet: throughputOk,
      latencyTargetMet: latencyOk,
      targetMet,
    },
  };
}

async function main() {
  const argv = process.argv.slice(2);
  const o = options(argv);
  const overhead = o.scenario !== 'batching';
  const batching = o.scenario !== 'overhead';
  const srv = await startServer(o);
  const red = await startNodeRed(srv.url, overhead ? o.concurrency : [], batching ? o : undefined);
  try {
    const lines = [];
    lines.push(`node-red-contrib-sagemaker-runtime benchmark${overhead ? `: ${o.messages} messages per run` : ''}, median of ${o.reps} repetitions`);
    lines.push(`${os.cpus().length} x ${os.cpus()[0].model.trim()}, Node.js ${process.version}, ${os.platform()} ${os.release()}`);
    const report = { machine: { cpus: os.cpus().length, model: os.cpus()[0].model.trim(), node: process.version } };
    if (overhead) {
      const out = await runOverhead(o, red, srv);
      lines.push('', ...out.lines);
      Object.assign(report, out.report);
    }
    if (batching) {
      const out = await runBatching(o, red);
      lines.push('', ...out.lines);
      report.batching = out.report;
    }
    report.targetMet = (!overhead || report.overheadTargetMet) && (!batching || report.batching.targetMet);
    process.stdout.write(`${lines.join('\n')}\n`);
    fs.mkdirSync(path.dirname(o.json), { recursive: true });
    fs.writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`JSON: ${path.relative(process.cwd(), o.json)}\n${JSON.stringify(report)}\n`);
  } finally {
    await red.stop();
    await srv.stop();
  }
}

// The scenarios that run on their own, each in its own file: bidirectional streams over HTTP/2 and async results.
const SEPARATE = { bidi: './bidi', async: './async' };
const argv = process.argv.slice(2);
const separate = SEPARATE[argv[argv.indexOf('--scenario') + 1]];
(separate && argv.includes('--scenario') ? require(separate).main(argv) : main()).catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
