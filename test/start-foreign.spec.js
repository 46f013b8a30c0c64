'use strict';
// `npm start` never touches a Node-RED it did not start. With a foreign HTTP server or a foreign Node-RED on its
// port (or on the local endpoint server's port), it says so in one line naming the port and the variable to set,
// exits non-zero, and sends nothing there. And when another server takes the port after the check (between the
// check and its own Node-RED listening), the deploy still never reaches it: Node-RED must prove it is the child
// this run started before anything is deployed, over the same connection.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const http = require('node:http');
const os = require('node:os');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { root, artifacts, freePort, startNodeRed, sleep, alive } = require('./node-red-process');
const { pinnedAdmin, portInUse } = require('../scripts/start-guard');

/** An HTTP server that answers like Node-RED's admin API and records every request it gets. */
function foreignServer(port) {
  const requests = [];
  const server = http.createServer((req, res) => {
    requests.push(`${req.method} ${req.url}`);
    req.resume();
    res.setHeader('Content-Type', 'application/json');
    res.end(req.url === '/settings' ? '{"httpNodeRoot":"/","version":"4.1.0"}' : '{"rev":"x"}');
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => resolve({ requests, close: () => new Promise((r) => { server.closeAllConnections(); server.close(r); }) }));
  });
}

describe('npm start next to another server on its port', function () {
  this.timeout(90000);
  const userDir = path.join(artifacts, 'npm-start-foreign-userdir');
  let home;
  const running = [];

  before(function () {
    home = fs.mkdtempSync(path.join(os.tmpdir(), 'npm-start-foreign-home-'));
  });
  beforeEach(function () {
    fs.rmSync(userDir, { recursive: true, force: true });
  });
  after(async function () {
    for (const child of running) {
      if (child.exitCode === null && child.signalCode === null) {
        try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
      }
    }
    if (home) fs.rmSync(home, { recursive: true, force: true });
    fs.rmSync(userDir, { recursive: true, force: true });
  });

  /** Runs `npm start` with PORT and SAGEMAKER_LOCAL_PORT; `onOutput` sees the output as it grows. */
  function npmStart(port, localPort, onOutput = () => {}) {
    const env = { ...process.env, HOME: home, PORT: String(port), SAGEMAKER_LOCAL_PORT: String(localPort), SAGEMAKER_DEMO_USER_DIR: userDir, npm_config_cache: path.join(home, '.npm') };
    for (const name of Object.keys(env)) if (/^AWS_/.test(name)) delete env[name];
    const child = spawn('npm', ['start'], { cwd: root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    running.push(child);
    const result = { stdout: '', stderr: '', child };
    child.stdout.on('data', (d) => { result.stdout += d; onOutput(result.stdout); });
    child.stderr.on('data', (d) => { result.stderr += d; });
    result.exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
    return result;
  }

  const ourLines = (text) => text.split('\n').filter((l) => l.startsWith('[npm start]'));

  it('exits non-zero before starting or sending anything when a foreign HTTP server has PORT', async function () {
    const port = await freePort();
    const localPort = await freePort();
    const foreign = await foreignServer(port);
    try {
      const run = npmStart(port, localPort);
      assert.notEqual(await run.exited, 0);
      assert.deepEqual(ourLines(run.stderr), [`[npm start] port ${port} is in use (another Node-RED?): set PORT to a free port for npm start's Node-RED`]);
      assert.deepEqual(foreign.requests, [], 'not one HTTP request reached it');
      assert.equal(await portInUse(localPort), false, 'the local endpoint server never started');
      assert.ok(!fs.existsSync(userDir), 'no user directory was written');
    } finally {
      await foreign.close();
    }
  });

  it('exits non-zero before starting anything when a foreign server has SAGEMAKER_LOCAL_PORT', async function () {
    const port = await freePort();
    const localPort = await freePort();
    const foreign = await foreignServer(localPort);
    try {
      const run = npmStart(port, localPort);
      assert.notEqual(await run.exited, 0);
      assert.deepEqual(ourLines(run.stderr), [`[npm start] port ${localPort} is in use: set SAGEMAKER_LOCAL_PORT to a free port for the local endpoint server`]);
      assert.deepEqual(foreign.requests, []);
      assert.equal(await portInUse(port), false, 'no Node-RED was started');
      assert.ok(!fs.existsSync(userDir));
    } finally {
      await foreign.close();
    }
  });

  it('refuses one port for both, before starting anything', async function () {
    const port = await freePort();
    const run = npmStart(port, port);
    assert.notEqual(await run.exited, 0);
    assert.deepEqual(ourLines(run.stderr), [`[npm start] PORT and SAGEMAKER_LOCAL_PORT are both ${port}: Node-RED and the local endpoint server need a port each`]);
    assert.equal(await portInUse(port), false);
  });

  it('leaves a foreign Node-RED on PORT and its flows alone', async function () {
    const foreignDir = path.join(artifacts, 'npm-start-foreign-node-red');
    fs.rmSync(foreignDir, { recursive: true, force: true });
    fs.mkdirSync(foreignDir, { recursive: true });
    const red = await startNodeRed(foreignDir, { logName: 'npm-start-foreign-node-red.log' });
    try {
      const started = () => (red.output().match(/Started flows/g) || []).length;
      const startedBefore = started();
      await red.deploy([{ id: 'aaaa000000000001', type: 'tab', label: 'my own work' },
        { id: 'aaaa000000000002', type: 'comment', z: 'aaaa000000000001', name: 'do not lose me', x: 200, y: 100, wires: [] }]);
      const before = (await red.api('GET', '/flows')).json();
      while (started() === startedBefore) await sleep(50); // its own deploy logs after the answer
      const logBefore = red.output().length;
      const port = Number(new URL(red.base).port);
      const run = npmStart(port, await freePort());
      assert.notEqual(await run.exited, 0);
      assert.deepEqual(ourLines(run.stderr), [`[npm start] port ${port} is in use (another Node-RED?): set PORT to a free port for npm start's Node-RED`]);
      assert.deepEqual((await red.api('GET', '/flows')).json(), before, 'same flows, same revision');
      assert.doesNotMatch(red.output().slice(logBefore), /Stopping flows|Starting flows/, `no deploy happened meanwhile: ${red.output().slice(logBefore)}`);
    } finally {
      await red.stop();
    }
  });

  it('deploys nothing to a server that takes the port after the check: Node-RED must prove it is this run\'s child', async function () {
    const port = await freePort();
    let foreign;
    let taking;
    // The moment npm start has spawned its Node-RED (which takes a second or more to listen), another server binds.
    const run = npmStart(port, await freePort(), (out) => {
      if (!taking && /Node-RED pid \d+/.test(out)) taking = foreignServer(port).then((f) => { foreign = f; });
    });
    try {
      assert.notEqual(await run.exited, 0);
      await taking;
      assert.ok(foreign, 'the foreign server took the port');
      assert.ok(!foreign.requests.some((r) => r.startsWith('POST')), `no deploy reached it: ${foreign.requests.join(', ')}`);
      assert.match(run.stderr, new RegExp(`\\[npm start\\] port ${port} is in use: something else answers there, not the Node-RED npm start started, so nothing was deployed to it; set PORT to a free port`));
      assert.doesNotMatch(run.stdout, /ready: open/);
      const redPid = Number(/Node-RED pid (\d+)/.exec(run.stdout)[1]);
      assert.ok(!alive(redPid), 'and its own Node-RED was stopped');
    } finally {
      if (foreign) await foreign.close();
    }
  });

  it('never opens a second connection for the admin API: a request after the proven connection closed fails', async function () {
    const port = await freePort();
    const requests = [];
    const server = http.createServer((req, res) => {
      requests.push(`${req.method} ${req.url}`);
      res.setHeader('Connection', 'close'); // as if the proven process went away
      res.setHeader('x-sagemaker-start-run', `tok ${process.pid}`);
      res.end('{}');
    });
    await new Promise((r) => server.listen(port, '127.0.0.1', r));
    const admin = pinnedAdmin(port);
    try {
      await admin.prove('tok', process.pid);
      await assert.rejects(admin.request('POST', '/flows', { flows: [] }), /closed; npm start does not open another/);
      await assert.rejects(pinnedAdmin(port).prove('other', process.pid), { code: 'FOREIGN_SERVER' });
      assert.deepEqual(requests, ['GET /settings', 'GET /settings']);
    } finally {
      admin.close();
      server.close();
    }
  });
});
