'use strict';
/*
 * Scenario "async" (`npm run bench -- --scenario async`): messages waiting for async results.
 *
 * sagemaker-local runs in a process of its own (this file with --async-server): an async endpoint whose demo model
 * answers --async-delay-ms (default 2000) after each call, and its S3 API on the same port. In this process a real
 * Node-RED runtime runs one sagemaker-invoke node (mode async, asyncResult wait, maxInFlight 64) and a sink.
 * --async-messages (default 1000) messages go in at once; each must come out with its own result.
 *
 * Reported: S3 requests per result (counted in the server's log) and the peak S3 request rate in any one-second
 * window (as the requests arrive at a relay process in front of the server's S3 API; against the config node's
 * ceiling, s3MaxRequestRate, default 50), the heap per waiting message (msg included,
 * measured after a GC once all wait), and the delay between a result object appearing in S3 (the server's log line
 * after it stored it, on the same machine's clock) and its msg arriving at the sink: median and p99.
 * Target: at most 10 S3 requests per result, the peak never above the ceiling.
 */
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const v8 = require('node:v8');
const vm = require('node:vm');
const { fork } = require('node:child_process');
const { KEYS, REGION, hub, writeReport } = require('./common');

const root = path.join(__dirname, '..');
const ENDPOINT = 'bench-async';
const BUCKET = 'bench-results';

function options(argv) {
  const o = { messages: 1000, delayMs: 2000, rate: 50, maxInFlight: 64, json: path.join(root, 'test-artifacts', 'bench-async.json') };
  for (let i = 0; i < argv.length; i++) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (flag === '--async-messages') o.messages = Number(value);
    else if (flag === '--async-delay-ms') o.delayMs = Number(value);
    else if (flag === '--s3-rate') o.rate = Number(value);
    else if (flag === '--json') o.json = path.resolve(value);
    else continue;
    i += 1;
  }
  return o;
}

/** The child: sagemaker-local with one async endpoint; every log line goes to the parent with its time. */
async function serverMain() {
  const { startLocalServer, validateConfig } = require('sagemaker-local');
  const delayMs = Number(process.argv[3]);
  const config = validateConfig({
    port: 0,
    credentials: [KEYS],
    endpoints: {
      [ENDPOINT]: { model: 'demo', async: { outputPath: `s3://${BUCKET}/out/`, failurePath: `s3://${BUCKET}/fail/`, delayMs, maxConcurrentInvocations: 1000 } },
    },
    s3: { buckets: [BUCKET] },
    log: true,
  });
  const local = await startLocalServer(config, { log: (line) => process.send({ line, at: Date.now() }) });
  process.send({ url: local.url });
}

/**
 * The relay: a process of its own between the node and the server's S3 API that only passes bytes on and notes when
 * each S3 request arrives. The server's own log times requests by its event loop, which the model and 1,000 calls
 * keep busy: requests that came spaced would look bunched there.
 */
function relayMain(targetPort) {
  const net = require('node:net');
  const arrivals = [];
  const server = net.createServer((socket) => {
    const target = net.connect(Number(targetPort), '127.0.0.1');
    socket.on('data', (chunk) => {
      if (/^(GET|HEAD|PUT) /.test(chunk.toString('latin1', 0, 5))) arrivals.push(Date.now());
    });
    socket.pipe(target).pipe(socket);
    socket.on('error', () => target.destroy());
    target.on('error', () => socket.destroy());
  });
  server.listen(0, '127.0.0.1', () => process.send({ url: `http://127.0.0.1:${server.address().port}` }));
  process.on('message', (m) => {
    if (m === 'arrivals') process.send({ arrivals });
  });
}

