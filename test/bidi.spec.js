'use strict';
// The sagemaker-bidi node through Node-RED's test helper, over real HTTP/2 with the SDK's own event-stream stack,
// against the local server's bidirectional route (packages/sagemaker-local/src/bidi/bidi-server.ts) and its demo model.
const assert = require('node:assert/strict');
const path = require('node:path');
const { i18n } = require('@node-red/util');
const { helper, KEYS, until, configNode, catchNode } = require('./harness');
const { MODULE_NAME } = require('../dist/shared/names');
const { BidiServer, demoBidi } = require('sagemaker-local');

const catalog = i18n.registerMessageCatalog(`${MODULE_NAME}/sagemaker-bidi`, path.join(__dirname, '../nodes/locales'), 'sagemaker-bidi.json');
const register = require('../dist/nodes/sagemaker-bidi.js');
/** The node with Node-RED's real words (as the harness does for the invoke node). */
const bidiNode = function (RED) {
  const red = Object.create(RED);
  red._ = (key, params) => i18n._(key.includes(':') ? key : `${MODULE_NAME}/sagemaker-bidi:${key}`, params);
  return register(red);
};

const BLANK = { endpointName: '', targetVariant: '', modelInvocationPath: '', modelQueryString: '', output: 'auto' };

/** Loads config -> bidi -> out, with Catch -> caught; tracks how each input message ended. */
async function load(url, node = {}, config = {}, credentials = KEYS) {
  await catalog;
  const flow = [
    { id: 'f1', type: 'tab' },
    { id: 'c1', type: 'sagemaker-config', z: 'f1', region: 'us-east-1', endpointUrl: '', bidiEndpointUrl: url, authMode: 'keys', maxAttempts: 1, timeout: 5000, ...config },
    { id: 'n1', type: 'sagemaker-bidi', z: 'f1', config: 'c1', ...BLANK, endpointName: 'demo', wires: [['out']], ...node },
    { id: 'out', type: 'helper', z: 'f1' },
    { id: 'catch1', type: 'catch', z: 'f1', scope: null, uncaught: false, wires: [['caught']] },
    { id: 'caught', type: 'helper', z: 'f1' },
  ];
  await helper.load([configNode, bidiNode, catchNode], flow, { c1: credentials });
  const n1 = helper.getNode('n1');
  const got = { out: [], caught: [], ended: [], errors: [], warnings: [], statuses: [] };
  helper.getNode('out').on('input', (m) => got.out.push(m));
  helper.getNode('caught').on('input', (m) => got.caught.push(m));
  n1.on('call:error', (call) => got.errors.push(call.args));
  n1.on('call:warn', (call) => got.warnings.push(call.args[0]));
  n1.on('call:status', (call) => got.statuses.push(call.args[0]));
  // Every input message ends exactly once: count each end, with its error (if any).
  const complete = n1._complete.bind(n1);
  n1._complete = (msg, err) => {
    got.ended.push({ msg, err });
    complete(msg, err);
  };
  return { n1, got };
}

const scores = (got, topic) => got.out.filter((m) => !m.complete && (topic === undefined || m.topic === topic));

