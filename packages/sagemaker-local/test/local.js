'use strict';
// What the specs that drive sagemaker-local and its servers share (run `npm run build` first): starting it from a
// configuration with its log lines kept, the test model container process (src/test-servers/model-container.ts),
// awaiting a call that must fail, and a hand-fed event source for a streaming handler.
const assert = require('node:assert/strict');
const path = require('node:path');
const { spawn } = require('node:child_process');
const { startLocalServer, validateConfig } = require('../dist');

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

/**
 * An event source a test feeds by hand, for a streaming endpoint handler ({ stream: feed }): the server writes each
 * event when the test sends it, so a test decides when the stream moves on and when it ends.
 */
function feed() {
  const queue = [];
  const waiters = [];
  const state = { returned: false, ended: false };
  const push = (item) => {
    const w = waiters.shift();
    if (w) w(item);
    else queue.push(item);
  };
  return {
    state,
    send: (event) => push({ value: event, done: false }),
    end: () => {
      state.ended = true;
      push({ value: undefined, done: true });
    },
    [Symbol.asyncIterator]() {
      return {
        next: () => (queue.length > 0 ? Promise.resolve(queue.shift()) : new Promise((r) => waiters.push(r))),
        return: async () => {
          state.returned = true;
          return { done: true, value: undefined };
        },
      };
    },
  };
}

module.exports = { failure, startLocal, startContainer, stopContainer, feed };
