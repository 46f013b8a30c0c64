#!/usr/bin/env node
'use strict';
/*
 * `npm run bench`: what the sagemaker-invoke node itself costs, measured side by side in one run.
 *
 * A loopback SageMaker-compatible server runs in a process of its own (bench/server.js). In this process a real
 * Node-RED runtime runs with this package and the benchmark's own node types (bench/nodes/). With the same flow
 * around them (driver -> node -> sink), the same messages go through:
 *   - node:     sagemaker-invoke (maxInFlight = the concurrency), through its sagemaker-config node;
 *   - baseline: bench-baseline, the thinnest node on the raw SDK (one client, a concurrency limit, JSON in and out);
 * and, for reference, outside Node-RED:
 *   - raw SDK:  a loop of InvokeEndpointCommand on one client;
 *   - raw HTTP: a loop of keep-alive HTTP requests without signing, to a plain server answering the same JSON.
 * Each run is a closed loop keeping exactly `concurrency` messages outstanding. Node and baseline alternate within
 * each repetition (which goes first alternates too); figures are medians over the repetitions.
 *
 * Options: --messages N (per run, default 3000), --concurrency 1,8,64, --reps N (default 5),
 *          --json FILE (default test-artifacts/bench.json), --model-ms N (server think time, default 0),
 *          --only node,baseline (a subset of node, baseline, raw-SDK, raw-HTTP: for profiling with --cpu-prof).
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { spawn } = require('node:child_process');
const { performance } = require('node:perf_hooks');
const { SageMakerRuntimeClient, InvokeEndpointCommand } = require('@aws-sdk/client-sagemaker-runtime');
const { KEYS, REGION, ENDPOINT, hub } = require('./common');

const root = path.join(__dirname, '..');

function options(argv) {
  const o = {
    messages: 3000, concurrency: [1, 8, 64], reps: 5, json: path.join(root, 'test-artifacts', 'bench.json'), modelMs: 0,
    kinds: ['node', 'baseline', 'raw SDK', 'raw HTTP'],
  };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--messages') o.messages = Number(value);
    else if (flag === '--concurrency') o.concurrency = value.split(',').map(Number);
    else if (flag === '--reps') o.reps = Number(value);
    else if (flag === '--json') o.json = path.resolve(value);
    else if (flag === '--model-ms') o.modelMs = Number(value);
    else if (flag === '--only') o.kinds = value.split(',').map((k) => k.replace('-', ' '));
    else if (flag === '--help' || flag === '-h') {
      process.stdout.write(fs.readFileSync(__filename, 'utf8').split('*/')[0].replace(/^[\s\S]*?\/\*/, '') + '\n');
      process.exit(0);
    } else throw new Error(`unknown option ${flag} (see --help)`);
    i += 1;
  }
  for (const c of o.concurrency) if (!Number.isInteger(c) || c < 1 || c > 256) throw new Error('--concurrency takes whole numbers 1-256');
  if (!Number.isInteger(o.messages) || o.messages < 1) throw new Error('--messages must be a whole number');
  return o;
}

/** Starts bench/server.js; resolves its URLs and a stop function. */
function startServer(modelMs) {
  const child = spawn(process.execPath, [path.join(__dirname, 'server.js')], {
    stdio: ['pipe', 'pipe', 'inherit'],
    env: { ...process.env, BENCH_MODEL_MS: String(modelMs) },
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
async function startNodeRed(url, concurrencies) {
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

/** Messages through a node of the deployed flow, each observed at its sink. */
function throughNode(RED, id, messages, concurrency) {
  const node = RED.nodes.getNode(id);
  const waiting = new Map();
  const run = `${id}-${performance.now()}`;
  const onArrive = (msg) => {
    if (msg.benchRun !== run) return;
    const cb = waiting.get(msg.benchSeq);
    waiting.delete(msg.benchSeq);
    cb(msg.payload && msg.payload.id === msg.benchSeq ? undefined : new Error(`wrong answer for ${msg.benchSeq}`));
  };
  hub.on('arrive', onArrive);
  // A failed message would end at done(err) and never reach the sink: fail the run instead of hanging.
  const onError = (err, msg) => {
    if (msg && msg.benchRun === run && waiting.has(msg.benchSeq)) waiting.get(msg.benchSeq)(new Error(String(err)));
  };
  RED.hooks.add(`onComplete.bench-${id}`, (event) => {
    if (event.error) onError(event.error, event.msg);
  });
  return closedLoop(messages, concurrency, (i, cb) => {
    waiting.set(i, cb);
    node.receive({ _msgid: `${run}-${i}`, payload: reading(i), benchRun: run, benchSeq: i });
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

async function main() {
  const o = options(process.argv.slice(2));
  const srv = await startServer(o.modelMs);
  const red = await startNodeRed(srv.url, o.concurrency);
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

    const f = (v, d = 0) => v.toFixed(d);
    const lines = [];
    lines.push(`node-red-contrib-sagemaker-runtime benchmark: ${o.messages} messages per run, median of ${o.reps} repetitions`);
    lines.push(`${os.cpus().length} x ${os.cpus()[0].model.trim()}, Node.js ${process.version}, ${os.platform()} ${os.release()}`);
    lines.push('');
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
    process.stdout.write(`${lines.join('\n')}\n`);
    const report = {
      options: { messages: o.messages, concurrency: o.concurrency, reps: o.reps, modelMs: o.modelMs },
      machine: { cpus: os.cpus().length, model: os.cpus()[0].model.trim(), node: process.version },
      rows,
      ratios,
      targetMet: target,
    };
    fs.mkdirSync(path.dirname(o.json), { recursive: true });
    fs.writeFileSync(o.json, `${JSON.stringify(report, null, 2)}\n`);
    process.stdout.write(`JSON: ${path.relative(process.cwd(), o.json)}\n${JSON.stringify(report)}\n`);
  } finally {
    client.destroy();
    agent.destroy();
    await red.stop();
    await srv.stop();
  }
}

main().catch((err) => {
  process.stderr.write(`${err.stack}\n`);
  process.exit(1);
});