describe('sagemaker-bidi: bidirectional streams through the node', function () {
  this.timeout(30000);
  let server;
  let url;
  beforeEach(async function () {
    await new Promise((r) => helper.startServer(r));
    server = new BidiServer({
      credentials: [KEYS],
      endpoints: {
        demo: demoBidi(),
        slow: demoBidi({ delayMs: 5 }),
        // answers nothing until the client ends its side
        silent: (call) => ({ output: (async function* () { for await (const _ of call.input); })() }),
        broken: () => ({ error: 'ModelError', message: 'Received server error (500) from model', status: 424, fields: { OriginalStatusCode: 500, OriginalMessage: 'tensor shape mismatch' } }),
      },
    });
    url = await server.listen(0, '127.0.0.1');
  });
  afterEach(async function () {
    await helper.unload();
    await new Promise((r) => helper.stopServer(r));
    await server.close();
  });

  it('streams readings and sends each score as it arrives, then one complete msg with the totals', async function () {
    const { n1, got } = await load(url);
    n1.receive({ topic: 'pump', payload: 20 });
    n1.receive({ topic: 'pump', payload: { value: 21, series: 'pump' } });
    await until(() => scores(got).length === 2, 'two scores while the stream is open');
    n1.receive({ topic: 'pump', payload: '22', complete: true });
    await until(() => got.out.some((m) => m.complete), 'the complete msg');
    const parts = scores(got);
    assert.deepEqual(parts.map((m) => m.payload.index), [0, 1, 2]);
    assert.deepEqual(parts.map((m) => m.payload.value), [20, 21, 22]);
    assert.deepEqual(parts[0].sagemaker, { endpointName: 'demo', invokedProductionVariant: 'AllTraffic', dataType: 'UTF8', completionState: 'COMPLETE', index: 0 });
    const end = got.out.at(-1);
    assert.equal(end.topic, 'pump');
    assert.equal(end.complete, true);
    assert.equal(end.sagemaker.partsSent, 3);
    assert.equal(end.sagemaker.partsReceived, 3);
    assert.ok(end.sagemaker.durationMs >= 0);
    assert.deepEqual(got.ended.map((e) => e.err), [undefined, undefined, undefined]);
    assert.equal(server.streams[0].verified, true, 'the server checked every event signature');
    assert.ok(got.statuses.some((st) => /^1 stream\(s\) open/.test(st.text)), JSON.stringify(got.statuses));
    await until(() => JSON.stringify(got.statuses.at(-1)) === '{}', 'the status cleared once the stream ended');
  });

  it('sends buffers as BINARY and text output as strings; partial parts are PARTIAL', async function () {
    const { n1, got } = await load(url, { output: 'text' });
    n1.receive({ payload: Buffer.from([1, 2, 3]) });
    n1.receive({ payload: '[5,', partial: true });
    n1.receive({ payload: '6]', complete: true });
    await until(() => got.out.some((m) => m.complete), 'the end');
    const parts = scores(got);
    assert.equal(parts[0].sagemaker.dataType, 'BINARY');
    assert.equal(parts[0].payload, '\u0001\u0002\u0003', 'output text decodes a BINARY part too');
    assert.equal(typeof parts[1].payload, 'string');
    assert.deepEqual(parts.slice(1).map((m) => JSON.parse(m.payload).value), [5, 6], 'the model joined the PARTIAL part');
    assert.equal(got.out.at(-1).topic, '', 'no topic is the blank key');
  });

  it('5,000 parts through one stream arrive in order', async function () {
    const { n1, got } = await load(url, { maxQueue: 10000 });
    for (let i = 0; i < 5000; i++) n1.receive({ topic: 'many', payload: i, complete: i === 4999 });
    await until(() => got.out.some((m) => m.complete), 'the end', 25000);
    const values = scores(got).map((m) => m.payload.value);
    assert.equal(values.length, 5000);
    assert.ok(values.every((v, i) => v === i), 'in order');
    assert.equal(got.ended.length, 5000);
    assert.ok(got.ended.every((e) => !e.err));
  });

  it('16 streams at once, each its own sequence', async function () {
    const { n1, got } = await load(url);
    for (let round = 0; round < 10; round++) {
      for (let s = 0; s < 16; s++) n1.receive({ topic: `s${s}`, payload: { value: round, series: `s${s}` }, complete: round === 9 });
    }
    await until(() => got.out.filter((m) => m.complete).length === 16, 'sixteen ends', 20000);
    for (let s = 0; s < 16; s++) assert.deepEqual(scores(got, `s${s}`).map((m) => m.payload.value), [0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    assert.equal(new Set(server.streams.map((r) => r.path)).size, 1);
    assert.equal(server.streams.length, 16);
  });

  it('a slow model slows a producer that waits for done: parts waiting stay within maxQueue, nothing is lost', async function () {
    const { n1, got } = await load(url, { endpointName: 'slow', maxQueue: 5 });
    let maxWaiting = 0;
    const n = 200;
    // A producer that keeps at most 5 messages unfinished, as a flow with a rate limit on done would.
    for (let i = 0; i < n; i++) {
      await until(() => i - got.ended.length < 5, 'room', 10000);
      n1.receive({ topic: 'slow', payload: i, complete: i === n - 1 });
      maxWaiting = Math.max(maxWaiting, i + 1 - got.ended.length);
    }
    await until(() => got.out.some((m) => m.complete), 'the end', 20000);
    assert.ok(maxWaiting <= 5);
    assert.deepEqual(scores(got).map((m) => m.payload.value), Array.from({ length: n }, (_, i) => i));
    assert.ok(got.ended.every((e) => !e.err));
  });

  it('a burst past maxQueue fails the excess at once with QueueFull; every msg ends once', async function () {
    const { n1, got } = await load(url, { endpointName: 'slow', maxQueue: 10 });
    for (let i = 0; i < 100; i++) n1.receive({ topic: 'b', payload: i });
    await until(() => got.ended.length === 100, 'every msg ended', 20000);
    const failed = got.ended.filter((e) => e.err);
    assert.ok(failed.length > 50, `${failed.length} refused`);
    assert.ok(failed.every((e) => e.msg.sagemaker.error.name === 'QueueFull'));
    assert.match(failed[0].err.message, /maxQueue/);
    n1.receive({ topic: 'b', complete: true });
    await until(() => got.out.some((m) => m.complete), 'the end', 20000);
    assert.equal(scores(got).length, 100 - failed.length, 'each part taken was answered');
  });

  it('past maxStreams a new topic fails at once', async function () {
    const { n1, got } = await load(url, { maxStreams: 2 });
    n1.receive({ topic: 'a', payload: 1 });
    n1.receive({ topic: 'b', payload: 1 });
    n1.receive({ topic: 'c', payload: 1 });
    await until(() => got.caught.length === 1, 'the refusal');
    assert.equal(got.caught[0].topic, 'c');
    assert.equal(got.caught[0].sagemaker.error.name, 'QueueFull');
    assert.match(got.caught[0].error.message, /maxStreams/);
  });

  it('a mid-stream model error reaches Catch once, with the last input msg and the counts; the next msg opens a new stream', async function () {
    const { n1, got } = await load(url);
    n1.receive({ topic: 'f', payload: 1 });
    n1.receive({ topic: 'f', payload: { fail: 'model' }, note: 'last' });
    await until(() => got.caught.length === 1, 'the error');
    const caught = got.caught[0];
    assert.equal(caught.note, 'last');
    assert.equal(caught.sagemaker.error.name, 'ModelStreamError');
    assert.equal(caught.sagemaker.error.errorCode, 'DemoModelFailure');
    assert.equal(caught.sagemaker.partsSent, 2);
    assert.equal(caught.sagemaker.partsReceived, 1);
    assert.match(caught.error.message, /2 part\(s\) sent and 1 received/);
    assert.ok(!got.out.some((m) => m.complete));
    assert.ok(got.ended.every((e) => !e.err), 'both parts reached the wire');
    n1.receive({ topic: 'f', payload: 3, complete: true });
    await until(() => got.out.some((m) => m.complete), 'a new stream');
    assert.equal(got.out.at(-1).sagemaker.partsSent, 1);
    assert.equal(got.caught.length, 1);
  });

  it('a stream the server resets mid-stream reaches Catch once as a broken stream, with the counts', async function () {
    const { n1, got } = await load(url);
    n1.receive({ topic: 'rst', payload: 1 });
    n1.receive({ topic: 'rst', payload: { fail: 'reset' } });
    await until(() => got.caught.length === 1, 'the error');
    const caught = got.caught[0];
    assert.equal(caught.sagemaker.error.name, 'NetworkError');
    assert.match(caught.error.message, /broke \(ERR_HTTP2_STREAM_ERROR\) after 2 part\(s\) sent and 1 received/);
    assert.deepEqual(caught.payload, { fail: 'reset' });
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(got.caught.length, 1, 'reported once');
    assert.ok(got.ended.every((e) => !e.err));
  });

  it('an open that fails ends the opener with done(err): unknown endpoint, bad msg fields', async function () {
    const { n1, got } = await load(url, { endpointName: '' });
    n1.receive({ topic: 'x', payload: 1, endpointName: 'nope' });
    n1.receive({ topic: 'y', payload: 1 });
    n1.receive({ topic: 'z', payload: 1, endpointName: 'demo', modelInvocationPath: '/abs' });
    await until(() => got.caught.length === 3, 'three failures');
    const byTopic = Object.fromEntries(got.caught.map((m) => [m.topic, m]));
    assert.equal(byTopic.x.sagemaker.error.name, 'ValidationError');
    assert.match(byTopic.y.error.message, /No endpoint name/);
    assert.match(byTopic.z.error.message, /msg\.modelInvocationPath/);
    assert.equal(got.ended.length, 3);
  });

  it('a ModelError (424) before the stream ends the opener and every msg queued behind it, with the original status', async function () {
    const { n1, got } = await load(url, { endpointName: 'broken' });
    for (let i = 0; i < 3; i++) n1.receive({ topic: 'm', payload: i });
    await until(() => got.caught.length === 3, 'three failures');
    for (const m of got.caught) assert.equal(m.sagemaker.error.name, 'ModelError');
    assert.equal(got.caught[0].sagemaker.error.originalStatusCode, 500);
    assert.match(got.caught[0].error.message, /status 500: tensor shape mismatch/);
    assert.equal(got.ended.length, 3);
    assert.equal(got.errors.length, 3, 'each through done(err), none reported twice');
  });

  it('refused credentials fail the opener with done(err), the secret never in the words', async function () {
    const wrong = { accessKeyId: KEYS.accessKeyId, secretAccessKey: 'not-the-secret-at-all-0123456789' };
    const { n1, got } = await load(url, {}, {}, wrong);
    n1.receive({ topic: 'k', payload: 1 });
    await until(() => got.caught.length === 1, 'the refusal');
    const caught = got.caught[0];
    assert.match(caught.sagemaker.error.name, /Signature|AccessDenied|UnrecognizedClient/);
    assert.match(caught.error.message, /AWS refused the credentials/);
    assert.ok(!JSON.stringify(caught).includes(wrong.secretAccessKey));
  });

  it('a node with several bad settings names every one of them in one error', async function () {
    const { n1, got } = await load(url, { endpointName: 'bad_name', modelInvocationPath: '/v1', output: 'xml', maxQueue: '1.5' });
    n1.receive({ topic: 'r', payload: 'x' });
    await until(() => got.caught.length === 1, 'the message at Catch');
    const words = got.caught[0].error.message;
    for (const field of ['endpointName', 'modelInvocationPath', 'output', 'maxQueue']) {
      assert.equal(words.split(`The node's ${field} is `).length, 2, `${field} named once in: ${words}`);
    }
  });

  it('bad input fails with the field and rule; msg.reset aborts a stream quietly', async function () {
    const { n1, got } = await load(url, { endpointName: 'silent' });
    n1.receive({ topic: 'r' });
    await until(() => got.caught.length === 1, 'the bad input');
    assert.match(got.caught[0].error.message, /msg\.payload is missing/);
    assert.equal(got.caught[0].sagemaker.error.name, 'InvalidInput');
    n1.receive({ topic: 'r', payload: 'x' });
    // 'x' is done once the service has accepted the stream (its 200), though this model never answers.
    await until(() => got.ended.length === 2, 'the part on the wire');
    n1.receive({ topic: 'r', reset: true });
    await until(() => got.ended.length === 3, 'all ended');
    await new Promise((r) => setTimeout(r, 100));
    assert.equal(got.caught.length, 1, 'a reset is no error');
  });

  it('the idle timeout ends the input side; the model then ends the stream', async function () {
    const { n1, got } = await load(url, { idleTimeout: 1 });
    n1.receive({ topic: 'idle', payload: 1 });
    await until(() => got.out.some((m) => m.complete), 'the end after 1 s', 5000);
    assert.equal(got.out.at(-1).sagemaker.partsSent, 1);
  });

  it('redeploy with streams open: every stream ends, every msg ends once, nothing runs on', async function () {
    const { n1, got } = await load(url, { endpointName: 'slow', maxQueue: 50 });
    for (let s = 0; s < 3; s++) for (let i = 0; i < 20; i++) n1.receive({ topic: `t${s}`, payload: i });
    await until(() => got.ended.length > 0, 'first parts on the wire');
    await helper.unload();
    assert.equal(got.ended.length, 60, 'every msg ended');
    assert.equal(new Set(got.ended.map((e) => e.msg)).size, 60, 'once each');
    await until(() => server.sessions.size === 0, 'no HTTP/2 session left open', 5000);
  });

  it('warns once when the node overrides a msg field', async function () {
    const { n1, got } = await load(url);
    n1.receive({ topic: 'w', payload: 1, endpointName: 'other' });
    n1.receive({ topic: 'v', payload: 1, endpointName: 'other' });
    await until(() => got.ended.length === 2, 'both ended');
    assert.equal(got.warnings.length, 1);
    assert.match(got.warnings[0], /msg\.endpointName is ignored/);
  });
});