function startRelay(url) {
  const child = fork(__filename, ['--async-relay', new URL(url).port], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  return new Promise((resolve) => {
    child.once('message', (m) => resolve({
      url: m.url,
      arrivals: () => new Promise((r) => { child.once('message', (a) => r(a.arrivals)); child.send('arrivals'); }),
      stop: () => new Promise((r) => { child.once('exit', r); child.kill(); }),
    }));
  });
}

function startServer(o) {
  const child = fork(__filename, ['--async-server', String(o.delayMs)], { stdio: ['ignore', 'ignore', 'inherit', 'ipc'] });
  const lines = [];
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`the async server exited with ${code}`)));
    child.on('message', (m) => {
      if (m.url) resolve({ url: m.url, lines, stop: () => new Promise((r) => { child.once('exit', r); child.kill(); }) });
      else lines.push(m);
    });
  });
}

async function startNodeRed(url, s3Url, o) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sagemaker-bench-async-'));
  fs.mkdirSync(path.join(userDir, 'node_modules'));
  fs.symlinkSync(root, path.join(userDir, 'node_modules', 'node-red-contrib-sagemaker-runtime'), 'dir');
  const flow = [
    { id: 'bench-tab', type: 'tab', label: 'bench' },
    {
      id: 'bench-config', type: 'sagemaker-config', name: '', region: REGION, endpointUrl: url, s3EndpointUrl: s3Url,
      s3MaxRequestRate: o.rate, authMode: 'keys', maxAttempts: 3, retryMode: 'standard', timeout: 70000,
    },
    {
      id: 'bench-async-node', type: 'sagemaker-invoke', z: 'bench-tab', config: 'bench-config', endpointName: ENDPOINT, mode: 'async',
      asyncResult: 'wait', maxInFlight: o.maxInFlight, maxQueue: o.messages, maxWaiting: 10000, wires: [['sink']],
    },
    { id: 'sink', type: 'bench-sink', z: 'bench-tab', wires: [] },
  ];
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow));
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify({ 'bench-config': { ...KEYS } }));
  const RED = require('node-red');
  const server = http.createServer();
  RED.init(server, {
    userDir, nodesDir: [path.join(__dirname, 'nodes')], httpAdminRoot: false, httpNodeRoot: false, disableEditor: true,
    credentialSecret: false, flowFile: 'flows.json', logging: { console: { level: 'warn', metrics: false, audit: false } },
    editorTheme: { projects: { enabled: false } },
  });
  await RED.start();
  for (let i = 0; i < 100 && !RED.nodes.getNode('bench-async-node'); i++) await new Promise((r) => setTimeout(r, 50));
  return { RED, stop: async () => { await RED.stop(); fs.rmSync(userDir, { recursive: true, force: true }); } };
}

const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

function peakPerSecond(times) {
  let peak = 0;
  for (let i = 0, j = 0; i < times.length; i++) {
    while (times[i] - times[j] >= 1000) j++;
    peak = Math.max(peak, i - j + 1);
  }
  return peak;
}

/** Sends every message at once; resolves when all have arrived, with the heap per message once all were waiting. */
async function run(o, red, srv) {
  v8.setFlagsFromString('--expose-gc');
  const gc = vm.runInNewContext('gc');
  const node = red.RED.nodes.getNode('bench-async-node');
  const service = red.RED.nodes.getNode('bench-config').asyncResults;
  // One message first, so the S3 clients (made on first use), the SDK's caches and the code are in the heap before it
  // is measured.
  await new Promise((resolve) => {
    hub.once('arrive', resolve);
    node.receive({ payload: { series: 'warm-up', value: 1 }, n: -1 });
  });
  const warmLines = srv.lines.length;
  const arrived = new Map();
  const done = new Promise((resolve) => {
    hub.on('arrive', (msg) => {
      if (msg.n < 0) return;
      arrived.set(msg.n, { at: Date.now(), msg });
      if (arrived.size === o.messages) resolve();
    });
  });
  gc();
  const heapBefore = process.memoryUsage().heapUsed;
  for (let n = 0; n < o.messages; n++) node.receive({ payload: { series: `pump-${n % 16}`, value: 20 + (n % 7) }, n, inferenceId: `bench-${n}` });
  // The heap when the most messages wait (those that left are released, those still calling counted out).
  let most = 0;
  let heapWaiting;
  for (let i = 0; i < 300 && arrived.size < o.messages; i++) {
    await new Promise((r) => setTimeout(r, 100));
    const waiting = service.poller().size + service.poller().inFlight;
    if (waiting > most && node.status && waiting + arrived.size >= o.messages) {
      gc();
      most = waiting;
      heapWaiting = (process.memoryUsage().heapUsed - heapBefore) / waiting;
    }
  }
  const timeout = setTimeout(() => { throw new Error(`only ${arrived.size} of ${o.messages} results after 10 min`); }, 600000);
  await done;
  clearTimeout(timeout);
  return { arrived, warmLines, heapPerMessage: heapWaiting, mostWaiting: most };
}

