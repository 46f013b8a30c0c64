'use strict';
// Issue 13's points that live in the invoke node's flow: a bad value on the node named with its value, one warning
// for the messages a close ends unanswered, and msg.requestTimeout.
const assert = require('node:assert/strict');
const { helper, load, outcome, useServer, json, until } = require('./harness');

const invocations = (server) => server.requests.filter((r) => r.operation === 'invoke');
const logged = (level) => helper.log().args.map(([entry]) => entry).filter((e) => e && e.level === level).map((e) => String(e.msg));
const ERROR = 20;
const WARN = 30;

describe('sagemaker-invoke: a bad value set on the node', function () {
  let server;
  useServer({ ep: () => json({ ok: true }) }, undefined, (s) => { server = s; });

  it('is logged once when the flow starts, and fails each message, naming the node\'s field and the value', async function () {
    const cases = [
      [{ batchSize: '1001' }, 'The node\'s batchSize is "1001": batchSize must be a whole number from 1 to 1000'],
      [{ endpointName: 'bad_name' }, 'The node\'s endpointName is "bad_name": endpointName must be letters, digits and hyphens'],
      [{ output: 'xml' }, 'The node\'s output is "xml": output must be one of auto, json, text, buffer'],
      [{ mode: 'stream', targetModel: 'm.tar.gz' }, 'The node\'s targetModel is "m.tar.gz": targetModel is set, but mode stream'],
    ];
    for (const [invoke, expected] of cases) {
      const nodes = await load(server.url, { invoke });
      const errors = logged(ERROR).filter((m) => m.startsWith('The node\'s'));
      assert.equal(errors.length, 1, JSON.stringify(errors));
      assert.ok(errors[0].startsWith(expected), errors[0]);
      const r = await outcome(nodes, { payload: 1 });
      assert.equal(r.where, 'caught');
      assert.ok(r.msg.error.message.startsWith(`Error: ${expected}`), r.msg.error.message);
      assert.equal(r.msg.sagemaker.error.name, 'ConfigurationError');
      await helper.unload();
    }
    assert.equal(invocations(server).length, 0);
  });
});

describe('sagemaker-invoke: closing with messages it will not answer', function () {
  let server;
  useServer({ hang: () => ({ hang: true }), ep: () => json({ ok: true }) }, undefined, (s) => { server = s; });

  // The node is closed as a deploy closes it (helper.unload stops its log spy first), and the warning read from the log.
  const closedWarnings = () => logged(WARN).filter((m) => m.startsWith('Closed'));

  it('logs one warning with the counts: queued and in flight', async function () {
    const nodes = await load(server.url, { invoke: { endpointName: 'hang', maxInFlight: 1, maxQueue: 10 } });
    for (let i = 0; i < 3; i++) nodes.n1.receive({ payload: i });
    await until(() => invocations(server).length === 1, 'the first request');
    await nodes.n1.close(true);
    assert.deepEqual(closedWarnings(), [
      'Closed (redeploy or stop) with 3 message(s) unanswered: 2 queued and 0 waiting in a batch were never sent, 1 in flight were aborted. Each ended with an error, which no Catch node sees once the flow is redeployed',
    ]);
  });

  it('counts the messages of a filling batch, and says nothing when every message was answered', async function () {
    let nodes = await load(server.url, { invoke: { batchSize: 4, batchWindow: 60000 } });
    nodes.n1.receive({ payload: 1 });
    nodes.n1.receive({ payload: 2 });
    await nodes.n1.close(true);
    const warnings = closedWarnings();
    assert.equal(warnings.length, 1);
    assert.match(warnings[0], /with 2 message\(s\) unanswered: 0 queued and 2 waiting in a batch were never sent, 0 in flight/);
    await helper.unload();

    nodes = await load(server.url, {});
    assert.equal((await outcome(nodes, { payload: 1 })).where, 'out');
    await nodes.n1.close(true);
    assert.deepEqual(closedWarnings(), []);
  });
});

describe('sagemaker-invoke: msg.requestTimeout', function () {
  let server;
  const slow = async (req) => {
    await new Promise((r) => setTimeout(r, 400));
    return json({ got: JSON.parse(req.body.toString()) });
  };
  useServer({ slow }, undefined, (s) => { server = s; });

  it('overrides the config node\'s timeout for that message only, without options to client.send', async function () {
    const nodes = await load(server.url, { invoke: { endpointName: 'slow' }, config: { timeout: 5000, maxAttempts: 1 } });
    const client = nodes.c1.client;
    const arities = [];
    const send = client.send.bind(client);
    client.send = (...args) => {
      arities.push(args.length);
      return send(...args);
    };
    const fast = await outcome(nodes, { payload: 1, requestTimeout: 100 });
    assert.equal(fast.where, 'caught');
    assert.equal(fast.msg.sagemaker.error.name, 'TimeoutError');
    assert.match(fast.msg.error.message, /within this message's msg\.requestTimeout of 100 ms per attempt/);
    const patient = await outcome(nodes, { payload: 2, requestTimeout: '2000' });
    assert.equal(patient.where, 'out');
    assert.deepEqual(patient.msg.payload, { got: 2 });
    assert.equal((await outcome(nodes, { payload: 3 })).where, 'out', 'the next message has the config node\'s timeout');
    assert.deepEqual(arities, [1, 1, 1], 'no per-call options: the client keeps its cached middleware');
  });

  it('must be a whole number from 1 to the config node\'s timeout, checked before anything is sent', async function () {
    const nodes = await load(server.url, { invoke: { endpointName: 'slow' }, config: { timeout: 5000 } });
    for (const bad of [0, -5, 2.5, 'soon', 5001]) {
      const r = await outcome(nodes, { payload: 1, requestTimeout: bad });
      assert.equal(r.where, 'caught', String(bad));
      assert.equal(r.msg.sagemaker.error.name, 'InvalidInput');
      assert.match(r.msg.error.message, /msg\.requestTimeout must be a whole number from 1 to 5000/);
    }
    const r = await outcome(nodes, { payload: 1, requestTimeout: { ms: 5 } });
    assert.match(r.msg.error.message, /msg\.requestTimeout must be a whole number from 1 to 5000/);
    assert.equal(invocations(server).length, 0);
  });

  it('messages with different timeouts never share a batch', async function () {
    server.setEndpoint('csv', (req) => ({ body: req.body.toString().split('\n').map((row) => `${row}:ok`).join('\n'), contentType: 'text/csv' }));
    const nodes = await load(server.url, { invoke: { endpointName: 'csv', batchSize: 4, batchWindow: 50 } });
    const ends = [];
    nodes.out.on('input', (m) => ends.push(m.payload));
    for (const [i, t] of [[1, 3000], [2, 3000], [3, 4000]]) nodes.n1.receive({ payload: String(i), requestTimeout: t });
    await until(() => ends.length === 3, 'three answers');
    assert.deepEqual(invocations(server).map((r) => r.body.toString()).sort(), ['1\n2', '3']);
  });
});
