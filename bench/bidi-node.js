'use strict';
// The bidi scenario through the sagemaker-bidi node: a real Node-RED runtime in this process with this package,
// flow config -> sagemaker-bidi (output auto) -> bench-sink, messages handed to the node with node.receive().
// Each run is a closed loop on answers: `window` parts outstanding per stream (under the node's maxQueue, so none
// fails with QueueFull), each answer arriving at the sink lets the next part in.
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const http = require('node:http');
const { performance } = require('node:perf_hooks');
const { KEYS, REGION, hub } = require('./common');
const { ECHO } = require('./bidi-server');

const root = path.join(__dirname, '..');
const NODE_ID = 'bidi-node';

/** Starts Node-RED with the package and the bench's nodes, and deploys config -> sagemaker-bidi -> sink. */
async function startNodeRed(url, maxStreams) {
  const userDir = fs.mkdtempSync(path.join(os.tmpdir(), 'sagemaker-bench-bidi-'));
  fs.mkdirSync(path.join(userDir, 'node_modules'));
  fs.symlinkSync(root, path.join(userDir, 'node_modules', 'node-red-contrib-sagemaker-runtime'), 'dir');
  const flow = [
    { id: 'bench-tab', type: 'tab', label: 'bench' },
    {
      id: 'bench-config', type: 'sagemaker-config', name: '', region: REGION, endpointUrl: '', bidiEndpointUrl: url,
      authMode: 'keys', maxAttempts: 3, retryMode: 'standard', timeout: 70000,
    },
    {
      id: NODE_ID, type: 'sagemaker-bidi', z: 'bench-tab', config: 'bench-config', endpointName: ECHO, output: 'auto',
      idleTimeout: 60, maxStreams, maxQueue: 1000, wires: [['bidi-sink']],
    },
    { id: 'bidi-sink', type: 'bench-sink', z: 'bench-tab', wires: [] },
  ];
  fs.writeFileSync(path.join(userDir, 'flows.json'), JSON.stringify(flow));
  fs.writeFileSync(path.join(userDir, 'flows_cred.json'), JSON.stringify({ 'bench-config': { ...KEYS } }));
  const RED = require('node-red');
  RED.init(http.createServer(), {
    userDir, nodesDir: [path.join(__dirname, 'nodes')], httpAdminRoot: false, httpNodeRoot: false, disableEditor: true,
    credentialSecret: false, flowFile: 'flows.json', logging: { console: { level: 'warn', metrics: false, audit: false } },
    editorTheme: { projects: { enabled: false } },
  });
  await RED.start();
  for (let i = 0; i < 100 && !RED.nodes.getNode(NODE_ID); i++) await new Promise((r) => setTimeout(r, 50));
  const node = RED.nodes.getNode(NODE_ID);
  if (!node) throw new Error('the sagemaker-bidi node did not start: is the package built?');
  return {
    node,
    stop: async () => {
      await RED.stop();
      fs.rmSync(userDir, { recursive: true, force: true });
    },
  };
}

let runs = 0;

/**
 * `streams` streams (topics) at once, `perStream` parts each, `window` outstanding per stream; each stream ends
 * with msg.complete. `onAnswer(count)` per answer part. Resolves with seconds and per-part round trips (ms).
 */
function closedLoop(node, { streams, perStream, window, onAnswer = () => undefined }) {
  const run = `r${runs++}`;
  return new Promise((resolve, reject) => {
    const sent = new Array(streams).fill(0);
    const answered = new Array(streams).fill(0);
    const started = new Map();
    const ms = [];
    let total = 0;
    let completed = 0;
    const t0 = performance.now();
    const send = (s) => {
      const i = sent[s]++;
      const last = i === perStream - 1;
      started.set(`${s}:${i}`, performance.now());
      node.receive({ topic: `${run}-${s}`, payload: JSON.stringify({ id: i, values: [0.12, 0.5, 0.93], series: 'pump-1' }), ...(last ? { complete: true } : {}) });
    };
    const onArrive = (msg) => {
      const s = Number(String(msg.topic).split('-')[1]);
      if (!String(msg.topic).startsWith(`${run}-`)) return;
      if (msg.complete === true) {
        if (++completed === streams) finish();
        return;
      }
      if (typeof msg.payload !== 'object' || msg.payload.id !== answered[s]) return fail(new Error(`stream ${s}: answer ${JSON.stringify(msg.payload)} out of order (expected id ${answered[s]})`));
      ms.push(performance.now() - started.get(`${s}:${answered[s]}`));
      started.delete(`${s}:${answered[s]}`);
      answered[s] += 1;
      onAnswer(++total);
      if (sent[s] < perStream) send(s);
    };
    // A part that failed ends at Catch, not at the sink: a run with no answer for 10 s fails instead of hanging.
    let lastTotal = -1;
    const watchdog = setInterval(() => {
      if (total === lastTotal) fail(new Error(`no answer for 10 s after ${total} parts (see the node's errors above)`));
      lastTotal = total;
    }, 10000);
    const finish = () => {
      clearInterval(watchdog);
      hub.off('arrive', onArrive);
      resolve({ seconds: (performance.now() - t0) / 1000, ms, parts: total });
    };
    const fail = (err) => {
      clearInterval(watchdog);
      hub.off('arrive', onArrive);
      reject(err);
    };
    hub.on('arrive', onArrive);
    for (let s = 0; s < streams; s++) for (let k = 0; k < Math.min(window, perStream); k++) send(s);
  });
}

module.exports = { startNodeRed, closedLoop };
