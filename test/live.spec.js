'use strict';
// The live figures of real nodes against known traffic, through Node-RED's test helper, the real SDK and the
// wire-true servers: a model with a fixed delay gives that p50, N failures give N under their name, a batch of 32
// is one request, the gauges show the backlog, a bidi stream's parts count, and a removed node's figures go.
const assert = require('node:assert/strict');
const path = require('node:path');
const { i18n } = require('@node-red/util');
const { helper, load, useServer, json, until, KEYS, configNode, catchNode } = require('./harness');
const { liveRegistry } = require('../dist/stats/registry');
const { MODULE_NAME } = require('../dist/shared/names');
const { BidiServer, demoBidi } = require('sagemaker-local');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const figuresOf = (id) => liveRegistry.stats().nodes.find((n) => n.id === id);

describe('live figures of the invoke node', function () {
  this.timeout(20000);
  let server;
  useServer({}, undefined, (s) => { server = s; });

  it('a model that answers after 150 ms: p50 and p99 of 150 ms (within the histogram\'s 5 %), every message and request counted', async function () {
    server.setEndpoint('ep', async () => {
      await sleep(150);
      return json({ score: 1 });
    });
    const nodes = await load(server.url, { invoke: { name: 'scorer', maxInFlight: 4 } });
    let out = 0;
    nodes.out.on('input', () => { out += 1; });
    for (let i = 0; i < 8; i++) nodes.n1.receive({ payload: { i } });
    await until(() => out === 8, 'eight answers');
    const f = figuresOf('n1');
    assert.equal(f.type, 'sagemaker-invoke');
    assert.equal(f.name, 'scorer');
    assert.equal(f.flow, 'f1');
    assert.equal(f.endpoint, 'ep');
    assert.equal(f.mode, 'invoke');
    assert.equal(f.messages, 8);
    assert.equal(f.requests, 8);
    assert.deepEqual(f.errors, {});
    // From sending to the whole answer: the model's 150 ms and the local round trip (a few ms on a busy machine).
    assert.ok(f.latencyMs.p50 >= 150 * 0.95 && f.latencyMs.p50 < 150 * 1.05 + 40, `p50 ${f.latencyMs.p50}`);
    assert.ok(f.latencyMs.p99 >= f.latencyMs.p50 && f.latencyMs.max >= 150, JSON.stringify(f.latencyMs));
    assert.equal(f.bytesOut, 8 * JSON.stringify({ i: 0 }).length);
    assert.equal(f.bytesIn, 8 * JSON.stringify({ score: 1 }).length);
    assert.deepEqual({ inFlight: f.inFlight, queued: f.queued, waiting: f.waiting, streams: f.streams, batchSizeMean: f.batchSizeMean }, { inFlight: 0, queued: 0, waiting: 0, streams: 0, batchSizeMean: 0 });
  });

  it('five ModelErrors give ModelError: 5; a bad input InvalidInput: 1, with no request; the last error redacted', async function () {
    server.setEndpoint('ep', () => ({ error: 'ModelError', message: `failed for ${KEYS.secretAccessKey}`, fields: { OriginalStatusCode: 500, OriginalMessage: 'x' } }));
    const nodes = await load(server.url);
    let caught = 0;
    nodes.caught.on('input', () => { caught += 1; });
    for (let i = 0; i < 5; i++) nodes.n1.receive({ payload: i });
    nodes.n1.receive({ payload: i => i }); // a function cannot be sent
    await until(() => caught === 6, 'six failures at Catch');
    const f = figuresOf('n1');
    assert.deepEqual(f.errors, { ModelError: 5, InvalidInput: 1 });
    assert.equal(f.messages, 6);
    assert.equal(f.requests, 5, 'ModelError is not retried; the bad input made no request');
    const last = liveRegistry.lastErrors().n1;
    assert.equal(last.name, 'ModelError');
    assert.ok(!last.message.includes(KEYS.secretAccessKey), last.message);
  });

  it('a batch of 32 messages is one request of mean size 32; the filling batch counts as queued', async function () {
    server.setEndpoint('ep', (req) => json(JSON.parse(req.body.toString()).map((v) => v * 2)));
    const nodes = await load(server.url, { invoke: { batchSize: 32, batchWindow: 60000, batchFormat: 'json' } });
    let out = 0;
    nodes.out.on('input', () => { out += 1; });
    for (let i = 0; i < 31; i++) nodes.n1.receive({ payload: i });
    assert.equal(figuresOf('n1').queued, 31, 'waiting in the filling batch');
    assert.equal(figuresOf('n1').requests, 0);
    nodes.n1.receive({ payload: 31 });
    await until(() => out === 32, '32 answers');
    const f = figuresOf('n1');
    assert.equal(f.requests, 1);
    assert.equal(f.messages, 32);
    assert.equal(f.batchSizeMean, 32);
    assert.equal(f.queued, 0);
  });

  it('in flight and queued as the dispatcher holds them, read when the figures are taken', async function () {
    const release = [];
    server.setEndpoint('ep', () => new Promise((r) => release.push(() => r(json(1)))));
    const nodes = await load(server.url, { invoke: { maxInFlight: 2, maxQueue: 10 } });
    let out = 0;
    nodes.out.on('input', () => { out += 1; });
    for (let i = 0; i < 5; i++) nodes.n1.receive({ payload: i });
    await until(() => release.length === 2, 'two requests at the model');
    let f = figuresOf('n1');
    assert.deepEqual([f.inFlight, f.queued, f.requests], [2, 3, 2]);
    while (out < 5) {
      while (release.length) release.shift()();
      await sleep(10);
    }
    f = figuresOf('n1');
    assert.deepEqual([f.inFlight, f.queued, f.requests, f.messages], [0, 0, 5, 5]);
  });

  it('a node that cannot send is listed with its own mode and endpoint: stream without a config node, async with a bad setting', async function () {
    await load(server.url, {
      invoke: { mode: 'stream', config: '', endpointName: 'my-llm' },
      extraNodes: [{ id: 'n2', type: 'sagemaker-invoke', z: 'f1', name: 'jobs', config: 'c1', mode: 'async', endpointName: 'my-jobs', maxInFlight: 0, wires: [[]] }],
    });
    assert.deepEqual([figuresOf('n1').mode, figuresOf('n1').endpoint], ['stream', 'my-llm']);
    assert.deepEqual([figuresOf('n2').mode, figuresOf('n2').endpoint], ['async', 'my-jobs']);
  });

  it('a removed node\'s figures go; a redeployed node starts again from 0', async function () {
    server.setEndpoint('ep', () => json(1));
    const nodes = await load(server.url);
    await new Promise((resolve) => {
      nodes.out.once('input', resolve);
      nodes.n1.receive({ payload: 1 });
    });
    assert.equal(figuresOf('n1').messages, 1);
    await helper.unload();
    assert.equal(figuresOf('n1'), undefined);
    await new Promise((r) => helper.stopServer(r));
    await new Promise((r) => helper.startServer(r));
    await load(server.url);
    assert.equal(figuresOf('n1').messages, 0);
    assert.equal(liveRegistry.stats().nodes.length, 1, 'only the deployed invoke node; no config, Catch or helper node');
  });
});