async function main(argv) {
  const o = options(argv);
  const srv = await startServer(o);
  const relay = await startRelay(srv.url);
  const red = await startNodeRed(srv.url, relay.url, o);
  try {
    const { arrived, heapPerMessage, mostWaiting, warmLines } = await run(o, red, srv);
    const s3 = srv.lines.slice(warmLines).filter((l) => new RegExp(`(GET|HEAD|PUT) /${BUCKET}/`).test(l.line));
    const written = new Map();
    for (const l of srv.lines) {
      const m = /async (bench-\d+) for .*: output /.exec(l.line);
      if (m) written.set(m[1], l.at);
    }
    const delays = [];
    for (const [n, a] of arrived) {
      if (a.msg.payload?.series !== `pump-${n % 16}`) throw new Error(`message ${n} came out with another result`);
      delays.push(a.at - written.get(`bench-${n}`));
    }
    delays.sort((a, b) => a - b);
    const report = {
      messages: o.messages, modelMs: o.delayMs, ceiling: o.rate,
      s3Requests: s3.length, s3RequestsPerResult: s3.length / o.messages,
      // When each request arrived, as the relay saw it (the warm-up's came seconds before: no window holds both).
      peakS3PerSecond: peakPerSecond((await relay.arrivals()).sort((a, b) => a - b)),
      heapBytesPerWaitingMessage: heapPerMessage === undefined ? null : Math.round(heapPerMessage),
      mostWaitingAtOnce: mostWaiting,
      delayMs: { median: quantile(delays, 0.5), p99: quantile(delays, 0.99), max: delays[delays.length - 1] },
    };
    report.targetMet = report.s3RequestsPerResult <= 10 && report.peakS3PerSecond <= o.rate;
    const lines = [
      `async results: ${o.messages} messages waiting at once, model ${o.delayMs} ms, S3 ceiling ${o.rate}/s`,
      `${os.cpus().length} x ${os.cpus()[0].model.trim()}, Node.js ${process.version}`,
      `  S3 requests per result   ${report.s3RequestsPerResult.toFixed(2)} (${report.s3Requests} in all; target <= 10)`,
      `  peak S3 requests/s       ${report.peakS3PerSecond} (ceiling ${o.rate})`,
      `  heap per waiting msg     ${report.heapBytesPerWaitingMessage ?? 'not measured'} bytes (the msg included; ${mostWaiting} waiting)`,
      `  output in S3 -> msg out  median ${report.delayMs.median} ms, p99 ${report.delayMs.p99} ms, max ${report.delayMs.max} ms`,
      `  target ${report.targetMet ? 'met' : 'NOT met'}`,
    ];
    writeReport(lines, report, o.json);
  } finally {
    await red.stop();
    await relay.stop();
    await srv.stop();
  }
}

if (process.argv[2] === '--async-relay') relayMain(process.argv[3]);
else if (process.argv[2] === '--async-server') {
  serverMain().catch((err) => {
    process.stderr.write(`${err.stack}\n`);
    process.exit(1);
  });
}

module.exports = { main };
