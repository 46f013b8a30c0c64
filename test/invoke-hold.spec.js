'use strict';
// At the edge, outages: the invoke node with onUnreachable hold (and fail, as before) against the SageMaker server
// behind a TCP relay of the tests' own (sagemaker-local's src/test-servers/tcp-relay.ts) that passes, then refuses (nothing listens:
// ECONNREFUSED), then drops (accepts and resets), then passes connections again, on the same port. Every connection
// attempt the node's client makes to the relay is counted through Node's net.client.socket diagnostics channel.
const assert = require('node:assert/strict');
const dc = require('node:diagnostics_channel');
const { helper, KEYS, INVOKE_BLANK, json, configNode, invokeNode, catchNode } = require('./harness');
const { SageMakerServer } = require('sagemaker-local');
const { testServer } = require('./workspace');
const { TcpRelay } = testServer('tcp-relay');
const { liveRegistry } = require('../dist/stats/registry');

/** The live figures of node n1 (sidebar "SageMaker", GET sagemaker-runtime/stats). */
const figures = () => liveRegistry.stats().nodes.find((n) => n.id === 'n1');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('at the edge: riding out an outage (onUnreachable)', function () {
  this.timeout(40000);
  let sm;
  let relay;
  /** connection attempts to the relay's port: [time, 'connect' | error code] */
  let attempts;
  const onSocket = ({ socket }) => {
    const port = () => relay && Number(new URL(relay.url()).port);
    socket.once('connect', () => socket.remotePort === port() && attempts.push([Date.now(), 'connect']));
    socket.once('error', (err) => err.port === port() && attempts.push([Date.now(), err.code]));
  };

  beforeEach(async function () {
    attempts = [];
    dc.subscribe('net.client.socket', onSocket);
    sm = new SageMakerServer({ credentials: [KEYS], endpoints: {
      ep: (req) => json({ echo: JSON.parse(req.body.toString()) }),
      // a batch model: one result per input, in order
      rows: (req) => json(JSON.parse(req.body.toString()).map((row) => ({ echo: row }))),
      // a streaming model: the reading back in one part
      talk: (req) => ({ contentType: 'text/plain', stream: [{ part: req.body.toString() }] }),
      // an async endpoint: the job is queued
      queue: () => ({ accepted: true }),
    } });
    await sm.listen();
    relay = new TcpRelay({ host: '127.0.0.1', port: Number(new URL(sm.url).port) });
    await relay.listen();
    await new Promise((r) => helper.startServer(r));
  });

  afterEach(async function () {
    dc.unsubscribe('net.client.socket', onSocket);
    await helper.unload();
    await new Promise((r) => helper.stopServer(r));
    await relay.stop();
    await sm.close();
  });

  async function load(invoke = {}) {
    const flow = [
      { id: 'f1', type: 'tab' },
      {
        id: 'c1', type: 'sagemaker-config', z: 'f1', name: 'Outage test', region: 'us-east-1', endpointUrl: relay.url(),
        authMode: 'keys', maxAttempts: 3, retryMode: 'standard', timeout: 3000, proxy: '', tls: '',
      },
      { id: 'n1', type: 'sagemaker-invoke', z: 'f1', name: '', config: 'c1', ...INVOKE_BLANK, endpointName: 'ep', maxInFlight: 1, ...invoke, wires: [['out']] },
      { id: 'out', type: 'helper', z: 'f1' },
      { id: 'catch1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
      { id: 'caught', type: 'helper', z: 'f1' },
    ];
    await helper.load([configNode, invokeNode, catchNode], flow, { c1: KEYS });
    const got = { n1: helper.getNode('n1'), outs: [], catches: [], statuses: [], warnings: [] };
    helper.getNode('out').on('input', (m) => got.outs.push(m));
    helper.getNode('caught').on('input', (m) => got.catches.push(m));
    const status = got.n1.status.bind(got.n1);
    got.n1.status = (s) => { got.statuses.push(s.text); status(s); };
    const warn = got.n1.warn.bind(got.n1);
    got.n1.warn = (w) => { got.warnings.push(String(w)); warn(w); };
    return got;
  }

  /**
   * A steady feed, one reading every `everyMs`, through: pass, refuse (`refuseMs`), drop (`dropMs`: long enough that
   * the second probe, 2.7 to 3.3 s after the outage began, meets it), pass again; resolves when every message has
   * ended, with the outage's start and end times.
   */
  async function outage(got, { count, everyMs = 100, refuseMs = 1500, dropMs = 2500 }) {
    const feed = (async () => {
      for (let n = 0; n < count; n++) {
        got.n1.receive({ payload: { n }, seq: n });
        await sleep(everyMs);
      }
    })();
    await sleep(750);
    const start = Date.now();
    await relay.set('refuse');
    await sleep(refuseMs);
    await relay.set('drop');
    await sleep(dropMs);
    await relay.set('pass');
    const end = Date.now();
    await feed;
    const started = Date.now();
    while (got.outs.length + got.catches.length < count) {
      if (Date.now() - started > 30000) throw new Error(`only ${got.outs.length + got.catches.length} of ${count} messages ended`);
      await sleep(20);
    }
    await sleep(200);
    assert.equal(got.outs.length + got.catches.length, count, 'each message ends exactly once');
    return { start, end };
  }

  it('hold: every message of a steady feed is answered, in order, with a handful of probes during the outage', async function () {
    const got = await load({ onUnreachable: 'hold' });
    const { start, end } = await outage(got, { count: 50 });
    assert.deepEqual(got.catches.map((m) => m.error.message), [], 'no message failed');
    assert.deepEqual(got.outs.map((m) => m.payload.echo.n), Array.from({ length: 50 }, (_, n) => n), 'answered in arrival order');
    const during = attempts.filter(([t]) => t >= start && t <= end);
    // The call that met the outage made its 3 attempts; after that, only probes (1 s, then 2 s apart).
    assert.ok(during.length <= 3 + 4, `at most a handful of connection attempts during the outage: ${JSON.stringify(during)}`);
    assert.ok(during.some(([, what]) => what === 'ECONNREFUSED'), 'the relay refused');
    assert.ok(relay.accepted.drop >= 1, 'a probe met the dropping relay');
    assert.ok(got.statuses.some((s) => /^offline: \d+ held, next try in \d+ s$/.test(s || '')), `the status showed the outage: ${got.statuses.join(' | ')}`);
    // The live figures count messages ended: a held message sent again is another request, not another message.
    const f = figures();
    assert.equal(f.messages, 50, 'each message counted once, held or not');
    assert.deepEqual(f.errors, {}, 'a held message that was answered did not fail');
    assert.ok(f.requests > 50, `the calls that met the outage and the probes are requests: ${f.requests}`);
  });

  it('hold with batching: a batch is held as one request, and every message is answered in order', async function () {
    const got = await load({ onUnreachable: 'hold', endpointName: 'rows', batchSize: 4, batchWindow: 50, batchFormat: 'json', maxQueue: 1000 });
    await outage(got, { count: 150, everyMs: 20 });
    assert.deepEqual(got.catches.map((m) => m.error.message), []);
    assert.deepEqual(got.outs.map((m) => m.payload.echo.n), Array.from({ length: 150 }, (_, n) => n));
    assert.ok(got.outs.some((m) => m.sagemaker.batch.size > 1), 'sent in batches');
  });

  it('hold in stream mode: a stream that failed before its first part is held, and all are answered in order', async function () {
    const got = await load({ onUnreachable: 'hold', mode: 'stream', endpointName: 'talk', output: 'text' });
    await outage(got, { count: 30 });
    assert.deepEqual(got.catches.map((m) => m.error.message), []);
    assert.deepEqual(got.outs.map((m) => JSON.parse(m.payload).n), Array.from({ length: 30 }, (_, n) => n));
  });

  it('hold in async mode: calls that could not be queued are held and queued later, in order', async function () {
    const got = await load({ onUnreachable: 'hold', mode: 'async', endpointName: 'queue' });
    await outage(got, { count: 30 });
    assert.deepEqual(got.catches.map((m) => m.error.message), []);
    assert.deepEqual(got.outs.map((m) => m.seq), Array.from({ length: 30 }, (_, n) => n));
    assert.ok(got.outs.every((m) => /^s3:\/\//.test(m.payload.outputLocation)));
  });

  it('fail: as before, the messages that meet the outage end at Catch with the network error, the rest are answered', async function () {
    const got = await load({ onUnreachable: 'fail' });
    await outage(got, { count: 40 });
    assert.ok(got.catches.length > 0, 'some failed');
    for (const m of got.catches) {
      assert.equal(m.sagemaker.error.name, 'NetworkError');
      assert.match(m.error.message, /Could not reach SageMaker at .* \((ECONNREFUSED|ECONNRESET)\)/);
    }
    assert.ok(got.outs.length > 0);
  });

  it('a node saved without onUnreachable and holdTimeout (imported from before them) works, with fail', async function () {
    const got = await load({}); // the node's properties have neither key (INVOKE_BLANK predates them)
    await relay.set('refuse');
    got.n1.receive({ payload: { n: 0 } });
    const started = Date.now();
    while (got.catches.length < 1 && Date.now() - started < 10000) await sleep(20);
    assert.deepEqual(got.catches.map((m) => m.sagemaker.error.name), ['NetworkError'], 'failed at once with the network error, not held');
    assert.ok(!got.statuses.some((s) => /not configured|offline/.test(s || '')), got.statuses.join(' | '));
    await relay.set('pass');
    got.n1.receive({ payload: { n: 1 } });
    while (got.outs.length < 1 && Date.now() - started < 10000) await sleep(20);
    assert.deepEqual(got.outs.map((o) => o.payload.echo.n), [1]);
  });

  it('holdTimeout bounds the wait: a message held longer ends at Catch with the network error that held it', async function () {
    const got = await load({ onUnreachable: 'hold', holdTimeout: '' });
    await relay.set('refuse');
    got.n1.receive({ payload: { n: 0 }, holdTimeout: 1 }); // msg.holdTimeout fills the blank node property
    got.n1.receive({ payload: { n: 1 } }); // the default, 300 s
    await sleep(2200);
    assert.equal(got.catches.length, 1);
    const [m] = got.catches;
    assert.equal(m.payload.n, 0);
    assert.equal(m.sagemaker.error.name, 'NetworkError');
    assert.match(m.error.message, /Could not reach SageMaker at .* \(ECONNREFUSED\)/);
    await relay.set('pass');
    const started = Date.now();
    while (got.outs.length < 1 && Date.now() - started < 10000) await sleep(20);
    assert.deepEqual(got.outs.map((o) => o.payload.echo.n), [1]);
    // One held past its timeout failed, one held then answered: two messages, one NetworkError.
    const f = figures();
    assert.equal(f.messages, 2);
    assert.deepEqual(f.errors, { NetworkError: 1 });
  });

  it('maxQueue bounds it: held messages count, past it QueueFull at once; a redeploy ends the held ones with one warning', async function () {
    const got = await load({ onUnreachable: 'hold', maxQueue: 5 });
    await relay.set('refuse');
    got.n1.receive({ payload: { n: 0 } });
    await sleep(1500); // n 0 failed and is held: the node is offline
    for (let n = 1; n <= 7; n++) got.n1.receive({ payload: { n } });
    await sleep(50);
    assert.deepEqual(got.catches.map((m) => [m.payload.n, m.sagemaker.error.name]), [[5, 'QueueFull'], [6, 'QueueFull'], [7, 'QueueFull']]);
    await helper.unload();
    await sleep(50);
    const closing = got.warnings.filter((w) => /Closed/.test(w));
    assert.equal(closing.length, 1);
    assert.match(closing[0], /5 message\(s\) unanswered: 5 held while SageMaker could not be reached/);
  });
});
