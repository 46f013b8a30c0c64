'use strict';
// A real Node-RED runtime as a user runs it: the packed package (npm pack) installed into a fresh user directory,
// and node-red's red.js started as a child process on a free port of 127.0.0.1. Used by test/package.spec.js and
// the browser tests in test/e2e/. Which Node-RED starts follows test/node-red-under-test.js.
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { execFileSync, spawn } = require('node:child_process');
const { MODULE_NAME } = require('../dist/shared/names');

const root = path.join(__dirname, '..');
const nodeRedMajor = require('node-red/package.json').version.split('.')[0];
const artifacts = path.join(root, 'test-artifacts');

// Node-RED's own notices about its set-up (projects off; a fresh user directory with no credential file yet).
const NODE_RED_NOTICES = /\[warn\] (Projects disabled : |Encrypted credentials not found$)/;
// The AWS SDK's own notice on Node.js 20 that its releases after early January 2027 need Node.js 22 (README,
// "Node.js 20 and the AWS SDK"). It is the SDK's, printed through process.emitWarning; anything else is not allowed.
const SDK_NODE_NOTICE = /NodeVersionSupportWarning/;

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Whether `port` can be listened on now. */
function portFree(port) {
  return new Promise((resolve) => {
    const srv = net.createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '127.0.0.1', () => srv.close(() => resolve(true)));
  });
}

/**
 * A free port whose next port is free too: sagemaker-local serves HTTP/2 on the port after its own, and on a busy
 * machine an ephemeral port's neighbour is often taken.
 */
async function freePortPair() {
  for (let i = 0; i < 50; i++) {
    const port = await freePort();
    if (port < 65535 && await portFree(port + 1)) return port;
  }
  throw new Error('no free pair of neighbouring ports');
}

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Whether process `pid` still exists (signal 0 only asks). */
function alive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return err.code !== 'ESRCH';
  }
}

/** Packs the package into a fresh `userDir` and installs it there; returns the packed file list. */
function installPacked(userDir) {
  fs.rmSync(userDir, { recursive: true, force: true });
  fs.mkdirSync(path.join(userDir, 'node_modules'), { recursive: true });
  const packed = JSON.parse(execFileSync('npm', ['pack', '--json', '--ignore-scripts', '--pack-destination', userDir], { cwd: root, encoding: 'utf8' }));
  execFileSync('tar', ['-xzf', path.join(userDir, packed[0].filename), '-C', userDir]);
  // Installed as a user's npm install would place it; its dependencies resolve from the project's node_modules.
  fs.renameSync(path.join(userDir, 'package'), path.join(userDir, 'node_modules', MODULE_NAME));
  return packed[0].files.map((f) => f.path);
}

/**
 * Starts Node-RED on `userDir` (where installPacked put the package) and resolves when it serves the editor.
 * `logName` is the file under test-artifacts/ that receives its output when stopped.
 */
async function startNodeRed(userDir, { logName = `node-red-${nodeRedMajor}.log`, settings: extra = {} } = {}) {
  const port = await freePort();
  const settings = path.join(userDir, 'settings.js');
  fs.writeFileSync(settings, `module.exports = ${JSON.stringify({
    uiHost: '127.0.0.1', uiPort: port, flowFile: 'flows.json', credentialSecret: 'package-test-secret',
    logging: { console: { level: 'info', metrics: false, audit: false } }, editorTheme: { tours: false },
    diagnostics: { enabled: false }, telemetry: { enabled: false }, ...extra,
  }, null, 2)};\n`);
  const base = `http://127.0.0.1:${port}`;
  let output = '';
  const red = spawn(process.execPath, [require.resolve('node-red/red.js'), '--userDir', userDir, '--settings', settings], {
    cwd: userDir, env: process.env, stdio: ['ignore', 'pipe', 'pipe'],
  });
  red.stdout.on('data', (d) => { output += d; });
  red.stderr.on('data', (d) => { output += d; });
  const started = Date.now();
  while (!/Server now running/.test(output)) {
    if (red.exitCode !== null) throw new Error(`Node-RED exited:\n${output}`);
    if (Date.now() - started > 60000) throw new Error(`Node-RED did not start:\n${output}`);
    await sleep(100);
  }

  const api = async (method, url, body, headers = {}) => {
    const res = await fetch(base + url, {
      method,
      headers: { 'Content-Type': 'application/json', 'Node-RED-API-Version': 'v2', ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, text, json: () => JSON.parse(text) };
  };
  return {
    base,
    userDir,
    api,
    output: () => output,
    async deploy(flows) {
      const res = await api('POST', '/flows', { flows }, { 'Node-RED-Deployment-Type': 'full' });
      assert.equal(res.status, 200, res.text);
    },
    /** Warnings, errors and Node.js process warnings, apart from Node-RED's notices and the SDK's Node.js notice. */
    problems() {
      return output.split('\n').filter((l) => (/\[(warn|error)\]/.test(l) && !NODE_RED_NOTICES.test(l))
        || (/^\(node:\d+\) /.test(l) && !SDK_NODE_NOTICE.test(l)));
    },
    async stop() {
      if (red.exitCode === null) {
        const exited = new Promise((r) => red.once('exit', r));
        red.kill('SIGINT');
        await exited;
      }
      fs.mkdirSync(artifacts, { recursive: true });
      fs.writeFileSync(path.join(artifacts, logName), output);
    },
  };
}

module.exports = { root, artifacts, nodeRedMajor, freePort, freePortPair, installPacked, startNodeRed, sleep, alive };
