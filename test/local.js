'use strict';
// What the specs that drive sagemaker-local and its servers share (run `npm run build` first): starting it from a
// configuration with its log lines kept, the test model container process (src/test-servers/model-container.ts),
// and awaiting a call that must fail.
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startLocalServer, validateConfig } = require('../dist/server');

/** The error a call that must fail rejects with. */
async function failure(promise) {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  throw new assert.AssertionError({ message: 'expected the call to fail' });
}

/** Starts sagemaker-local from a raw configuration (checked as the CLI checks it); resolves { local, lines }. */
async function startLocal(raw, extra = {}) {
  const lines = [];
  const local = await startLocalServer(validateConfig(raw), { log: (l) => lines.push(l), ...extra });
  return { local, lines };
}

/** Starts the fixture container with its command-line arguments; resolves { child, url }. */
function startContainer(args = []) {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [path.join(__dirname, '..', 'dist', 'test-servers', 'model-container.js'), ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d) => {
      out += d;
      const m = /port (\d+)/.exec(out);
      if (m) resolve({ child, url: `http://127.0.0.1:${m[1]}` });
    });
    child.once('exit', (code) => reject(new Error(`container exited with ${code}`)));
  });
}

/** Kills the fixture container; resolves once it has exited. */
function stopContainer(child) {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    child.once('exit', resolve);
    child.kill('SIGKILL');
  });
}

module.exports = { failure, startLocal, startContainer, stopContainer };