describe('live figures of the bidi node', function () {
  this.timeout(20000);
  let server;
  let url;
  const catalog = i18n.registerMessageCatalog(`${MODULE_NAME}/sagemaker-bidi`, path.join(__dirname, '../nodes/locales'), 'sagemaker-bidi.json');
  const register = require('../dist/nodes/sagemaker-bidi.js');
  const bidiNode = function (RED) {
    const red = Object.create(RED);
    red._ = (key, params) => i18n._(key.includes(':') ? key : `${MODULE_NAME}/sagemaker-bidi:${key}`, params);
    return register(red);
  };
  beforeEach(async function () {
    await new Promise((r) => helper.startServer(r));
    server = new BidiServer({ credentials: [KEYS], endpoints: { demo: demoBidi({ delayMs: 40 }) } });
    url = await server.listen(0, '127.0.0.1');
  });
  afterEach(async function () {
    await helper.unload();
    await new Promise((r) => helper.stopServer(r));
    await server.close();
  });

  it('one stream is one request; each input message ended counts; each answered part a latency from its part', async function () {
    await catalog;
    await helper.load([configNode, bidiNode, catchNode], [
      { id: 'f1', type: 'tab' },
      { id: 'c1', type: 'sagemaker-config', z: 'f1', region: 'us-east-1', endpointUrl: '', bidiEndpointUrl: url, authMode: 'keys', maxAttempts: 1, timeout: 5000 },
      { id: 'b1', type: 'sagemaker-bidi', z: 'f1', name: 'pumps', config: 'c1', endpointName: 'demo', targetVariant: '', modelInvocationPath: '', modelQueryString: '', output: 'auto', wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f1' },
    ], { c1: KEYS });
    const scores = [];
    helper.getNode('out').on('input', (m) => { if (!m.complete) scores.push(m); });
    const b1 = helper.getNode('b1');
    // One part at a time, each after the last one's answer: each answer's latency is the model's 40 ms.
    for (let i = 0; i < 4; i++) {
      b1.receive({ topic: 'pump', payload: 20 + i });
      await until(() => scores.length === i + 1, `score ${i + 1}`);
    }
    const f = figuresOf('b1');
    assert.equal(f.mode, 'bidi');
    assert.equal(f.type, 'sagemaker-bidi');
    assert.equal(f.endpoint, 'demo');
    assert.equal(f.requests, 1, 'one stream');
    assert.equal(f.messages, 4);
    assert.equal(f.streams, 1, 'still open');
    assert.equal(f.inFlight, 0);
    assert.ok(f.latencyMs.p50 >= 40 * 0.95 && f.latencyMs.p50 < 40 * 1.05 + 60, `p50 ${f.latencyMs.p50}`);
    assert.ok(f.bytesOut > 0 && f.bytesIn > 0);
    b1.receive({ topic: 'pump', complete: true });
    await until(() => figuresOf('b1').streams === 0, 'the stream closed');
    assert.equal(figuresOf('b1').messages, 5);
  });
});
