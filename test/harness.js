'use strict';
// Shared set-up for the node tests: Node-RED's test helper, the wire-true SageMaker server, and a flow
// config node -> invoke node -> helper, with a Catch node -> helper beside it.
const path = require('node:path');
const assert = require('node:assert/strict');
const helper = require('node-red-node-test-helper');
const { i18n } = require('@node-red/util');
const { MODULE_NAME } = require('../dist/shared/names');

// The test helper hands nodes a RED._ that returns the key. Give ours Node-RED's real i18n with our locale
// files (test/locales.js) and core's, so tests read the words a user reads.
const localesReady = Promise.all([
  require('./locales').localesReady,
  i18n.registerMessageCatalog('node-red', path.dirname(require.resolve('@node-red/nodes/locales/en-US/messages.json')).replace(/en-US$/, ''), 'messages.json'),
]);
function withI18n(register, set) {
  const wrapped = function (RED) {
    const red = Object.create(RED);
    red._ = (key, params) => i18n._(key.includes(':') ? key : `${MODULE_NAME}/${set}:${key}`, params);
    return register(red);
  };
  return wrapped;
}
const configNode = withI18n(require('../dist/nodes/sagemaker-config.js'), 'sagemaker-config');
const invokeNode = withI18n(require('../dist/nodes/sagemaker-invoke.js'), 'sagemaker-invoke');
const catchNode = require('@node-red/nodes/core/common/25-catch.js');
const { SageMakerServer } = require('sagemaker-local');

helper.init(require.resolve('node-red'));

const KEYS = { accessKeyId: 'AKIDTESTNODERED1', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG/bPxRfiCYTESTSECRET' };
const INVOKE_BLANK = {
  endpointName: '', contentType: '', accept: '', customAttributes: '', targetModel: '', targetVariant: '',
  targetContainerHostname: '', enableExplanations: '', inferenceComponentName: '', prefixAwareId: '',
  inputProperty: 'payload', outputProperty: 'payload', output: 'auto',
};

function flow(url, invoke = {}, config = {}) {
  return [
    { id: 'f1', type: 'tab' },
    {
      id: 'c1', type: 'sagemaker-config', z: 'f1', name: '', region: 'us-east-1', endpointUrl: url,
      authMode: 'keys', profile: '', profileFile: '', maxAttempts: 3, retryMode: 'standard', timeout: 5000, ...config,
    },
    { id: 'n1', type: 'sagemaker-invoke', z: 'f1', name: '', config: 'c1', ...INVOKE_BLANK, endpointName: 'ep', wires: [['out']], ...invoke },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'catch1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1' },
  ];
}

/** Loads a flow and returns its nodes. */
async function load(url, { invoke, config, credentials = KEYS, extraNodes = [], extraTypes = [] } = {}) {
  await localesReady;
  const nodes = flow(url, invoke, config).concat(extraNodes);
  await helper.load([configNode, invokeNode, catchNode, ...extraTypes], nodes, { c1: credentials });
  return { n1: helper.getNode('n1'), c1: helper.getNode('c1'), out: helper.getNode('out'), caught: helper.getNode('caught') };
}

/** Sends msg into n1 and resolves where it ended: { where: 'out' | 'caught', msg }. */
function outcome({ n1, out, caught }, msg, timeoutMs = 8000) {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('message reached neither output nor Catch')), timeoutMs);
    const finish = (where) => (m) => {
      clearTimeout(timer);
      out.removeAllListeners('input');
      caught.removeAllListeners('input');
      resolve({ where, msg: m });
    };
    out.once('input', finish('out'));
    caught.once('input', finish('caught'));
    n1.receive(msg);
  });
}

async function startServer(endpoints = {}, extra = {}) {
  const server = new SageMakerServer({ credentials: [KEYS], endpoints, ...extra });
  await server.listen(0, '127.0.0.1');
  return server;
}

/** A JSON answer from an endpoint handler. */
const json = (value, headers = {}) => ({ body: JSON.stringify(value), contentType: 'application/json', headers });

/**
 * Registers mocha hooks that start Node-RED's test helper and a wire-true server before each test and stop both
 * after it; `onStart` receives each new server.
 */
function useServer(endpoints, extra, onStart) {
  let server;
  beforeEach(async function () {
    await new Promise((r) => helper.startServer(r));
    server = await startServer(endpoints, extra);
    onStart(server);
  });
  afterEach(async function () {
    await helper.unload();
    await new Promise((r) => helper.stopServer(r));
    await server.close();
  });
}

// feed(): an event source a test feeds by hand, for a streaming endpoint handler: the server package's own.
const { feed } = require('./workspace').serverTestHelper('local');

/** Resolves when predicate() holds, polling; rejects after ms. */
async function until(predicate, what, ms = 5000) {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}

/**
 * Resolves when done() holds; rejects only when progress() (a count that grows while work goes on) has not changed
 * for stallMs: a load-sensitive test waits for the work, however slow the machine, not for the clock.
 */
async function whileProgressing(done, progress, what, stallMs) {
  let last = progress();
  let since = Date.now();
  while (!done()) {
    const now = progress();
    if (now !== last) {
      last = now;
      since = Date.now();
    } else if (Date.now() - since > stallMs) {
      throw new Error(`waiting for ${what}: no progress for ${stallMs / 1000} s`);
    }
    await new Promise((r) => setTimeout(r, 20));
  }
}

/**
 * Sends msgs with these payloads to `got.n1` at once and resolves when each has reached `got.outs` (the output) or
 * `got.catches` (Catch), checking each ended exactly once.
 */
async function sendAndSettle(got, ...payloads) {
  const want = got.outs.length + got.catches.length + payloads.length;
  for (const payload of payloads) got.n1.receive({ payload });
  const started = Date.now();
  while (got.outs.length + got.catches.length < want) {
    if (Date.now() - started > 15000) throw new Error('messages reached neither output nor Catch');
    await new Promise((r) => setTimeout(r, 10));
  }
  assert.equal(got.outs.length + got.catches.length, want, 'each message ends exactly once');
}

module.exports = { sendAndSettle, feed, until, whileProgressing, helper, KEYS, INVOKE_BLANK, load, outcome, startServer, useServer, json, configNode, invokeNode, catchNode };
