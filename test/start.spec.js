'use strict';
// `npm start` as a newcomer runs it: no AWS credentials anywhere (AWS_* unset, HOME an empty directory), the demo
// server and Node-RED started by the script. The result is observed through Node-RED's own runtime: the admin API
// triggers the demo flow's inject nodes (POST /inject/:id) and the debug nodes' messages arrive over the editor's
// /comms websocket, exactly what the debug sidebar shows. Then SIGINT (Ctrl-C) stops both processes.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const WebSocket = require('ws');
const { freePort } = require('./node-red-process');

const root = path.join(__dirname, '..');
const userDir = path.join(root, 'test-artifacts', 'npm-start-userdir');
const flows = JSON.parse(fs.readFileSync(path.join(root, 'demo', 'flows.json'), 'utf8'));
const byName = (type, name) => {
  const node = flows.find((n) => n.type === type && n.name === name);
  assert.ok(node, `the demo flow has a ${type} node "${name}"`);
  return node.id;
};

function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code !== 'ESRCH';
  }
}

describe('npm start (demo server + Node-RED with the demo flow, no AWS account)', function () {
  this.timeout(120000);
  let npm;
  let output = '';
  let base;
  let ws;
  let home;
  const debugMessages = [];

  const until = async (what, predicate, ms = 90000) => {
    const started = Date.now();
    for (;;) {
      const value = predicate();
      if (value) return value;
      if (npm.exitCode !== null) throw new Error(`npm start exited while waiting for ${what}:\n${output}`);
      if (Date.now() - started > ms) throw new Error(`timed out waiting for ${what}:\n${output}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  };
  const debugFrom = (id, match) => until(`a debug message from ${id}`, () => debugMessages.find((m) => m.id === id && match(m)));

  before(async function () {
    fs.rmSync(userDir, { recursive: true, force: true });
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-home-'));
    const env = { ...process.env };
    for (const name of Object.keys(env)) if (/^AWS_/.test(name)) delete env[name];
    const port = await freePort();
    Object.assign(env, {
      HOME: home,
      PORT: String(port),
      SAGEMAKER_LOCAL_PORT: String(await freePort()),
      SAGEMAKER_DEMO_USER_DIR: userDir,
      npm_config_cache: path.join(home, '.npm'),
    });
    base = `http://127.0.0.1:${port}`;
    // Its own process group, like a terminal's foreground job, so SIGINT reaches it as Ctrl-C does.
    npm = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    npm.stdout.on('data', (d) => { output += d; });
    npm.stderr.on('data', (d) => { output += d; });
    await until('Node-RED and the demo flow', () => /\[npm start\] ready: open /.test(output));

    ws = new WebSocket(`ws://127.0.0.1:${port}/comms`);
    await new Promise((resolve, reject) => {
      ws.once('open', resolve);
      ws.once('error', reject);
    });
    ws.on('message', (data) => {
      for (const event of [].concat(JSON.parse(data.toString()))) {
        if (event.topic === 'debug') debugMessages.push(event.data);
      }
    });
    ws.send(JSON.stringify({ subscribe: 'debug' }));
  });

  after(async function () {
    if (ws) ws.terminate();
    if (npm && npm.exitCode === null && npm.signalCode === null) {
      try {
        process.kill(-npm.pid, 'SIGKILL');
      } catch {
        // gone already
      }
    }
    fs.mkdirSync(path.join(root, 'test-artifacts'), { recursive: true });
    fs.writeFileSync(path.join(root, 'test-artifacts', 'npm-start.log'), output);
    if (home) fs.rmSync(home, { recursive: true, force: true });
  });

  const inject = async (id) => {
    const res = await fetch(`${base}/inject/${id}`, { method: 'POST' });
    assert.equal(res.status, 200, `inject ${id}`);
  };

  it('runs the demo flow: an inject node\'s reading gets the demo model\'s anomaly score at the debug node', async function () {
    await inject(byName('inject', 'normal reading'));
    const m = await debugFrom(byName('debug', 'score'), (d) => /"series":"pump-1"/.test(d.msg));
    const score = JSON.parse(m.msg);
    assert.equal(score.series, 'pump-1');
    assert.equal(score.value, 21.5);
    assert.equal(typeof score.count, 'number');
    assert.equal(typeof score.anomaly, 'boolean');
    assert.ok(/\[sagemaker-local\] POST \/endpoints\/sensor-anomaly\/invocations 200/.test(output), 'the local server answered it');
    // Node-RED's own notices about a fresh user directory aside, the flow deployed and ran without a warning.
    const problems = output.split('\n').filter((l) => /\[(warn|error)\]/.test(l) && !/Projects disabled|Encrypted credentials not found/.test(l));
    assert.deepEqual(problems, []);
  });

  it('runs the second tab: CSV in and out, and a model error at the Catch node', async function () {
    await inject(byName('inject', 'CSV rows'));
    const csv = await debugFrom(byName('debug', 'CSV answer'), () => true);
    assert.match(csv.msg, /^pump-1,21\.5,\d+,/); // a string reaches the sidebar as it is

    await inject(byName('inject', 'bad reading'));
    const caught = await debugFrom(byName('debug', 'error details'), () => true);
    const error = JSON.parse(caught.msg);
    assert.equal(error.name, 'ModelError');
    assert.equal(error.originalStatusCode, 400);
    assert.match(error.originalMessage, /value must be a finite number/);
  });

  it('runs the third tab: ten readings at once go to the demo model as one batch, each answered on its own', async function () {
    await inject(byName('inject', 'ten sensors (every 10 s)'));
    const from = (name) => debugMessages.filter((m) => m.id === byName('debug', name));
    await until('ten batched scores and their batch metadata', () => from('batched score').length >= 10 && from('batch of each reading').length >= 10);
    // The inject also fires once on deploy: when that and this one fall in one window, twenty readings share the
    // request. Either way each message has its own reading's score, in order, and its place in one request.
    const size = JSON.parse(from('batch of each reading')[0].msg).size;
    assert.ok(size === 10 || size === 20, `batch size ${size}`);
    await until(`${size} batched scores`, () => from('batched score').length >= size && from('batch of each reading').length >= size);
    const scores = from('batched score').slice(0, size).map((m) => JSON.parse(m.msg));
    assert.deepEqual(scores.map((s) => s.series), Array.from({ length: size }, (_, i) => `line-${(i % 10) + 1}`), 'each reading got its own score, in order');
    for (const s of scores) assert.equal(typeof s.count, 'number');
    const batches = from('batch of each reading').slice(0, size).map((m) => JSON.parse(m.msg));
    assert.deepEqual(batches.map((b) => [b.size, b.index]), Array.from({ length: size }, (_, i) => [size, i]), 'they shared one request');
    assert.equal(new Set(batches.map((b) => b.requestId)).size, 1);
  });

  it('keeps the demo keys out of flows.json: they are in Node-RED\'s encrypted credential store', function () {
    const saved = fs.readFileSync(path.join(userDir, 'flows.json'), 'utf8');
    const { credentials } = JSON.parse(fs.readFileSync(path.join(root, 'demo', 'sagemaker-local.json'), 'utf8'));
    assert.ok(!saved.includes(credentials[0].secretAccessKey));
    assert.ok(!fs.readFileSync(path.join(userDir, 'flows_cred.json'), 'utf8').includes(credentials[0].secretAccessKey));
    assert.ok(!output.includes(credentials[0].secretAccessKey), 'nor in any log line');
  });

  it('stops Node-RED and the local server on Ctrl-C (SIGINT)', async function () {
    const redPid = Number(/Node-RED pid (\d+)/.exec(output)[1]);
    assert.ok(alive(redPid));
    const exited = new Promise((resolve) => npm.once('exit', (code, signal) => resolve({ code, signal })));
    process.kill(-npm.pid, 'SIGINT');
    await exited;
    assert.match(output, /\[npm start\] stopped/);
    // start.js reports "stopped" only after Node-RED's exit, and has reaped it.
    assert.ok(!alive(redPid), 'Node-RED exited');
    const refused = await fetch(base).then(() => false, () => true);
    assert.ok(refused, 'nothing listens on the Node-RED port any more');
  });
});
